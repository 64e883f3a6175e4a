import { TERMINAL_COMMAND_STATUSES } from '@fleetmedic/protocol';
import { pruneAuthFailures } from '../auth/failure-limit.js';
import type { JobDb, ScheduledJob } from './scheduler.js';

/** Rows deleted per table per run: a large first backlog is worked off over several runs. */
export const RETENTION_BATCH = 50_000;

/** How long rows are kept, days (each > 0). */
export interface RetentionDays {
  /** SectionChange, FindingTransition, Report, finished Command and emptied CommandBatch rows */
  history: number;
  /** AuditLog and HostnameChange rows: records of who did what, and of every name a Mac took */
  audit: number;
}

/** What one retention run deleted: rows per table, the cutoffs (ISO), and `more` when a batch was full. */
export interface RetentionOutcome {
  sectionChanges: number;
  findingTransitions: number;
  reports: number;
  commands: number;
  commandBatches: number;
  auditLogs: number;
  hostnameChanges: number;
  cutoff: string;
  auditCutoff: string;
  more: boolean;
}

/**
 * History rows older than the cutoff, except the newest of each group: the history always tells
 * how a section (a finding, a Mac's name) came to be what it is now, however long ago that was.
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
 * Commands in a final status (TERMINAL_COMMAND_STATUSES) whose expiry and finish both lie before
 * the cutoff. A timed-out, expired or cancelled command can still take a late result, and the
 * agent re-sends an answer the server could not store for as long as it remembers the id (until a
 * day past expiresAt: ExecutedStore), so expiresAt must be before the cutoff too (with the
 * environment's whole days, a day or more ago). A result arriving later still is acked and logged
 * as one for an unknown command, nothing else.
 * A queued, sent or acknowledged row is never deleted (the expiry job finishes it first).
 */
const deleteFinishedCommands = (db: JobDb, cutoff: Date, batch: number) => db.$executeRaw`
  DELETE FROM "Command" WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM "Command"
    WHERE "expiresAt" < ${cutoff} AND COALESCE("finishedAt", "expiresAt") < ${cutoff} AND status = ANY(${TERMINAL_COMMAND_STATUSES}::text[])
    LIMIT ${batch}))`;

/**
 * Batches made before the cutoff that have no command left (retention or device deletion took
 * them): a batch page of zero commands tells nothing the audit log does not. A batch's commands
 * are created with it, in one transaction.
 */
const deleteEmptiedBatches = (db: JobDb, cutoff: Date, batch: number) => db.$executeRaw`
  DELETE FROM "CommandBatch" WHERE ctid = ANY(ARRAY(
    SELECT b.ctid FROM "CommandBatch" b
    WHERE b."createdAt" < ${cutoff} AND NOT EXISTS (SELECT 1 FROM "Command" c WHERE c."batchId" = b.id)
    LIMIT ${batch}))`;

/**
 * Deletes rows that grow with time, at most `batch` per table:
 * - before `days.history` days ago: SectionChange rows except the latest change of each (device,
 *   section); FindingTransition rows except the latest of each finding; Report rows (kept only for
 *   reports that changed something; a redelivery is known by Device.lastReportId, not by them);
 *   finished commands (deleteFinishedCommands), then batches left without commands — after which
 *   GET /api/v1/commands/:id answers 404 and the audit log keeps the `command.create` record;
 * - before `days.audit` days ago: AuditLog rows, and HostnameChange rows except each device's latest.
 * One consequence: a succeeded tcc.reset older than the history cutoff no longer puts a finding in
 * awaiting-consent (planReconcile) nor shows as the device's lastTccResetAt; the agent re-collects
 * right after a reset, so only a Mac silent for the whole retention meets it.
 * FleetSample rows are deleted by the fleet-sample job itself; AuthFailure rows by the retention job.
 */
export async function deleteOldRows(db: JobDb, days: RetentionDays, now: Date, batch = RETENTION_BATCH): Promise<RetentionOutcome> {
  const cutoff = new Date(now.getTime() - days.history * 86_400_000);
  const auditCutoff = new Date(now.getTime() - days.audit * 86_400_000);
  const counts = {
    sectionChanges: await deleteOlderKeepingNewest(db, 'SectionChange', 'changedAt', ['deviceId', 'section'], cutoff, batch),
    findingTransitions: await deleteOlderKeepingNewest(db, 'FindingTransition', 'at', ['findingId'], cutoff, batch),
    reports: await db.$executeRaw`
      DELETE FROM "Report" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "Report" WHERE "receivedAt" < ${cutoff} LIMIT ${batch}))`,
    commands: await deleteFinishedCommands(db, cutoff, batch),
    commandBatches: await deleteEmptiedBatches(db, cutoff, batch),
    auditLogs: await db.$executeRaw`
      DELETE FROM "AuditLog" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "AuditLog" WHERE at < ${auditCutoff} LIMIT ${batch}))`,
    hostnameChanges: await deleteOlderKeepingNewest(db, 'HostnameChange', 'changedAt', ['deviceId'], auditCutoff, batch),
  };
  return { ...counts, cutoff: cutoff.toISOString(), auditCutoff: auditCutoff.toISOString(), more: Object.values(counts).some((n) => n === batch) };
}

/** What the retention job needs: RetentionDays as config names them, its interval and the auth-failure window, s. */
export interface RetentionJobOptions {
  retentionDays: number;
  auditRetentionDays: number;
  intervalSeconds: number;
  authFailureWindowSeconds: number;
}

/**
 * The retention job: every `intervalSeconds`, deleteOldRows, and the failed-authentication counts
 * whose `authFailureWindowSeconds` window ended (pruneAuthFailures). Its result adds
 * `authFailures` (rows deleted) to deleteOldRows's. RangeError for a retention of 0 days or less.
 */
export function retentionJob(o: RetentionJobOptions): ScheduledJob {
  if (!(o.retentionDays > 0)) throw new RangeError(`retentionDays must be > 0, got ${o.retentionDays}`);
  if (!(o.auditRetentionDays > 0)) throw new RangeError(`auditRetentionDays must be > 0, got ${o.auditRetentionDays}`);
  const days = { history: o.retentionDays, audit: o.auditRetentionDays };
  return {
    name: 'retention', intervalSeconds: o.intervalSeconds, timeoutSeconds: 300,
    run: async (db, now) => ({ ...await deleteOldRows(db, days, now), authFailures: await pruneAuthFailures(db, o.authFailureWindowSeconds, now) }),
  };
}
