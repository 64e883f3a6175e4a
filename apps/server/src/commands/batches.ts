import { randomUUID } from 'node:crypto';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { retryOnConflict } from '../db/retry.js';
import { conflict } from '../errors.js';
import type { DeviceFilter } from '../routes/device-filter.js';
import type { Action } from '@fleetmedic/protocol';
import { planBulkCommand, planRemediation, type BatchPlan, type SkippedDevice } from './batch-plan.js';
import type { CommandService } from './service.js';

/** A created batch: its id, the plan it carried out, and one command per target (same order). */
export interface CreatedBatch {
  batchId: string;
  plan: BatchPlan;
  commands: Command[];
  /** how long planning and inserting took, ms (logged with the delivery time) */
  timings: { planMs: number; insertMs: number };
}

/** Command counts of a batch. pending: queued, sent or acknowledged (no result yet). */
export interface BatchCounts {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  timedOut: number;
  expired: number;
  cancelled: number;
}

/** One command of a batch as its status shows it (no output: GET /api/v1/commands/:id has it). */
export type BatchCommand = Pick<Command, 'id' | 'deviceId' | 'type' | 'params' | 'status' | 'reason' | 'exitCode' | 'sentAt' | 'ackedAt' | 'finishedAt'> & { hostname: string };

/** A batch as `GET /api/v1/batches/:id` shows it. */
export interface BatchStatus {
  id: string;
  /** the finding a remediation targeted; null for a bulk command */
  findingId: string | null;
  /** the action a bulk command sent to every target; null for a remediation (each Mac got its finding's remedy) */
  action: Action | null;
  filter: DeviceFilter;
  createdBy: string;
  createdAt: Date;
  counts: BatchCounts;
  commands: BatchCommand[];
  skipped: SkippedDevice[];
}

const COUNTED: Record<string, keyof BatchCounts> = {
  queued: 'pending', sent: 'pending', acknowledged: 'pending',
  succeeded: 'succeeded', failed: 'failed', timed_out: 'timedOut', expired: 'expired', cancelled: 'cancelled',
};

/** Counts commands by status into the batch buckets. */
export function countStatuses(statuses: string[]): BatchCounts {
  const counts: BatchCounts = { total: 0, succeeded: 0, failed: 0, pending: 0, timedOut: 0, expired: 0, cancelled: 0 };
  for (const s of statuses) {
    counts.total += 1;
    const bucket = COUNTED[s];
    if (bucket) counts[bucket] += 1;
  }
  return counts;
}

/** What a batch row records besides its plan. */
interface BatchRow { findingId: string | null; action: Action | null; filter: DeviceFilter; actor: string; now: Date }

/**
 * Batches are planned one after the other, on any instance: a later one sees the earlier one's
 * commands in flight and skips those Macs instead of queuing the same command twice. One key for
 * every batch, not one per finding or action type: a remediation and a bulk command may carry the
 * same action (tcc.reset Camera us.zoom.xos), and a remediation's actions are known only once
 * planned. A transaction-scoped advisory lock, released at commit.
 */
async function serialize(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fleetmedic.batch'))`;
}

/**
 * Commands to many Macs at once, sharing a batchId (Command.batchId, CommandBatch row):
 * - a remediation: for every Mac with a finding open, that finding's own remedy;
 * - a bulk command: one action (e.g. agent.collect) to every Mac the device filter matches.
 * Created in one transaction with multi-row INSERTs and their audit rows (`remediation.create` or
 * `batch.create` for the batch, `command.create` with the batchId for each command). Delivery is
 * the caller's job (CommandDispatcher.dispatchBatch). A transaction that meets a deadlock is run
 * again (retryOnConflict).
 */
export class BatchService {
  constructor(private readonly prisma: PrismaClient, private readonly commands: CommandService) {}

  /**
   * A remediation: plans again inside the transaction (the preview may be stale) and queues the
   * commands. 409 when no Mac would get a command (every one skipped, or none has the finding open).
   */
  createRemediation(findingId: string, filter: DeviceFilter, actor: string, onlineCutoff: Date, now = new Date()): Promise<CreatedBatch> {
    return this.create(
      (tx) => planRemediation(tx, findingId, filter, onlineCutoff),
      (plan) => `no Mac to remediate for ${findingId}: ${plan.skipped.length} with the finding open, all skipped; nothing was queued`,
      { findingId, action: null, filter, actor, now }, 'remediation.create',
    );
  }

