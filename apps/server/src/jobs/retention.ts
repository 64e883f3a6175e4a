import { pruneAuthFailures } from '../auth/failure-limit.js';
import type { JobDb, ScheduledJob } from './scheduler.js';

/** Rows deleted per table per run: a large first backlog is worked off over several runs. */
export const RETENTION_BATCH = 50_000;

/**
 * History rows older than the cutoff, except the newest of each group: the history always tells
 * how a section (a finding) came to be what it is now, however long ago that was.
 * (`ctid = ANY(ARRAY(...))` deletes by row address, a TID scan.)
 */
const deleteOlderKeepingNewest = (db: JobDb, table: string, at: string, group: string[], cutoff: Date, batch: number) => db.$executeRawUnsafe(`
  DELETE FROM "${table}" WHERE ctid = ANY(ARRAY(
    SELECT old.ctid FROM "${table}" old
    WHERE old."${at}" < $1::timestamp(3)
      AND EXISTS (SELECT 1 FROM "${table}" newer
                  WHERE ${group.map((g) => `newer."${g}" = old."${g}"`).join(' AND ')}
                    AND (newer."${at}", newer.id) > (old."${at}", old.id))
    LIMIT $2))`, cutoff.toISOString(), batch);

/**
 * Deletes history older than `retentionDays`: SectionChange rows changed before the cutoff except
 * the latest change of each (device, section); FindingTransition rows before the cutoff except the
 * latest of each finding; Report rows (kept only for reports that changed something) received
 * before the cutoff — a redelivery is known by Device.lastReportId, not by them. At most `batch`
 * rows per table per run. Returns `{ sectionChanges, findingTransitions, reports, cutoff (ISO),
 * more }`: `more` when a batch was full.
 */
export async function deleteOldHistory(db: JobDb, retentionDays: number, now: Date, batch = RETENTION_BATCH): Promise<{ sectionChanges: number; findingTransitions: number; reports: number; cutoff: string; more: boolean }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const sectionChanges = await deleteOlderKeepingNewest(db, 'SectionChange', 'changedAt', ['deviceId', 'section'], cutoff, batch);
  const findingTransitions = await deleteOlderKeepingNewest(db, 'FindingTransition', 'at', ['findingId'], cutoff, batch);
  const reports = await db.$executeRaw`
    DELETE FROM "Report" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "Report" WHERE "receivedAt" < ${cutoff} LIMIT ${batch}))`;
  return { sectionChanges, findingTransitions, reports, cutoff: cutoff.toISOString(), more: [sectionChanges, findingTransitions, reports].some((n) => n === batch) };
}

/**
 * The retention job: every `intervalSeconds`, deleteOldHistory with `retentionDays`, and the
 * failed-authentication counts whose `authFailureWindowSeconds` window ended (pruneAuthFailures).
 * Its result adds `authFailures` (rows deleted) to deleteOldHistory's.
 */
export function retentionJob(retentionDays: number, intervalSeconds: number, authFailureWindowSeconds: number): ScheduledJob {
  if (!(retentionDays > 0)) throw new RangeError(`retentionDays must be > 0, got ${retentionDays}`);
  return {
    name: 'retention', intervalSeconds, timeoutSeconds: 300,
    run: async (db, now) => ({ ...await deleteOldHistory(db, retentionDays, now), authFailures: await pruneAuthFailures(db, authFailureWindowSeconds, now) }),
  };
}
