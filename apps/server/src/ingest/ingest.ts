import type { Policy, SectionName, Snapshot } from '@fleetmedic/protocol';
import { diagnoseWithErrors } from '@fleetmedic/diagnosis';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { deviceSummary } from './device-summary.js';
import { reconcileFindings, type ReconcileOutcome } from './reconcile.js';
import { storeSections } from './sections.js';

/** Device.health: problems when a finding is open, else unknown when a section could not be judged, else healthy. */
export type DeviceHealth = 'healthy' | 'problems' | 'unknown';

/** One report to store. */
export interface IngestInput {
  deviceId: string;
  /** the agent's report id (unique per device) */
  reportId: string;
  /** already validated against the protocol's Snapshot schema */
  snapshot: Snapshot;
  /** full policy (resolvePolicy) to diagnose with */
  policy: Policy;
  now?: Date;
}

/**
 * What ingest did. `duplicate`: the report id was already stored, nothing written. `stale`: the
 * snapshot was collected before the newest stored one (an old outbox entry), so only the Report
 * row was written and the current state was left alone.
 */
export type IngestOutcome =
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'stored'; changedSections: SectionName[]; findings: ReconcileOutcome; health: DeviceHealth; unknownSections: SectionName[] };

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Stores one report exactly once, in ONE transaction: the Report row, section states and
 * changes, the device summary, and the findings of the diagnosis; the caller acks only after
 * this resolves. Two deliveries of the same report racing each other: the second one's Report
 * insert violates the key and it is reported as a duplicate.
 */
export async function ingestReport(prisma: PrismaClient, input: IngestInput): Promise<IngestOutcome> {
  const { deviceId, reportId, snapshot, policy } = input;
  const now = input.now ?? new Date();
  const seen = await prisma.report.findUnique({ where: { deviceId_id: { deviceId, id: reportId } }, select: { id: true } });
  if (seen) return { kind: 'duplicate' };
  const collectedAt = new Date(snapshot.collectedAt);
  const diagnosis = diagnoseWithErrors(snapshot, policy);
  try {
    return await prisma.$transaction(async (tx) => {
      const newest = await tx.report.findFirst({ where: { deviceId }, orderBy: { collectedAt: 'desc' }, select: { collectedAt: true } });
      await tx.report.create({ data: { id: reportId, deviceId, collectedAt, receivedAt: now } });
      if (newest && newest.collectedAt > collectedAt) {
        await tx.device.update({ where: { id: deviceId }, data: { lastSeenAt: now } });
        return { kind: 'stale' } as const;
      }
      const changedSections = await storeSections(tx, deviceId, reportId, snapshot, now);
      const findings = await reconcileFindings(tx, { deviceId, reportId, snapshot, diagnosis, now });
      const health: DeviceHealth = findings.open > 0 ? 'problems' : diagnosis.unknown.length > 0 ? 'unknown' : 'healthy';
      await tx.device.update({
        where: { id: deviceId },
        data: {
          ...deviceSummary(snapshot),
          lastSeenAt: now,
          lastReportAt: now,
          health,
          openFindings: findings.open,
          unknownSections: diagnosis.unknown,
        },
      });
      return { kind: 'stored', changedSections, findings, health, unknownSections: diagnosis.unknown } as const;
    }, { timeout: 30_000, maxWait: 10_000 });
  } catch (err) {
    if (isUniqueViolation(err)) return { kind: 'duplicate' };
    throw err;
  }
}
