import {
  CommandView, DeviceView, FindingView, type Action, type CommandStatus, type Evidence, type FindingState, type Health, type Remedy, type Severity,
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
