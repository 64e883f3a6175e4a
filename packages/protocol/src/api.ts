import Type, { type Static, type TSchema } from 'typebox';
import { Action, type CommandStatus } from './commands.js';
import { type Evidence, type Remedy, type Severity } from './findings.js';
import { type SectionStatus } from './section.js';

/**
 * Shapes of the server's HTTP API (`/api/v1`), one definition for both sides: the server uses
 * them as its route schemas (request validation, response serialization) and the dashboard
 * imports their static types. Times are ISO 8601 strings.
 *
 * Values the server reads back from its own database (command actions and results, finding
 * evidence and remedies, section bodies, statuses) were checked when they were written; their
 * wire schema stays as loose as the column (`Stored`), so a row written by an older version
 * is still served, while their static type says what they hold.
 */

/** A schema that serializes like `wire` but has the static type `T` (see above). */
const Stored = <T>(wire: TSchema = Type.Unknown()) => Type.Unsafe<T>(wire);

const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** Body of every 4xx/5xx answer: a stable machine code and a sentence for people. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: 'machine code, e.g. unauthorized, forbidden, not-found, bad-request, conflict' }),
  message: Type.String({ description: 'why, in words' }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/**
 * Whether one Mac can join a call, worst first (the one severity model of the fleet, the API and
 * the page; `judgeHealth` in @fleetmedic/diagnosis decides it):
 * - `cannot-join`: a critical finding is open (video cannot start, others cannot hear you, ...);
 * - `unknown`: no report yet, or a section that decides readiness could not be checked, and
 *   nothing critical is known;
 * - `at-risk`: only warnings are open (calls work, with a risk named by the finding);
 * - `ready`: every section was checked and nothing is open.
 */
export const HEALTHS = ['cannot-join', 'unknown', 'at-risk', 'ready'] as const;
export type Health = (typeof HEALTHS)[number];
export const Health = Type.Union([Type.Literal('cannot-join'), Type.Literal('unknown'), Type.Literal('at-risk'), Type.Literal('ready')]);

/** Rank of a health for sorting, 0 = worst (its index in HEALTHS). */
export const healthRank = (h: Health): number => HEALTHS.indexOf(h);

/** Roles of API tokens, weakest first: a viewer reads, an operator also sends commands, an admin also manages secrets, tokens and policy. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const Role = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
export type Role = (typeof ROLES)[number];

/** `GET /api/v1/me`: the API token behind the request. */
export const Me = Type.Object({
  name: Type.String({ description: 'the API token\'s name' }),
  role: Role,
});
export type Me = Static<typeof Me>;

/**
 * The device-list filters: `GET /api/v1/devices` takes them in the query string, bulk commands
 * and remediations (`filter`) in the body, so "these Macs" means the same in both. Absent = not
 * filtered on.
 */
export const DeviceFilterFields = {
  search: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\x00-\\x1f\\x7f]*$', description: 'part of hostname, serial number or console user (case-insensitive, literal: % and _ are not wildcards)' })),
  finding: Type.Optional(Type.String({ maxLength: 100, description: 'finding (rule) id with an open finding, e.g. tcc.camera.denied' })),
  health: Type.Optional(Health),
  online: Type.Optional(Type.Boolean()),
};
export const DeviceFilter = Type.Object(DeviceFilterFields, { additionalProperties: false });
export type DeviceFilter = Static<typeof DeviceFilter>;

/** The worst reason a Mac is not ready: its worst open finding, or a section that could not be checked. */
export const TopReason = Type.Object({
  findingId: Type.Union([Type.String(), Type.Null()], { description: 'the finding (rule) id; null when the reason is a section that could not be checked' }),
  severity: Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info'), Type.Literal('unknown')]),
  title: Type.String({ description: 'e.g. "Zoom is denied the camera", or "Could not check: tcc"' }),
});
export type TopReason = Static<typeof TopReason>;

