import type { Policy } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';
import { retryOnConflict } from '../db/retry.js';
import { GroupCommit, storeEachAloneOnFailure, type Waiting } from '../db/group-commit.js';
import { contentHash } from './canonical-json.js';
import { fastPathIngest } from './fast-path.js';
import { fullPathIngest } from './full-path.js';
import { ingestReport, type IngestOutcome } from './ingest.js';
import { stateFingerprint, type PreparedReport } from './prepare.js';

/** Counters since start, for the benchmark and for logs. */
export interface IngestStats {
  /** batches flushed, and the reports they held */
  batches: number;
  reports: number;
  /** reports stored by the one-statement fast path (nothing changed) */
  unchanged: number;
  /** reports stored by the full ingest (something changed, first report, stale) */
  full: number;
  /** full-ingest transactions run (each holds at most FULL_PATH_CHUNK reports) */
  fullTransactions: number;
  duplicate: number;
  resync: number;
  /** largest batch flushed */
  maxBatch: number;
  /** report messages received whole / as deltas, and their text bytes */
  wholeMessages: number;
  wholeBytes: number;
  deltaMessages: number;
  deltaBytes: number;
}

export interface BatcherOptions {
  /** most reports per batch (default 500) */
  maxBatch?: number;
  /** batches in flight at once (default 2; each takes one database connection, full ingests one more) */
  concurrency?: number;
  /** the policy in force, read once per batch */
  policy: () => Promise<Policy>;
}

/**
 * Most changed reports in one full-ingest transaction. Diagnosing a report and building its rows is
 * synchronous work; 500 in one go kept the event loop, and the Device rows the
 * transaction locks, from commands and acks for seconds on a loaded machine. 50 keep each slice short
 * and the commits few.
 */
export const FULL_PATH_CHUNK = 50;

/** A report waiting to be stored for its device. */
interface Submitted {
  deviceId: string;
  report: PreparedReport;
}

type Pending = Waiting<Submitted, IngestOutcome>;

/**
 * Group commit for reports (GroupCommit). Reports wait while `concurrency` batches are in flight
 * and go together in the next one, so under load one statement (one WAL flush) stores hundreds of
 * unchanged reports, and a lone report is not delayed at all. In each batch, reports whose state
 * fingerprint equals their device's stored one take the fast path (fastPathIngest, one
 * statement) and are answered at once; the others take the full ingest (fullPathIngest, one
 * transaction per FULL_PATH_CHUNK of them). Each submit resolves after its report committed — the
 * caller acks then.
 */
export class IngestBatcher {
  private readonly writer: GroupCommit<Submitted, IngestOutcome>;
  private queuedBytes = 0;
  readonly stats: IngestStats = { batches: 0, reports: 0, unchanged: 0, full: 0, fullTransactions: 0, duplicate: 0, resync: 0, maxBatch: 0, wholeMessages: 0, wholeBytes: 0, deltaMessages: 0, deltaBytes: 0 };

  constructor(private readonly prisma: PrismaClient, private readonly opts: BatcherOptions) {
    this.writer = new GroupCommit((batch) => this.flush(batch), { maxBatch: opts.maxBatch ?? 500, concurrency: opts.concurrency ?? 2 });
  }

  /** Reports submitted and not yet committed. */
  get backlog(): number {
    return this.writer.backlog;
  }

  /** Message text bytes of the reports submitted and not yet committed (or failed). */
  get backlogBytes(): number {
    return this.queuedBytes;
  }

  /** Stores `report` for `deviceId`; resolves after commit. */
  submit(deviceId: string, report: PreparedReport): Promise<IngestOutcome> {
    if (report.full) {
      this.stats.wholeMessages += 1;
      this.stats.wholeBytes += report.bytes ?? 0;
    } else {
      this.stats.deltaMessages += 1;
      this.stats.deltaBytes += report.bytes ?? 0;
    }
    this.queuedBytes += report.bytes ?? 0;
    return this.writer.submit({ deviceId, report }).finally(() => {
      this.queuedBytes -= report.bytes ?? 0;
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    const s = this.stats;
    s.batches += 1;
    s.reports += batch.length;
    s.maxBatch = Math.max(s.maxBatch, batch.length);
    const now = new Date();
    // A throw here rejects the whole batch (GroupCommit): nothing in it was stored.
    const policy = await this.opts.policy();
    const policyHash = contentHash(policy);
    const fast = await retryOnConflict(() => fastPathIngest(this.prisma, batch.map((p) => ({
      deviceId: p.item.deviceId,
      reportId: p.item.report.reportId,
      collectedAt: p.item.report.collectedAt,
      stateHash: stateFingerprint(p.item.report, policyHash),
      sectionsKey: p.item.report.sectionsKey,
    })), now));
    const misses: Pending[] = [];
    batch.forEach((p, i) => {
      if (fast[i] === 'miss') return misses.push(p);
      if (fast[i] === 'unchanged') s.unchanged += 1;
      else s.duplicate += 1;
      p.resolve({ kind: fast[i] as 'unchanged' | 'duplicate' });
    });
    // The rest in full-ingest transactions of at most FULL_PATH_CHUNK reports (a device at most once in each).
    let rest = misses;
    while (rest.length > 0) {
      const round: Pending[] = [];
      const later: Pending[] = [];
      const devices = new Set<string>();
      for (const p of rest) (devices.has(p.item.deviceId) || round.length >= FULL_PATH_CHUNK ? later : (devices.add(p.item.deviceId), round)).push(p);
      await this.full(round, policy, now);
      rest = later;
    }
  }

  /** One full-ingest transaction for `round`; when it fails, each report alone, so only a bad one fails. */
  private async full(round: Pending[], policy: Policy, now: Date): Promise<void> {
    const s = this.stats;
    s.fullTransactions += 1;
    const counted = round.map((p): Pending => ({
      item: p.item,
      reject: p.reject,
      resolve: (outcome) => {
        if (outcome.kind === 'duplicate') s.duplicate += 1;
        else if (outcome.kind === 'resync') s.resync += 1;
        else if (outcome.kind === 'unchanged') s.unchanged += 1;
        else s.full += 1;
        p.resolve(outcome);
      },
    }));
    await storeEachAloneOnFailure(
      (reports: Submitted[]) => retryOnConflict(() => fullPathIngest(this.prisma, reports, policy, now)),
      (report) => ingestReport(this.prisma, { ...report, policy, now }),
    )(counted);
  }
}
