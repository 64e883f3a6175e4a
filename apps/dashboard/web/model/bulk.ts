import type { BatchCounts, Health, RemediationFilter, Role } from '../api/types.js';
import type { DeviceFilters } from './route.js';

const HEALTHS: readonly Health[] = ['healthy', 'problems', 'unknown'];

/**
 * The device-list filters of the URL as the bulk fix sends them (`POST /api/v1/remediations`
 * `filter`): empty values left out, `online` 'true'/'false' as a boolean, a health other than
 * healthy/problems/unknown left out (the list ignores it too); sort and page size do not pick Macs.
 */
export function remediationFilter(filters: DeviceFilters): RemediationFilter {
  const out: RemediationFilter = {};
  if (filters.search) out.search = filters.search;
  if (filters.finding) out.finding = filters.finding;
  if ((HEALTHS as readonly string[]).includes(filters.health)) out.health = filters.health as Health;
  if (filters.online === 'true') out.online = true;
  if (filters.online === 'false') out.online = false;
  return out;
}

/** The bulk fix button shows for operators and admins, and only on a list filtered by a finding. */
export const canBulkFix = (role: Role | 'unknown', filters: DeviceFilters): boolean =>
  (role === 'operator' || role === 'admin') && filters.finding !== '';

/** A batch ended: no command is queued, sent or acknowledged any more. */
export const batchDone = (counts: BatchCounts): boolean => counts.pending === 0;

/** Counts of a batch in words, e.g. "1 succeeded, 2 pending of 3"; zero buckets left out. */
export function batchCountWords(counts: BatchCounts): string {
  const parts: [number, string][] = [
    [counts.succeeded, 'succeeded'],
    [counts.failed, 'failed'],
    [counts.timedOut, 'timed out'],
    [counts.expired, 'expired'],
    [counts.cancelled, 'cancelled'],
    [counts.pending, 'pending'],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
  return `${said.length ? said.join(', ') : 'nothing'} of ${counts.total}`;
}

/** "1 Mac" / "3 Macs". */
export const macs = (n: number): string => `${n} Mac${n === 1 ? '' : 's'}`;
