import { HEALTHS, type Action } from '@fleetmedic/protocol';
import type { BatchCounts, BatchView, Health, RemediationAnswer, RemediationFilter, Role, SkippedMac } from '../api/types.js';
import { sameAction } from './commands.js';
import type { DeviceFilters } from './route.js';
import { describeAction } from './words.js';

/**
 * The device-list filters of the URL as the bulk fix sends them (`POST /api/v1/remediations`
 * `filter`): empty values left out, `online` 'true'/'false' as a boolean, a health outside
 * HEALTHS left out (the list ignores it too); sort and page size do not pick Macs.
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

/**
 * Label of the list's bulk button from the rows it shows: "Fix this Mac…", "Fix all 3 Macs…",
 * "Fix all 50+ Macs…" when more pages follow (`more`); the dry run then gives the exact count.
 */
export const bulkButtonLabel = (shown: number, more: boolean): string =>
  shown === 1 && !more ? 'Fix this Mac…' : `Fix all ${shown}${more ? '+' : ''} Macs…`;

/** Skipped findings that share one reason, with the distinct Macs (plan order). */
export interface SkipGroup {
  reason: string;
  hostnames: string[];
}

/** Skipped findings grouped by reason (first-seen order), each Mac named once per reason. */
export function groupSkipped(skipped: readonly SkippedMac[]): SkipGroup[] {
  const groups = new Map<string, SkipGroup>();
  for (const s of skipped) {
    const group = groups.get(s.reason) ?? { reason: s.reason, hostnames: [] };
    if (!group.hostnames.includes(s.hostname)) group.hostnames.push(s.hostname);
    groups.set(s.reason, group);
  }
  return [...groups.values()];
}

/** One distinct action of a bulk fix and what it does, in words naming how many Macs get it. */
export interface PlannedAction {
  action: Action;
  /** distinct Macs that get this action */
  macs: number;
  /** e.g. "Reset the Camera permission (TCC) of us.zoom.xos on 2 Macs. macOS asks the user again …" */
  words: string;
}

/**
 * A dry run (`POST /api/v1/remediations` with dryRun) counted by Mac, not by finding: a Mac with
 * two findings of the id (one per TCC.db) is one Mac. `targetMacs` get at least one command;
 * `skippedMacs` have the finding open but get none (a Mac that is both counts as a target).
 */
export interface PlanSummary {
  targetMacs: number;
  actions: PlannedAction[];
  skippedMacs: number;
  skipped: SkipGroup[];
}

export function summarizePlan(plan: Pick<RemediationAnswer, 'targets' | 'skipped'>): PlanSummary {
  const targetIds = new Set(plan.targets.map((t) => t.deviceId));
  const actions: { action: Action; hosts: string[] }[] = [];
  for (const t of plan.targets) {
    const known = actions.find((a) => sameAction(a.action, t.action));
    if (!known) actions.push({ action: t.action, hosts: [t.hostname] });
    else if (!known.hosts.includes(t.hostname)) known.hosts.push(t.hostname);
  }
  return {
    targetMacs: targetIds.size,
    actions: actions.map(({ action, hosts }) => ({ action, macs: hosts.length, words: describeAction(action, hosts.length === 1 ? hosts[0]! : macs(hosts.length)) })),
    skippedMacs: new Set(plan.skipped.filter((s) => !targetIds.has(s.deviceId)).map((s) => s.deviceId)).size,
    skipped: groupSkipped(plan.skipped),
  };
}

/**
 * What the admin does once a batch ended, or null while it runs: where to read why commands did
 * not succeed, and for TCC resets that each user must still allow Zoom at its next launch.
 */
export function batchNextStep(batch: Pick<BatchView, 'counts' | 'commands'>): string | null {
  if (!batchDone(batch.counts)) return null;
  const said: string[] = [];
  const notOk = batch.counts.total - batch.counts.succeeded;
  if (notOk > 0) said.push(`${macs(notOk)} did not succeed: open a Mac to read its command's output and the reason, then fix it there or run this again.`);
  if (batch.commands.some((c) => c.status === 'succeeded' && c.action.type === 'tcc.reset')) {
    said.push('macOS asks each user again the next time Zoom wants the permission; until they allow, the Mac shows “Fixed — waiting for the user to allow”.');
  }
  return said.length ? said.join(' ') : null;
}

/**
 * A failed dry run (`stage` 'list') or real run ('send') in words that say what to do next.
 * 403 = a viewer's token; status 0 = the server could not be reached; 409 on send = every Mac
 * was skipped by the time it was sent (e.g. another admin's fix is already on its way).
 */
export function bulkErrorWords(error: { status: number; message: string }, stage: 'list' | 'send'): string {
  const what = stage === 'list' ? 'Could not list the Macs to fix' : 'Nothing was queued';
  if (error.status === 403) return 'Your token is a viewer token: it may look but not send commands. Ask an admin for an operator token.';
  if (error.status === 0) return `${what}: the server could not be reached. Check that it is running, then try again.`;
  if (error.status === 409 && stage === 'send') {
    return 'Nothing was queued: by now every Mac is skipped (a fix may already be on its way to them). The list above is fresh: read why, or close this.';
  }
  if (error.status >= 500) return `${what}: the server failed (${error.message}). Try again; if it keeps failing, the server's log says why.`;
  return `${what}: ${error.message}`;
}
