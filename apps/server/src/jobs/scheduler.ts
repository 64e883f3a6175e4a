import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { BusLog } from '../cluster/notify-bus.js';

/** A database handle jobs work through: the transaction that holds the job's advisory lock. */
export type JobDb = Prisma.TransactionClient;

/** A job run on a schedule, at most once per interval across all server instances. */
export interface ScheduledJob {
  /** stable name, e.g. "offline-detection": the advisory lock key and the JobRun row derive from it */
  name: string;
  /** how often the job runs fleet-wide, s */
  intervalSeconds: number;
  /** the transaction (and so the lock) is rolled back after this long, s (default 60) */
  timeoutSeconds?: number;
  /** The work, inside the lock's transaction; returns a JSON summary such as `{ offline: 3 }`. */
  run(db: JobDb, now: Date): Promise<Record<string, unknown>>;
}

/** What one attempt did: ran, or skipped because another instance holds the lock or ran it recently. */
export type JobOutcome =
  | { job: string; ran: true; result: Record<string, unknown>; durationMs: number }
  | { job: string; ran: false; reason: 'locked' | 'not-due' };

/** Per-job attempt counters of this instance. */
export interface JobStats { attempts: number; ran: number; locked: number; notDue: number; failed: number }

/** A job is due again once this share of its interval has passed since its last start (anywhere). */
export const DUE_FRACTION = 0.75;

/**
 * The advisory lock key of a job: the first 8 bytes of sha256("fleetmedic.job.<name>") as a
 * signed 64-bit integer (stable across instances and versions; unlikely to meet another
 * application's keys on a shared server).
 */
export function jobLockKey(name: string): bigint {
  return createHash('sha256').update(`fleetmedic.job.${name}`).digest().readBigInt64BE(0);
}

/**
 * Runs `job` once if no other instance is running it and it is due: in one transaction,
 * `pg_try_advisory_xact_lock(jobLockKey(name))` (false: skip, `locked`), then the JobRun row
 * (started less than DUE_FRACTION of the interval ago: skip, `not-due`; `force` ignores this),
 * then the work, then the JobRun row updated. The lock goes with the transaction, so a crashed
 * instance cannot hold it. Throws what the work threw (the transaction is rolled back).
 */
export async function runExclusive(prisma: PrismaClient, job: ScheduledJob, instanceId: string, opts: { now?: Date; force?: boolean } = {}): Promise<JobOutcome> {
  const now = opts.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<Array<{ locked: boolean }>>`SELECT pg_try_advisory_xact_lock(${jobLockKey(job.name)}::bigint) AS locked`;
    if (!lock?.locked) return { job: job.name, ran: false, reason: 'locked' } as const;
    const last = await tx.jobRun.findUnique({ where: { name: job.name } });
    if (!opts.force && last && now.getTime() - last.startedAt.getTime() < job.intervalSeconds * 1000 * DUE_FRACTION) {
      return { job: job.name, ran: false, reason: 'not-due' } as const;
    }
    const started = Date.now();
    const result = await job.run(tx, now);
    const finishedAt = new Date();
    await tx.jobRun.upsert({
      where: { name: job.name },
      create: { name: job.name, startedAt: now, finishedAt, instanceId, runs: 1, result: result as Prisma.InputJsonValue },
      update: { startedAt: now, finishedAt, instanceId, runs: { increment: 1 }, result: result as Prisma.InputJsonValue },
    });
    return { job: job.name, ran: true, result, durationMs: finishedAt.getTime() - started } as const;
  }, { maxWait: 10_000, timeout: (job.timeoutSeconds ?? 60) * 1000 });
}

/** What became of one attempt at a job: it ran, another instance held its lock, it ran recently enough (not due), or it threw. */
export type AttemptOutcome = 'ran' | 'locked' | 'not-due' | 'failed';

/** Scheduler options; `jitter` is the share of the interval each delay varies by (default 0.1). */
export interface SchedulerOptions {
  prisma: PrismaClient;
  instanceId: string;
  log: BusLog;
  jitter?: number;
}

/**
 * Runs jobs on every instance with timers (interval ± jitter, unref'd so they never keep a
 * process alive); runExclusive makes each run once per interval fleet-wide. `stop()` clears the
 * timers and waits for a running job.
 */
export class JobScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly counters = new Map<string, JobStats>();
  private readonly attemptListeners: Array<(job: string, outcome: AttemptOutcome) => void> = [];
  private stopped = true;

  constructor(private readonly opts: SchedulerOptions) {}

  add(job: ScheduledJob): this {
    if (!(job.intervalSeconds > 0)) throw new RangeError(`job ${job.name}: intervalSeconds must be > 0, got ${job.intervalSeconds}`);
    this.jobs.set(job.name, job);
    this.counters.set(job.name, { attempts: 0, ran: 0, locked: 0, notDue: 0, failed: 0 });
    return this;
  }

  /** Calls `listener` after each attempt of a job on this instance with what became of it. */
  onAttempt(listener: (job: string, outcome: AttemptOutcome) => void): void {
    this.attemptListeners.push(listener);
  }

  get names(): string[] {
    return [...this.jobs.keys()];
  }

  /** One attempt now (what a timer tick does). `force` runs it even if it ran recently (still under the lock). */
  async runNow(name: string, opts: { now?: Date; force?: boolean } = {}): Promise<JobOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no scheduled job "${name}"; known: ${this.names.join(', ')}`);
    const stats = this.counters.get(name)!;
    stats.attempts++;
    const attempt = runExclusive(this.opts.prisma, job, this.opts.instanceId, opts);
    this.running.add(attempt);
    try {
      const outcome = await attempt;
      if (outcome.ran) {
        stats.ran++;
        this.opts.log.info({ job: name, ...outcome.result, durationMs: outcome.durationMs }, 'scheduled job ran');
      } else if (outcome.reason === 'locked') stats.locked++;
      else stats.notDue++;
      this.told(name, outcome.ran ? 'ran' : outcome.reason);
      return outcome;
    } catch (err) {
      stats.failed++;
      this.told(name, 'failed');
      throw err;
    } finally {
      this.running.delete(attempt);
    }
  }

  private told(job: string, outcome: AttemptOutcome): void {
    for (const listener of this.attemptListeners) listener(job, outcome);
  }

  /** Attempt counters per job name (this instance only). */
  stats(): Record<string, JobStats> {
    return Object.fromEntries([...this.counters].map(([name, s]) => [name, { ...s }]));
  }

  /**
   * Makes a first attempt at every job now (skipped where another instance ran it recently),
   * then one per interval ± jitter. Resolves when the first attempts are done; never rejects
   * (failures are logged).
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await Promise.all([...this.jobs.values()].map((job) => this.attempt(job)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /** One attempt, then the next one scheduled (unless stopped). */
  private async attempt(job: ScheduledJob): Promise<void> {
    try {
      await this.runNow(job.name);
    } catch (err) {
      this.opts.log.error({ err, job: job.name }, 'scheduled job failed');
    }
    if (this.stopped) return;
    const timer = setTimeout(() => void this.attempt(job), this.nextDelayMs(job));
    timer.unref();
    this.timers.set(job.name, timer);
  }

  private nextDelayMs(job: ScheduledJob): number {
    const jitter = this.opts.jitter ?? 0.1;
    return job.intervalSeconds * 1000 * (1 + jitter * (Math.random() * 2 - 1));
  }
}
