import { SECTION_NAMES, type SectionName, type Snapshot } from '@fleetmedic/protocol';
import type { Prisma } from '../generated/prisma/client.js';
import { contentHash } from './canonical-json.js';

/**
 * Stores the current state of each section and, only for sections whose content hash changed,
 * a SectionChange row (history as changes, not a copy per report). SectionState.updatedAt is
 * the time the content last changed. Returns the changed section names.
 */
export async function storeSections(
  tx: Prisma.TransactionClient,
  deviceId: string,
  reportId: string,
  snapshot: Snapshot,
  now: Date,
): Promise<SectionName[]> {
  const current = new Map(
    (await tx.sectionState.findMany({ where: { deviceId }, select: { section: true, hash: true } })).map((s) => [s.section, s.hash]),
  );
  const changed: SectionName[] = [];
  for (const name of SECTION_NAMES) {
    const section = snapshot.sections[name];
    const hash = contentHash(section);
    if (current.get(name) === hash) continue;
    const body = section as unknown as Prisma.InputJsonValue;
    await tx.sectionState.upsert({
      where: { deviceId_section: { deviceId, section: name } },
      create: { deviceId, section: name, status: section.status, hash, body, updatedAt: now },
      update: { status: section.status, hash, body, updatedAt: now },
    });
    await tx.sectionChange.create({ data: { deviceId, section: name, status: section.status, hash, body, reportId, changedAt: now } });
    changed.push(name);
  }
  return changed;
}
