import { randomUUID } from 'node:crypto';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { retryOnConflict } from '../db/retry.js';
import type { Database } from '../db/client.js';
import { ServiceError, conflict } from '../errors.js';
import type { DeviceFilter } from '../devices/filter.js';
import type { Action, RemediationScope } from '@fleetmedic/protocol';
import { planBulkCommand, planRemediation, type BatchPlan } from './batch-plan.js';
import type { CommandDispatcher } from './dispatcher.js';
import type { CommandService } from './service.js';

/** A created batch: its id, the plan it carried out, and one command per target (same order). */
export interface CreatedBatch {
  batchId: string;
  plan: BatchPlan;
  commands: Command[];
  /**
   * ms: planning; inserting (from the plan to the last chunk committed, the first chunks being
   * delivered meanwhile); delivering what was left after the last commit
   */
  timings: { planMs: number; insertMs: number; deliverMs: number };
  /** errors of chunk deliveries that failed (their commands stay queued for the Macs' next connect); empty when all went out */
  undelivered: unknown[];
}

/** What a batch row records besides its plan. */
interface BatchRow { findingId: string | null; action: Action | null; filter: DeviceFilter; actor: string; now: Date }

/**
 * Batches are planned one after the other, on any instance: a later one sees the earlier one's
 * commands in flight and skips those Macs instead of queuing the same command twice. One key for
 * every batch, not one per finding or action type: a remediation and a bulk command may carry the
 * same action (tcc.reset Camera us.zoom.xos), and a remediation's actions are known only once
 * planned. A transaction-scoped advisory lock, held by a transaction that does nothing else while
 * the batch plans and commits its chunks in transactions of their own.
 */
async function serialize(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fleetmedic.batch'))`;
}

/** Commands per committed chunk: one INSERT of ~2 MB of JSON, delivered while the next one is inserted. */
export const BATCH_CHUNK = 5000;
/** The lock-holding transaction gives up after this long (ms); a batch of 20,000 takes seconds. */
const LOCK_TIMEOUT_MS = 600_000;
/** Waiting for a pool connection to start a transaction (ms; Prisma's default is 2 s, too short under load). */
const MAX_WAIT_MS = 30_000;

/** The last batch of each client in this process: the next one starts when it has settled. */
const turns = new WeakMap<PrismaClient, Promise<unknown>>();

/** Runs `work` after every batch started before it on this client in this process has finished. */
function inTurn<T>(client: PrismaClient, work: () => Promise<T>): Promise<T> {
  const run = (turns.get(client) ?? Promise.resolve()).then(work);
  turns.set(client, run.catch(() => undefined));
  return run;
}

/** Who delivers each committed chunk: the CommandDispatcher (or a benchmark's in-memory sinks). */
export type BatchDelivery = Pick<CommandDispatcher, 'dispatchBatch'>;

/**
 * Commands to many Macs at once, sharing a batchId (Command.batchId, CommandBatch row):
 * - a remediation: for every Mac with a finding open, that finding's own remedy;
 * - a bulk command: one action (e.g. agent.collect) to every Mac the device filter matches.
 * Planned, then committed in chunks of `chunkSize` commands with their audit rows (the first
 * chunk's transaction also holds the CommandBatch row and the batch's `remediation.create` or
 * `batch.create` audit row; each command has its `command.create` row with the batchId). Each
 * chunk goes to `delivery` as soon as it is committed, so the first Macs have their command while
 * later chunks are still inserted. Statements run on the command path's client
 * (CommandService.prisma); a transaction or statement that meets a deadlock is run again
 * (retryOnConflict). `kind`: on PGlite (one session, one process) batches take turns in the
 * process; on Postgres they also hold the cross-instance advisory lock (`serialize`).
 */
export class BatchService {
  private readonly prisma: PrismaClient;

  constructor(
    private readonly commands: CommandService,
    private readonly delivery: BatchDelivery,
    private readonly kind: Database['kind'],
    private readonly chunkSize = BATCH_CHUNK,
  ) {
    this.prisma = commands.prisma;
  }

  /**
   * A remediation: plans again under the batch lock (the preview may be stale) and queues the
   * commands that stay inside `scope` (the policy's remediation scope);   * commands. 409 when no Mac would get a command (every one skipped, or none has the finding open).
   * Resolves once every chunk is committed and delivered to the connected targets.
   */
  createRemediation(findingId: string, filter: DeviceFilter, actor: string, onlineCutoff: Date, scope: RemediationScope, now = new Date()): Promise<CreatedBatch> {
    return this.create(
      (db) => planRemediation(db, findingId, filter, onlineCutoff, scope),
      (plan) => `no Mac to remediate for ${findingId}: ${plan.skipped.length} with the finding open, all skipped; nothing was queued`,
      { findingId, action: null, filter, actor, now }, 'remediation.create',
    );
  }

  /**
   * A bulk command: `action` to every Mac matching `filter` (offline ones get it when they
   * connect, until it expires), except those with the same action still queued, sent or
   * acknowledged. 409 when no Mac would get it. Resolves once every chunk is committed and
   * delivered to the connected targets.
   */
  createBulkCommand(action: Action, filter: DeviceFilter, actor: string, onlineCutoff: Date, now = new Date()): Promise<CreatedBatch> {
    return this.create(
      (db) => planBulkCommand(db, action, filter, onlineCutoff),
      (plan) => `no Mac to send ${action.type} to: ${plan.skipped.length} match the filter, all skipped; nothing was queued`,
      { findingId: null, action, filter, actor, now }, 'batch.create',
    );
  }

