import Type from 'typebox';
import type { Command, Device, Finding } from '../generated/prisma/client.js';

/** Response shapes shared by the REST routes. Times are ISO 8601 strings. */
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const HealthSchema = Type.Union([Type.Literal('healthy'), Type.Literal('problems'), Type.Literal('unknown')]);

export const DeviceView = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  serialNumber: NullableString,
  hardwareModel: NullableString,
  architecture: Type.String(),
  platform: Type.String(),
  consoleUser: NullableString,
  osVersion: NullableString,
  zoomVersion: NullableString,
  health: HealthSchema,
  openFindings: Type.Integer(),
  unknownSections: Type.Array(Type.String()),
  online: Type.Boolean({ description: 'socket open and a sign of life within offlineAfterSeconds' }),
  enrolledAt: Iso,
  lastSeenAt: NullableIso,
  lastReportAt: NullableIso,
  openFindingIds: Type.Optional(Type.Array(Type.String(), { description: 'rule ids of the open findings (device list only)' })),
});

export const FindingView = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  key: Type.String(),
  severity: Type.String(),
  title: Type.String(),
  state: Type.String({ description: 'open | awaiting-consent | resolved' }),
  evidence: Type.Unknown(),
  remedy: Type.Unknown(),
  firstSeenAt: Iso,
  lastSeenAt: Iso,
  resolvedAt: NullableIso,
});

export const CommandView = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  action: Type.Object({ type: Type.String(), params: Type.Unknown() }),
  status: Type.String({ description: 'queued | sent | acknowledged | succeeded | failed | timed_out | expired | cancelled' }),
  createdBy: Type.String(),
  createdAt: Iso,
  expiresAt: Iso,
  sentAt: NullableIso,
  ackedAt: NullableIso,
  finishedAt: NullableIso,
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  stdout: NullableString,
  stderr: NullableString,
  reason: NullableString,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  result: Type.Unknown(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Whether a device counts as online: its socket is open somewhere and it showed life recently. */
export const isOnline = (d: Pick<Device, 'online' | 'lastSeenAt'>, cutoff: Date) => d.online && d.lastSeenAt != null && d.lastSeenAt >= cutoff;

export function deviceView(d: Device, cutoff: Date) {
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
    health: d.health as 'healthy' | 'problems' | 'unknown',
    openFindings: d.openFindings,
    unknownSections: d.unknownSections,
    online: isOnline(d, cutoff),
    enrolledAt: d.enrolledAt.toISOString(),
    lastSeenAt: iso(d.lastSeenAt),
    lastReportAt: iso(d.lastReportAt),
  };
}

export function findingView(f: Finding) {
  return {
    id: f.id,
    ruleId: f.ruleId,
    key: f.key,
    severity: f.severity,
    title: f.title,
    state: f.state,
    evidence: f.evidence,
    remedy: f.remedy,
    firstSeenAt: f.firstSeenAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
    resolvedAt: iso(f.resolvedAt),
  };
}

export function commandView(c: Command) {
  return {
    id: c.id,
    deviceId: c.deviceId,
    action: { type: c.type, params: c.params },
    status: c.status,
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
