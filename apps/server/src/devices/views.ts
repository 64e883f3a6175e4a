import {
  CommandView, DeviceView, FindingView, type Action, type CommandStatus, type Evidence, type FindingState, type Health, type Remedy, type Severity, type TopReason,
} from '@fleetmedic/protocol';
import type { Command, Device, Finding } from '../generated/prisma/client.js';

/** The response schemas of the REST routes: one definition in @fleetmedic/protocol (api.ts), which the dashboard imports too. */
export { CommandView, DeviceView, FindingView };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Whether a device counts as online: its socket is open somewhere and it showed life recently. */
export const isOnline = (d: Pick<Device, 'online' | 'lastSeenAt'>, cutoff: Date) => d.online && d.lastSeenAt != null && d.lastSeenAt >= cutoff;

/** A Device row as the API shows it (DeviceView); `cutoff`: seen at or after it counts as online. */
export function deviceView(d: Device, cutoff: Date): DeviceView {
  return {
    id: d.id,
    hostname: d.hostname,
    serialNumber: d.serialNumber,
    hardwareModel: d.hardwareModel,
    architecture: d.architecture,
    platform: d.platform,
    consoleUser: d.consoleUser,
    osVersion: d.osVersion,
    zoomVersion: d.zoomVersion,
    health: d.health as Health,
    openFindings: d.openFindings,
    unknownSections: d.unknownSections,
    notReportedSections: d.notReportedSections,
    online: isOnline(d, cutoff),
    enrolledAt: d.enrolledAt.toISOString(),
    lastSeenAt: iso(d.lastSeenAt),
    lastReportAt: iso(d.lastReportAt),
    reportCount: d.reportCount,
  };
}

/** A Finding row as the API shows it (FindingView); its JSON columns hold what the diagnosis wrote. */
export function findingView(f: Finding): FindingView {
  return {
    id: f.id,
    ruleId: f.ruleId,
    key: f.key,
    severity: f.severity as Severity,
    title: f.title,
    state: f.state as FindingState,
    evidence: f.evidence as unknown as Evidence[],
    remedy: f.remedy as unknown as Remedy,
    firstSeenAt: f.firstSeenAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
    resolvedAt: iso(f.resolvedAt),
  };
}

/** A Command row as the API shows it (CommandView); its action was checked against the Action list when queued. */
export function commandView(c: Command): CommandView {
  return {
    id: c.id,
    deviceId: c.deviceId,
    action: { type: c.type, params: c.params } as Action,
    status: c.status as CommandStatus,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    sentAt: iso(c.sentAt),
    ackedAt: iso(c.ackedAt),
    finishedAt: iso(c.finishedAt),
    exitCode: c.exitCode,
    stdout: c.stdout,
    stderr: c.stderr,
    reason: c.reason,
    durationMs: c.durationMs,
    result: c.result,
  };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The API's order of one Mac's findings: awaiting consent (fixed) after open, then severity
 * (critical first), then the oldest first seen, then the finding id and key (stable).
 */
export function worstFindingFirst(
  a: Pick<Finding, 'severity' | 'ruleId' | 'firstSeenAt'> & Partial<Pick<Finding, 'state' | 'key'>>,
  b: Pick<Finding, 'severity' | 'ruleId' | 'firstSeenAt'> & Partial<Pick<Finding, 'state' | 'key'>>,
): number {
  return Number(a.state === 'awaiting-consent') - Number(b.state === 'awaiting-consent')
    || (SEVERITY_RANK[a.severity] ?? 1) - (SEVERITY_RANK[b.severity] ?? 1)
    || a.firstSeenAt.getTime() - b.firstSeenAt.getTime()
    || a.ruleId.localeCompare(b.ruleId)
    || (a.key ?? '').localeCompare(b.key ?? '');
}

/**
 * Why a Mac is not ready, in one line: its worst open finding (`worst`: open findings in
 * worstFindingFirst order), except that an `unknown` Mac whose worst finding is no more than a
 * warning is first of all unchecked ("Could not check: tcc, firewall"). Null when ready.
 */
export function topReason(health: string, worst: Pick<Finding, 'ruleId' | 'severity' | 'title'>[], unknownSections: string[]): TopReason | null {
  const first = worst[0];
  if (health === 'unknown' && first?.severity !== 'critical') {
    if (first?.ruleId === 'tcc.unreadable') return { findingId: first.ruleId, severity: 'unknown', title: first.title };
    return { findingId: null, severity: 'unknown', title: unknownSections.length > 0 ? `Could not check: ${unknownSections.join(', ')}` : 'No report yet' };
  }
  if (!first) return null;
  return { findingId: first.ruleId, severity: first.severity as Severity, title: first.title };
}
