import { FINDING_CATALOG } from '@fleetmedic/diagnosis';
import type { Severity } from '@fleetmedic/protocol';
import type { FindingCount } from '../api/types.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** One line of "why Macs cannot join a call": a finding id with how many Macs have it open. */
export interface ProblemCount {
  id: string;
  title: string;
  severity: Severity;
  /** what it breaks in Zoom, e.g. "Video cannot start" */
  breaks: string;
  description: string | null;
  /** Macs with at least one open finding of this id. */
  count: number;
}

/** Title, severity and what it breaks in Zoom of a finding id, from the diagnosis catalog; unknown ids keep their id as title. */
export function findingInfo(id: string): { title: string; severity: Severity; breaks: string; description: string | null } {
  const entry = (FINDING_CATALOG as Record<string, (typeof FINDING_CATALOG)[keyof typeof FINDING_CATALOG] | undefined>)[id];
  return entry
    ? { title: entry.title, severity: entry.severity, breaks: entry.breaks, description: entry.description }
    : { title: id, severity: 'warning', breaks: '', description: null };
}

/** Every finding id of the catalog, for the list's filter. */
export const FINDING_OPTIONS = Object.values(FINDING_CATALOG).map((e) => ({ id: e.id, title: e.title }));

/**
 * The per-finding counts of `GET /fleet/summary` (`findings[]`), most serious first (critical before warning,
 * then most Macs), leaving out ids with no open finding. The severity is the server's (stored with the finding).
 */
export function rankProblems(counts: readonly FindingCount[]): ProblemCount[] {
  return counts
    .filter((c) => c.devices > 0)
    .map((c) => ({ id: c.id, count: c.devices, ...findingInfo(c.id), severity: c.severity ?? findingInfo(c.id).severity }))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count || a.id.localeCompare(b.id));
}

export const severityRank = (s: Severity): number => SEVERITY_RANK[s];

/**
 * Open finding ids per device, most serious first, from the device lists of `GET /devices?finding=<id>`
 * (one list per finding id): for pages that must say why each Mac has problems while the device
 * list does not carry its finding ids.
 */
export function reasonsByDevice(lists: readonly (readonly [findingId: string, deviceIds: readonly string[]])[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [findingId, deviceIds] of lists) {
    for (const deviceId of deviceIds) out.set(deviceId, [...(out.get(deviceId) ?? []), findingId]);
  }
  for (const ids of out.values()) ids.sort((a, b) => severityRank(findingInfo(a).severity) - severityRank(findingInfo(b).severity) || a.localeCompare(b));
  return out;
}
