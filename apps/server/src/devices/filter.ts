import { DeviceFilter, DeviceFilterFields, FINDING_IDS } from '@fleetmedic/protocol';
import type { Prisma } from '../generated/prisma/client.js';
import { badRequest } from '../errors.js';

/**
 * The device-list filters (defined in @fleetmedic/protocol), shared by `GET /api/v1/devices`
 * (query string) and bulk commands and remediations (body `filter`), so "these Macs" means the
 * same thing in both.
 */
export { DeviceFilter, DeviceFilterFields };

/** 400 with the known ids unless `id` is a finding id of the protocol's stable list. */
export function assertFindingId(id: string): void {
  if (!(FINDING_IDS as readonly string[]).includes(id)) throw badRequest(`unknown finding id "${id}"; known: ${FINDING_IDS.join(', ')}`);
}

/**
 * The Prisma conditions of a filter (to AND together). `onlineCutoff`: a device counts as online
 * when its socket is open and it showed life at or after this time.
 */
export function deviceFilterWhere(filter: DeviceFilter, onlineCutoff: Date): Prisma.DeviceWhereInput[] {
  if (filter.finding) assertFindingId(filter.finding);
  const and: Prisma.DeviceWhereInput[] = [];
  if (filter.search) {
    // Prisma hands `contains` to LIKE as is: escape LIKE's wildcards so the search is literal.
    const contains = { contains: filter.search.replace(/[\\%_]/g, (c) => `\\${c}`), mode: 'insensitive' as const };
    and.push({ OR: [{ hostname: contains }, { serialNumber: contains }, { consoleUser: contains }] });
  }
  if (filter.finding) and.push({ findings: { some: { ruleId: filter.finding, state: 'open' } } });
  if (filter.health) and.push({ health: filter.health });
  if (filter.online === true) and.push({ online: true, lastSeenAt: { gte: onlineCutoff } });
  if (filter.online === false) and.push({ OR: [{ online: false }, { lastSeenAt: null }, { lastSeenAt: { lt: onlineCutoff } }] });
  return and;
}
