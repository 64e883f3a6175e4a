import { pruneAuthFailures } from '../auth/failure-limit.js';
import type { JobDb, ScheduledJob } from './scheduler.js';

/** Rows deleted per table per run: a large first backlog is worked off over several runs. */
export const RETENTION_BATCH = 50_000;

/**
 * Deletes history older than `retentionDays`: SectionChange rows changed before the cutoff,
 * except the latest change of each (device, section) — the history always tells how a section
 * came to be what it is now; Report rows (report ids kept for at-least-once dedup) received
 * before the cutoff, except each device's latest. At most `batch` rows per table per run.
 * (`ctid = ANY(ARRAY(...))` deletes by row address, a TID scan.)
 * Returns `{ sectionChanges, reports, cutoff (ISO), more }`: `more` when a batch was full.
 */
export async function deleteOldHistory(db: JobDb, retentionDays: number, now: Date, batch = RETENTION_BATCH): Promise<{ sectionChanges: number; reports: number; cutoff: string; more: boolean }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const sectionChanges = await db.$executeRaw`
    DELETE FROM "SectionChange" WHERE ctid = ANY(ARRAY(
      SELECT old.ctid FROM "SectionChange" old
      WHERE old."changedAt" < ${cutoff}
        AND EXISTS (SELECT 1 FROM "SectionChange" newer
                    WHERE newer."deviceId" = old."deviceId" AND newer."section" = old."section"
                      AND (newer."changedAt", newer."id") > (old."changedAt", old."id"))
      LIMIT ${batch}))`;
  const reports = await db.$executeRaw`
    DELETE FROM "Report" WHERE ctid = ANY(ARRAY(
      SELECT old.ctid FROM "Report" old
      WHERE old."receivedAt" < ${cutoff}
        AND EXISTS (SELECT 1 FROM "Report" newer
                    WHERE newer."deviceId" = old."deviceId"
                      AND (newer."receivedAt", newer."id") > (old."receivedAt", old."id"))
      LIMIT ${batch}))`;
  return { sectionChanges, reports, cutoff: cutoff.toISOString(), more: sectionChanges === batch || reports === batch };
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
