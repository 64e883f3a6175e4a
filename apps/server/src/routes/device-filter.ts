import { FINDING_IDS } from '@fleetmedic/protocol';
import Type, { type Static } from 'typebox';
import type { Prisma } from '../generated/prisma/client.js';
import { badRequest } from '../errors.js';
import { HealthSchema } from './views.js';

/**
 * The device-list filters, shared by `GET /api/v1/devices` (query string) and bulk remediation
 * (`POST /api/v1/remediations` body `filter`), so "these Macs" means the same thing in both.
 */
export const DeviceFilterFields = {
  search: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\x00-\\x1f\\x7f]*$', description: 'part of hostname, serial number or console user (case-insensitive, literal: % and _ are not wildcards)' })),
  finding: Type.Optional(Type.String({ maxLength: 100, description: 'finding (rule) id with an open finding, e.g. tcc.camera.denied' })),
  health: Type.Optional(HealthSchema),
  online: Type.Optional(Type.Boolean()),
};
export const DeviceFilter = Type.Object(DeviceFilterFields, { additionalProperties: false });
export type DeviceFilter = Static<typeof DeviceFilter>;

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