  /**
   * Plans and commits under the batch lock, delivering each chunk once committed; waits for the
   * deliveries after releasing the lock. 409 (`nothing`) when the plan has no target. When a chunk
   * after the first fails, the chunks before it stay queued (and delivered): ServiceError `batch-incomplete` (500)
   * `batch-incomplete` says how many, and a `batch.incomplete` audit row records it.
   */
  private async create(
    plan: (db: Prisma.TransactionClient) => Promise<BatchPlan>,
    nothing: (plan: BatchPlan) => string,
    batch: BatchRow,
    auditAction: string,
  ): Promise<CreatedBatch> {
    const { created, delivered } = await this.locked(async () => {
      const started = performance.now();
      const planned = await plan(this.prisma);
      if (planned.targets.length === 0) throw conflict(nothing(planned));
      const planMs = Math.round(performance.now() - started);
      return this.insert(planned, batch, auditAction, planMs);
    });
    const committed = performance.now();
    const undelivered = await delivered;
    return { ...created, undelivered, timings: { ...created.timings, deliverMs: Math.round(performance.now() - committed) } };
  }

  /**
   * Runs `work` holding the batch lock: in turn with the other batches of this process, and on
   * Postgres inside a transaction holding the advisory lock (`serialize`) while `work` runs its
   * own transactions on other connections of the pool. A lock transaction that fails after `work`
   * succeeded (its timeout) does not undo what `work` committed: `work`'s result stands.
   */
  private locked<T>(work: () => Promise<T>): Promise<T> {
    if (this.kind === 'pglite') return inTurn(this.prisma, work);
    return inTurn(this.prisma, async () => {
      let done: { value: T } | undefined;
      try {
        await this.prisma.$transaction(async (tx) => {
          await serialize(tx);
          done = { value: await work() };
        }, { timeout: LOCK_TIMEOUT_MS, maxWait: MAX_WAIT_MS });
      } catch (err) {
        if (!done) throw err;
      }
      return done!.value;
    });
  }

  /**
   * Inserts the batch chunk by chunk: the first chunk's transaction also writes the CommandBatch
   * row and the batch's audit row; each committed chunk is handed to `delivery` (one delivery at a
   * time, in order, while the next chunk is inserted). `delivered` resolves with the errors of
   * failed deliveries (their commands stay queued and go out at the Mac's next connect).
   */
  private async insert(
    plan: BatchPlan,
    batch: BatchRow,
    auditAction: string,
    planMs: number,
  ): Promise<{ created: Omit<CreatedBatch, 'undelivered'>; delivered: Promise<unknown[]> }> {
    const { actor, now } = batch;
    const t0 = performance.now();
    const batchId = randomUUID();
    // Random ids, sorted and handed out in the plan's (hostname) order: a batch's pages go in id
    // order (stable when a Mac is renamed mid-walk) and that order is the plan's, not chance's.
    const ids = plan.targets.map(() => randomUUID()).sort();
    const rows = plan.targets.map((t, i) => this.commands.row({ deviceId: t.deviceId, action: t.action, actor, batchId, now, id: ids[i] }));
    const failures: unknown[] = [];
    let delivering = Promise.resolve();
    let queued = 0;
    try {
      for (let i = 0; i < rows.length; i += this.chunkSize) {
        const chunk = rows.slice(i, i + this.chunkSize);
        if (i === 0) {
          await retryOnConflict(() => this.prisma.$transaction(async (tx) => {
            await this.writeBatch(tx, batchId, plan, batch, auditAction, rows.length);
            await this.commands.insertRows(tx, chunk);
          }, { timeout: 60_000, maxWait: MAX_WAIT_MS }));
        } else {
          await retryOnConflict(() => this.commands.insertRows(this.prisma, chunk));
        }
        queued += chunk.length;
        delivering = delivering.then(() => this.delivery.dispatchBatch(batchId, chunk)).catch((err: unknown) => void failures.push(err));
      }
    } catch (err) {
      if (queued === 0) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      await audit(this.prisma, {
        actor, action: 'batch.incomplete', target: `batch:${batchId}`, params: { queued, planned: rows.length, error: reason.slice(0, 2000) },
      }).catch(() => {}); // the answer below says it all the same
      throw new ServiceError('batch-incomplete', `batch ${batchId}: ${queued} of ${rows.length} commands were queued and go out to their Macs; `
        + `queuing the other ${rows.length - queued} failed (${reason.slice(0, 500)}). GET /api/v1/batches/${batchId} lists what was queued.`);
    }
    return {
      created: { batchId, plan, commands: rows, timings: { planMs, insertMs: Math.round(performance.now() - t0), deliverMs: 0 } },
      delivered: delivering.then(() => failures),
    };
  }

  /** The CommandBatch row and the batch's own audit row (`commandCount`: the commands it queues). */
  private async writeBatch(tx: Prisma.TransactionClient, batchId: string, plan: BatchPlan, batch: BatchRow, auditAction: string, commandCount: number): Promise<void> {
    const { findingId, action, filter, actor, now } = batch;
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
    await audit(tx, {
      actor,
      action: auditAction,
      target: `batch:${batchId}`,
      params: {
        ...(findingId ? { findingId } : {}),
        ...(action ? { action: action as unknown as Prisma.InputJsonValue } : {}),
        filter: filter as Prisma.InputJsonValue,
        // each command has its own command.create row with this batchId
        commandCount,
        skipped: plan.skipped.map((s) => ({ deviceId: s.deviceId, reason: s.reason })),
      },
    });
  }
}
