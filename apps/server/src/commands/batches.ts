import { randomUUID } from 'node:crypto';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { conflict } from '../errors.js';
import type { DeviceFilter } from '../routes/device-filter.js';
import { planRemediation, type RemediationPlan, type SkippedDevice } from './remediation-plan.js';
import type { CommandService } from './service.js';

/** A created bulk remediation: its id, the plan it carried out, and one command per target (same order). */
export interface CreatedBatch {
  batchId: string;
  plan: RemediationPlan;
  commands: Command[];
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

/** A batch as `GET /api/v1/batches/:id` shows it. */
export interface BatchStatus {
  id: string;
  findingId: string;
  filter: DeviceFilter;
  createdBy: string;
  createdAt: Date;
  counts: BatchCounts;
  commands: (Command & { hostname: string })[];
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

/**
 * Bulk remediation by finding: one command per target Mac sharing a batchId (Command.batchId,
 * CommandBatch row), created in one transaction with its audit rows (`remediation.create` for
 * the batch, `command.create` with the batchId for each command). Delivery is the caller's job.
 */
export class BatchService {
  constructor(private readonly prisma: PrismaClient, private readonly commands: CommandService) {}

  /**
   * Plans again inside the transaction (the preview may be stale) and queues the commands.
   * 409 when no Mac would get a command (every one skipped, or none has the finding open).
   */
  async create(findingId: string, filter: DeviceFilter, actor: string, onlineCutoff: Date, now = new Date()): Promise<CreatedBatch> {
    return this.prisma.$transaction(async (tx) => {
      const plan = await planRemediation(tx, findingId, filter, onlineCutoff);
      if (plan.targets.length === 0) {
        throw conflict(`no Mac to remediate for ${findingId}: ${plan.skipped.length} with the finding open, all skipped; nothing was queued`);
      }
      const batchId = randomUUID();
      await tx.commandBatch.create({
        data: {
          id: batchId,
          findingId,
          filter: filter as Prisma.InputJsonValue,
          skipped: plan.skipped as unknown as Prisma.InputJsonValue,
          createdBy: actor,
          createdAt: now,
        },
      });
      const commands: Command[] = [];
      for (const t of plan.targets) commands.push(await this.commands.insert(tx, { deviceId: t.deviceId, action: t.action, actor, batchId, now }));
      await audit(tx, {
        actor,
        action: 'remediation.create',
        target: `batch:${batchId}`,
        params: {
          findingId,
          filter: filter as Prisma.InputJsonValue,
          commands: commands.map((c) => ({ commandId: c.id, deviceId: c.deviceId, type: c.type })),
          skipped: plan.skipped.map((s) => ({ deviceId: s.deviceId, reason: s.reason })),
        },
      });
      return { batchId, plan, commands };
    }, { timeout: 60_000 });
  }

  /** The batch with its counts and every command (hostname order), or null when unknown. */
  async status(id: string): Promise<BatchStatus | null> {
    const batch = await this.prisma.commandBatch.findUnique({ where: { id } });
    if (!batch) return null;
    const commands = await this.prisma.command.findMany({
      where: { batchId: id },
      include: { device: { select: { hostname: true } } },
      orderBy: [{ device: { hostname: 'asc' } }, { id: 'asc' }],
    });
    return {
      id: batch.id,
      findingId: batch.findingId,
      filter: batch.filter as DeviceFilter,
      createdBy: batch.createdBy,
      createdAt: batch.createdAt,
      counts: countStatuses(commands.map((c) => c.status)),
      commands: commands.map(({ device, ...c }) => ({ ...c, hostname: device.hostname })),
      skipped: batch.skipped as unknown as SkippedDevice[],
    };
  }
}
