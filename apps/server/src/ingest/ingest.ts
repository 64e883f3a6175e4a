import type { Policy, Snapshot } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../db/retry.js';
import { fullPathIngest, type IngestOutcome } from './full-path.js';
import { prepareSnapshot, type PreparedReport } from './prepare.js';

export type { IngestOutcome } from './full-path.js';

/** One report to store: a whole `snapshot` (with `reportId`), or a `report` prepared from a whole or delta message. */
export interface IngestInput {
  deviceId: string;
  /** the agent's report id (unique per device); taken from `report` when given */
  reportId?: string;
  /** already validated against the protocol's Snapshot schema */
  snapshot?: Snapshot;
  report?: PreparedReport;
  /** full policy (resolvePolicy) to diagnose with */
  policy: Policy;
  now?: Date;
}

/**
 * Stores one report exactly once, in ONE transaction (fullPathIngest with a batch of one): the
 * Report row, section states and changes (only sections whose hash changed), the device summary
 * and the findings of the diagnosis; the caller acks only after this resolves. Two deliveries of
 * the same report racing each other: the second waits on the device row lock and finds the first's
 * Report row — a duplicate.
 */
export async function ingestReport(prisma: PrismaClient, input: IngestInput): Promise<IngestOutcome> {
  const report = input.report ?? prepareSnapshot(requireId(input.reportId), requireSnapshot(input.snapshot));
  try {
    const [outcome] = await fullPathIngest(prisma, [{ deviceId: input.deviceId, report }], input.policy, input.now ?? new Date());
    return outcome!;
  } catch (err) {
    if (isUniqueViolation(err)) return { kind: 'duplicate' };
    throw err;
  }
}

function requireId(id: string | undefined): string {
  if (!id) throw new TypeError('ingestReport: reportId is required with a snapshot');
  return id;
}

function requireSnapshot(snapshot: Snapshot | undefined): Snapshot {
  if (!snapshot) throw new TypeError('ingestReport: give a snapshot or a prepared report');
  return snapshot;
}