/** One Mac: `GET /api/v1/devices` rows (with `openFindingIds`) and `GET /api/v1/devices/:id` `device`. */
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
  health: Health,
  openFindings: Type.Integer({ description: 'open findings: distinct causes (one missing grant is one finding, however many TCC.db show it)' }),
  unknownSections: Type.Array(Type.String(), { description: 'sections that could not be read or judged ("could not check firewall")' }),
  notReportedSections: Type.Array(Type.String(), {
    description: 'sections the protocol added after this agent\'s version (registry `since`), absent from its last report: "not reported by this agent version", never healthy',
  }),
  online: Type.Boolean({ description: 'socket open and a sign of life within offlineAfterSeconds' }),
  enrolledAt: Iso,
  lastSeenAt: NullableIso,
  lastReportAt: NullableIso,
  reportCount: Type.Integer({ minimum: 0, description: 'reports stored from this Mac, unchanged ones included, each counted once (a late report older than the newest stored is not)' }),
  openFindingIds: Type.Optional(Type.Array(Type.String(), { description: 'rule ids of the open findings, worst first (device list only)' })),
  topReason: Type.Optional(Type.Union([TopReason, Type.Null()], { description: 'why this Mac is not ready, worst first (device list only); null when ready' })),
});
export type DeviceView = Static<typeof DeviceView>;

/** `GET /api/v1/devices`: one page, and the cursor of the next page (null on the last). */
export const DeviceListPage = Type.Object({ devices: Type.Array(DeviceView), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type DeviceListPage = Static<typeof DeviceListPage>;

/** A finding's lifecycle: `awaiting-consent` = fixed, now waiting for the user to allow at the next Zoom launch. */
export type FindingState = 'open' | 'awaiting-consent' | 'resolved';

/** A stored finding. `id` is the row's uuid, `ruleId` the finding (rule) id, e.g. tcc.camera.denied. */
export const FindingView = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  key: Type.String(),
  severity: Stored<Severity>(Type.String()),
  title: Type.String(),
  state: Stored<FindingState>(Type.String({ description: 'open | awaiting-consent | resolved' })),
  evidence: Stored<Evidence[]>(),
  remedy: Stored<Remedy>(),
  firstSeenAt: Iso,
  lastSeenAt: Iso,
  resolvedAt: NullableIso,
});
export type FindingView = Static<typeof FindingView>;

/** A command's action as stored: `{ type, params }` of the closed Action list. */
const StoredAction = Stored<Action>(Type.Object({ type: Type.String(), params: Type.Unknown() }));
const StoredCommandStatus = Stored<CommandStatus>(Type.String({ description: 'queued | sent | acknowledged | succeeded | failed | timed_out | expired | cancelled' }));

/** A remediation command and its lifecycle; stdout/stderr are the tails the agent sent back. */
export const CommandView = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  action: StoredAction,
  status: StoredCommandStatus,
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
  durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'ms' }),
  result: Type.Unknown(),
});
export type CommandView = Static<typeof CommandView>;

/** A section as the agent reported it (the protocol's Section, data untyped here). */
export interface StoredSection {
  status: SectionStatus;
  sources: string[];
  reason?: string;
  problems?: string[];
  data?: unknown;
}

/** One section of a device's current state. */
export const SectionStateView = Type.Object({ section: Type.String(), status: Type.String(), hash: Type.String(), body: Stored<StoredSection>(), updatedAt: Iso });
export type SectionStateView = Static<typeof SectionStateView>;

/**
 * Whether the Mac restarted after its last permission reset (the seed asks for a restart after one):
 * the boot time the agent last reported (`softwareUpdate` section, `sysctl -n kern.boottime`) against
 * the finish time of the last succeeded `tcc.reset` command.
 */
export const RestartView = Type.Object({
  lastBootAt: Type.Union([Iso, Type.Null()], { description: 'null: not reported (agent before 1.1, or kern.boottime unread)' }),
  lastTccResetAt: Type.Union([Iso, Type.Null()], { description: 'finishedAt of the last succeeded tcc.reset; null: none' }),
  restartedSinceTccReset: Type.Union([Type.Boolean(), Type.Null()], { description: 'lastBootAt after lastTccResetAt; null when either is unknown' }),
});
export type RestartView = Static<typeof RestartView>;

/** `GET /api/v1/devices/:id`: the device, its current sections, open and awaiting-consent findings, its last 20 commands (newest first), and its last restart against its last permission reset. */
export const DeviceDetailView = Type.Object({
  device: DeviceView,
  sections: Type.Array(SectionStateView),
  findings: Type.Array(FindingView, { description: 'open and awaiting-consent findings' }),
  commands: Type.Array(CommandView, { description: 'the last 20 commands, newest first' }),
  restart: RestartView,
});
export type DeviceDetailView = Static<typeof DeviceDetailView>;

