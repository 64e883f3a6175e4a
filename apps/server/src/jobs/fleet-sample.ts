import type { Prisma } from '../generated/prisma/client.js';
import { countFleet } from '../fleet/summary.js';
import type { JobDb, ScheduledJob } from './scheduler.js';

/** The counts one sample recorded, and how many old samples it deleted. */
export type SampleOutcome = { total: number; cannotJoin: number; unknown: number; atRisk: number; ready: number; offline: number; deleted: number };

/**
 * Records one FleetSample row at `now` with the counts of GET /api/v1/fleet/summary (countFleet;
 * `findings` as `{ [findingId]: devices }`), then deletes samples taken before `retentionDays`
 * days ago. An empty fleet (a new server) is not sampled: the trend starts with the fleet.
 */
export async function recordFleetSample(db: JobDb, offlineAfterSeconds: number, retentionDays: number, now: Date): Promise<SampleOutcome> {
  const c = await countFleet(db, offlineAfterSeconds, now);
  const findings: Record<string, number> = Object.fromEntries(c.findings.map((f) => [f.id, f.devices]));
  const counts = { total: c.total, cannotJoin: c.cannotJoin, unknown: c.unknown, atRisk: c.atRisk, ready: c.ready, offline: c.offline };
  if (c.total === 0) return { ...counts, deleted: 0 };
  await db.fleetSample.create({ data: { at: now, ...counts, findings: findings as Prisma.InputJsonObject } });
  const { count: deleted } = await db.fleetSample.deleteMany({ where: { at: { lt: new Date(now.getTime() - retentionDays * 86_400_000) } } });
  return { ...counts, deleted };
}

/** The fleet-sample job: every `intervalSeconds` (s), recordFleetSample — the overview's trend. */
export function fleetSampleJob(offlineAfterSeconds: number, retentionDays: number, intervalSeconds: number): ScheduledJob {
  if (!(retentionDays > 0)) throw new RangeError(`retentionDays must be > 0, got ${retentionDays}`);
  return { name: 'fleet-sample', intervalSeconds, run: (db, now) => recordFleetSample(db, offlineAfterSeconds, retentionDays, now) };
}

/** What one arrival check saw: devices enrolled and devices that have reported, and whether it sampled. */
export type ArrivalOutcome = { total: number; reported: number; sampled: boolean };

/**
 * The arrival sampler, so the trend starts with the fleet instead of 15 minutes later: every
 * `intervalSeconds` (s) it counts the devices enrolled and those that have reported at least once,
 * and records a fleet sample (recordFleetSample) when either number differs from its previous run
 * (kept in its JobRun result) — a Mac enrolled, reported for the first time, or was deleted. An
 * unchanged fleet costs two counts and writes no sample; the regular fleet-sample job goes on.
 */
export function fleetArrivalSampleJob(offlineAfterSeconds: number, retentionDays: number, intervalSeconds: number): ScheduledJob {
  const name = 'fleet-arrival-sample';
  return {
    name,
    intervalSeconds,
    async run(db, now): Promise<ArrivalOutcome> {
      const [total, reported, last] = await Promise.all([
        db.device.count(),
        db.device.count({ where: { lastReportAt: { not: null } } }),
        db.jobRun.findUnique({ where: { name }, select: { result: true } }),
      ]);
      const before = last?.result as Partial<ArrivalOutcome> | null | undefined;
      const changed = total > 0 && (before?.total !== total || before?.reported !== reported);
      if (changed) await recordFleetSample(db, offlineAfterSeconds, retentionDays, now);
      return { total, reported, sampled: changed };
    },
  };
}