  /**
   * A bulk command: `action` to every Mac matching `filter` (offline ones get it when they
   * connect, until it expires), except those with the same action still queued, sent or
   * acknowledged. 409 when no Mac would get it.
   */
  createBulkCommand(action: Action, filter: DeviceFilter, actor: string, onlineCutoff: Date, now = new Date()): Promise<CreatedBatch> {
    return this.create(
      (tx) => planBulkCommand(tx, action, filter, onlineCutoff),
      (plan) => `no Mac to send ${action.type} to: ${plan.skipped.length} match the filter, all skipped; nothing was queued`,
      { findingId: null, action, filter, actor, now }, 'batch.create',
    );
  }

  /** Plans under the batch lock and inserts, in one transaction run again on a deadlock; 409 (`nothing`) when the plan has no target. */
  private create(
    plan: (tx: Prisma.TransactionClient) => Promise<BatchPlan>,
    nothing: (plan: BatchPlan) => string,
    batch: BatchRow,
    auditAction: string,
  ): Promise<CreatedBatch> {
    return retryOnConflict(() => this.prisma.$transaction(async (tx) => {
      const t0 = performance.now();
      await serialize(tx);
      const planned = await plan(tx);
      if (planned.targets.length === 0) throw conflict(nothing(planned));
      return this.insert(tx, planned, batch, auditAction, t0);
    }, { timeout: 60_000 }));
  }

  private async insert(
    tx: Prisma.TransactionClient,
    plan: BatchPlan,
    batch: BatchRow,
    auditAction: string,
    startedAt: number,
  ): Promise<CreatedBatch> {
    const { findingId, action, filter, actor, now } = batch;
    const planned = performance.now();
    const batchId = randomUUID();
    await tx.commandBatch.create({
      data: {
        id: batchId,
        findingId,
        action: (action ?? undefined) as Prisma.InputJsonValue | undefined,
        filter: filter as Prisma.InputJsonValue,
        skipped: plan.skipped as unknown as Prisma.InputJsonValue,
        createdBy: actor,
        createdAt: now,
      },
    });
    const commands = await this.commands.insertMany(tx, plan.targets.map((t) => ({ deviceId: t.deviceId, action: t.action, actor, batchId, now })));
    await audit(tx, {
      actor,
      action: auditAction,
      target: `batch:${batchId}`,
      params: {
        ...(findingId ? { findingId } : {}),
        ...(action ? { action: action as unknown as Prisma.InputJsonValue } : {}),
        filter: filter as Prisma.InputJsonValue,
        // each command has its own command.create row with this batchId
        commandCount: commands.length,
        skipped: plan.skipped.map((s) => ({ deviceId: s.deviceId, reason: s.reason })),
      },
    });
    return { batchId, plan, commands, timings: { planMs: Math.round(planned - startedAt), insertMs: Math.round(performance.now() - planned) } };
  }

  /** The batch with its counts and every command (hostname order), or null when unknown. */
  async status(id: string): Promise<BatchStatus | null> {
    const batch = await this.prisma.commandBatch.findUnique({ where: { id } });
    if (!batch) return null;
    const commands = await this.prisma.command.findMany({
      where: { batchId: id },
      select: {
        id: true, deviceId: true, type: true, params: true, status: true, reason: true, exitCode: true, sentAt: true, ackedAt: true, finishedAt: true,
        device: { select: { hostname: true } },
      },
      orderBy: [{ device: { hostname: 'asc' } }, { id: 'asc' }],
    });
    return {
      id: batch.id,
      findingId: batch.findingId,
      action: batch.action as Action | null,
      filter: batch.filter as DeviceFilter,
      createdBy: batch.createdBy,
      createdAt: batch.createdAt,
      counts: countStatuses(commands.map((c) => c.status)),
      commands: commands.map(({ device, ...c }) => ({ ...c, hostname: device.hostname })),
      skipped: batch.skipped as unknown as SkippedDevice[],
    };
  }
}