/** A section's content changing, from `GET /api/v1/devices/:id/history`. */
export const SectionChangeView = Type.Object({
  id: Type.String(), section: Type.String(), status: Type.String(), hash: Type.String(), reportId: Type.String(), changedAt: Iso, body: Stored<StoredSection>(),
});
export type SectionChangeView = Static<typeof SectionChangeView>;

/** A finding changing state (`fromState` null when first seen), from `GET /api/v1/devices/:id/history`. */
export const FindingTransitionView = Type.Object({
  id: Type.String(), findingId: Type.String(), ruleId: Type.String(), key: Type.String(),
  fromState: Type.Union([Type.String(), Type.Null()]), toState: Type.String(), at: Iso, reportId: Type.String(),
});
export type FindingTransitionView = Static<typeof FindingTransitionView>;

/** `GET /api/v1/devices/:id/history`: newest first. */
/** A report that renamed the Mac (HostFacts.hostname changed). */
export const HostnameChangeView = Type.Object({
  id: Type.String(),
  fromHostname: Type.String(),
  toHostname: Type.String(),
  reportId: Type.String(),
  changedAt: Type.String({ format: 'date-time' }),
});
export const DeviceHistoryView = Type.Object({
  sectionChanges: Type.Array(SectionChangeView),
  findingTransitions: Type.Array(FindingTransitionView),
  hostnameChanges: Type.Array(HostnameChangeView, { description: 'renames, newest first' }),
});
export type DeviceHistoryView = Static<typeof DeviceHistoryView>;

/** One finding id in the fleet summary. */
export const FindingCount = Type.Object({
  id: Type.String({ description: 'finding (rule) id, e.g. tcc.camera.denied' }),
  severity: Stored<Severity>(Type.String({ description: 'critical | warning | info' })),
  devices: Type.Integer({ description: 'devices with at least one open finding of this id' }),
  open: Type.Integer({ description: 'open findings of this id: distinct causes (a device can have several, e.g. a user decision and an MDM profile)' }),
});
export type FindingCount = Static<typeof FindingCount>;

/** Device counts per health (HEALTHS), one field each. */
const HealthCounts = {
  cannotJoin: Type.Integer({ description: 'health cannot-join: a critical finding is open' }),
  unknown: Type.Integer({ description: 'health unknown: no report yet, or a section that decides readiness could not be checked (nothing critical known)' }),
  atRisk: Type.Integer({ description: 'health at-risk: warnings only' }),
  ready: Type.Integer({ description: 'health ready: ready for calls' }),
};
/** The HealthCounts field of each health. */
export const HEALTH_COUNT_FIELD = { 'cannot-join': 'cannotJoin', unknown: 'unknown', 'at-risk': 'atRisk', ready: 'ready' } as const satisfies Record<Health, string>;

/**
 * `GET /api/v1/fleet/summary`: device counts by health (by each Mac's last report, offline Macs
 * included) and connectivity, and per finding id, worst first (severity, then most devices, then id).
 */
export const FleetSummary = Type.Object({
  total: Type.Integer(),
  ...HealthCounts,
  online: Type.Integer({ description: 'marked online and seen within offlineAfterSeconds' }),
  offline: Type.Integer({ description: 'total - online' }),
  findings: Type.Array(FindingCount),
});
export type FleetSummary = Static<typeof FleetSummary>;

/** One point of `GET /api/v1/fleet/trend`: the fleet's counts at `at`, taken every 15 minutes by default. */
export const FleetSample = Type.Object({
  at: Iso,
  total: Type.Integer(),
  ...HealthCounts,
  offline: Type.Integer(),
  findings: Type.Record(Type.String(), Type.Integer(), { description: 'devices with an open finding, per finding id' }),
});
export type FleetSample = Static<typeof FleetSample>;

/** `GET /api/v1/fleet/trend`: samples, oldest first. */
export const FleetTrend = Type.Object({ samples: Type.Array(FleetSample) });
export type FleetTrend = Static<typeof FleetTrend>;

/** The Mac (and, for a remediation, the finding) a batch target or skipped Mac is about. */
const BatchMac = {
  deviceId: Type.String(),
  hostname: Type.String(),
  findingKey: Type.Optional(Type.String({ description: 'the finding\'s key, e.g. tcc.camera.denied:us.zoom.xos (remediations only)' })),
};

/** A Mac a batch sends a command to: for a remediation, the remedy action of its open finding. */
export const BatchTarget = Type.Object({
  ...BatchMac,
  action: StoredAction,
  commandId: Type.Optional(Type.String({ description: 'the queued command (not on a dry run)' })),
});
export type BatchTarget = Static<typeof BatchTarget>;

/** A Mac that gets no command, and why (no automatic remedy, the same action already on its way, ...). */
export const SkippedDevice = Type.Object({ ...BatchMac, reason: Type.String() });
export type SkippedDevice = Static<typeof SkippedDevice>;

/**
 * `POST /api/v1/remediations` and `POST /api/v1/batches`: 200 on a dry run (batchId null), 201
 * with the batchId once one command per target is queued. Targets and skipped Macs in hostname order.
 */
export const BatchAnswer = Type.Object({
  batchId: Type.Union([Type.String(), Type.Null()], { description: 'null on a dry run' }),
  findingId: Type.Union([Type.String(), Type.Null()], { description: 'null for a bulk command' }),
  action: Type.Union([StoredAction, Type.Null()], { description: 'the action of a bulk command; null for a remediation' }),
  dryRun: Type.Boolean(),
  filter: DeviceFilter,
  targets: Type.Array(BatchTarget),
  skipped: Type.Array(SkippedDevice),
});
export type BatchAnswer = Static<typeof BatchAnswer>;

/** Command counts of a whole batch. */
export const BatchCounts = Type.Object({
  total: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  pending: Type.Integer({ description: 'queued, sent or acknowledged: no result yet' }),
  timedOut: Type.Integer(),
  expired: Type.Integer(),
  cancelled: Type.Integer(),
});
export type BatchCounts = Static<typeof BatchCounts>;

/** One command of a batch (no output: `GET /api/v1/commands/:id` has it). */
export const BatchCommandView = Type.Object({
  id: Type.String(), deviceId: Type.String(), hostname: Type.String(), action: StoredAction, status: StoredCommandStatus,
  reason: NullableString, exitCode: Type.Union([Type.Integer(), Type.Null()]),
  sentAt: NullableIso, ackedAt: NullableIso, finishedAt: NullableIso,
});
export type BatchCommandView = Static<typeof BatchCommandView>;

/**
 * `GET /api/v1/batches/:id?limit=&cursor=&status=`: the batch, its counts (the whole batch, in
 * every page), one page of its commands in the hostname order the batch was planned in (command ids are
 * handed out in that order, so a rename mid-walk moves nothing), and the cursor of the next page (null
 * on the last).
 */
export const BatchView = Type.Object({
  id: Type.String(),
  findingId: Type.Union([Type.String(), Type.Null()], { description: 'the finding a remediation targeted; null for a bulk command' }),
  action: Type.Union([StoredAction, Type.Null()], { description: 'the action of a bulk command; null for a remediation' }),
  filter: DeviceFilter,
  createdBy: Type.String(),
  createdAt: Iso,
  counts: BatchCounts,
  commands: Type.Array(BatchCommandView, { description: 'one page, in the hostname order of the batch\'s plan' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as ?cursor= for the next page; null on the last' }),
  skipped: Type.Array(SkippedDevice),
});
export type BatchView = Static<typeof BatchView>;

/** One section change shared by Macs with a finding: what changed, and on how many of them. */
export const ChangeBefore = Type.Object({
  section: Type.String({ description: 'the section that changed, e.g. os' }),
  change: Type.String({ description: 'the change in words, the same on every Mac that made it, e.g. "macOS 15.2 → 15.3"' }),
  devices: Type.Integer({ description: 'Macs with the finding open that made this change in the window before it first appeared' }),
});
export type ChangeBefore = Static<typeof ChangeBefore>;

/** What changed on the Macs with one finding just before it first appeared on each. */
export const FindingChanges = Type.Object({
  findingId: Type.String(),
  severity: Stored<Severity>(Type.String()),
  devices: Type.Integer({ description: 'Macs with the finding open' }),
  compared: Type.Integer({ description: 'of them, Macs that reported before it appeared (the others had it from their first report: nothing to compare)' }),
  changes: Type.Array(ChangeBefore, { description: 'most shared first, then section and words' }),
});
export type FindingChanges = Static<typeof FindingChanges>;

/**
 * `GET /api/v1/fleet/changes?hours=24&finding=&limit=5`: per open finding id (worst first, as the
 * summary), the section changes its Macs made in the `windowHours` before it first appeared on each,
 * ranked by how many of them share each change.
 */
export const FleetChanges = Type.Object({
  windowHours: Type.Integer(),
  findings: Type.Array(FindingChanges),
});
export type FleetChanges = Static<typeof FleetChanges>;
