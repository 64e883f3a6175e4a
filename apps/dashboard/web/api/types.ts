import type {
  Action,
  CommandStatus,
  Evidence,
  FirewallFacts,
  OsFacts,
  PowerFacts,
  Remedy,
  SectionStatus,
  Severity,
  TccFacts,
  UsbFacts,
  ZoomFacts,
} from '@fleetmedic/protocol';

/** Health of one Mac as the server judged it: `unknown` = no report yet or a section could not be judged. */
export type Health = 'healthy' | 'problems' | 'unknown';

/** Role of an admin token: viewer < operator < admin. Operators and admins may send commands. */
export type Role = 'viewer' | 'operator' | 'admin';

/** `GET /api/v1/me`. */
export interface Me {
  name: string;
  role: Role;
}

/** One finding id in the fleet summary: how many devices have it open, and how many open findings in all. */
export interface FindingCount {
  /** finding (rule) id, e.g. tcc.camera.denied */
  id: string;
  devices: number;
  open: number;
}

/** `GET /api/v1/fleet/summary`: device counts by health and connectivity, and per finding id. */
export interface FleetSummary {
  total: number;
  healthy: number;
  problems: number;
  unknown: number;
  online: number;
  offline: number;
  findings: FindingCount[];
}

/** One point of `GET /api/v1/fleet/trend`: the fleet's counts at `at` (ISO 8601), taken every 15 minutes by default. */
export interface FleetSample {
  at: string;
  total: number;
  healthy: number;
  problems: number;
  unknown: number;
  offline: number;
  /** devices with an open finding, per finding id */
  findings: Record<string, number>;
}

/** One row of `GET /api/v1/devices`. Times are ISO 8601. */
export interface DeviceListItem {
  id: string;
  hostname: string;
  serialNumber: string | null;
  health: Health;
  openFindings: number;
  online: boolean;
  osVersion: string | null;
  zoomVersion: string | null;
  lastSeenAt: string | null;
  /** Open finding ids, when the server includes them (shown as chips). */
  openFindingIds?: string[];
}

/** `GET /api/v1/devices`: one page, and the cursor of the next page (null on the last). */
export interface DevicePage {
  devices: DeviceListItem[];
  nextCursor: string | null;
}

/** A finding's lifecycle: `awaiting-consent` = fixed, now waiting for the user to allow at the next Zoom launch. */
export type FindingState = 'open' | 'awaiting-consent' | 'resolved';

/** A finding as the device page shows it. */
export interface DeviceFinding {
  /** The finding (rule) id, e.g. tcc.camera.denied (the API's `ruleId`). */
  id: string;
  /** The stored finding's own id (the API's `id`, a uuid). */
  uid?: string;
  key: string;
  severity: Severity;
  title: string;
  evidence: Evidence[];
  remedy: Remedy;
  state: FindingState;
  firstSeenAt?: string;
  lastSeenAt?: string;
}

/** One section of the device's current state, as the agent reported it (see protocol `Section`). */
export interface SectionView<T> {
  status: SectionStatus;
  sources: string[];
  reason?: string;
  problems?: string[];
  data?: T;
  /** When this content was last seen changing, ISO 8601. */
  updatedAt?: string;
}

/** The six sections of a device. Missing = never reported. */
export interface DeviceSections {
  os?: SectionView<OsFacts>;
  zoom?: SectionView<ZoomFacts>;
  tcc?: SectionView<TccFacts>;
  firewall?: SectionView<FirewallFacts>;
  usb?: SectionView<UsbFacts>;
  power?: SectionView<PowerFacts>;
}

/** A remediation command. Times are ISO 8601; output is the tail the agent sent back. */
export interface CommandView {
  id: string;
  deviceId: string;
  action: Action;
  status: CommandStatus;
  createdBy?: string;
  createdAt: string;
  sentAt?: string | null;
  ackedAt?: string | null;
  finishedAt?: string | null;
  exitCode?: number | null;
  stdout?: string | null;
  stderr?: string | null;
  reason?: string | null;
  durationMs?: number | null;
}

/** The device record itself. */
export interface DeviceInfo extends DeviceListItem {
  hardwareModel: string | null;
  architecture: string | null;
  platform: string | null;
  consoleUser: string | null;
  enrolledAt: string | null;
  lastReportAt: string | null;
  unknownSections: string[];
}

/** `GET /api/v1/devices/:id` as the page uses it (sections keyed by name, findings by rule id). */
export interface DeviceDetail {
  device: DeviceInfo;
  sections: DeviceSections;
  /** open and awaiting-consent findings */
  findings: DeviceFinding[];
  /** the last 20 commands, newest first */
  commands: CommandView[];
}

/** `GET /api/v1/devices/:id` as the server sends it. */
export interface RawDeviceDetail {
  device: DeviceInfo;
  sections: { section: string; status: string; hash: string; body: SectionView<unknown>; updatedAt: string }[];
  findings: (Omit<DeviceFinding, 'id' | 'uid'> & { id: string; ruleId: string })[];
  commands: CommandView[];
}

/** A finding changing state, from `GET /api/v1/devices/:id/history`. */
export interface FindingTransition {
  id: string;
  findingId: string;
  ruleId: string;
  key: string;
  fromState: string | null;
  toState: string;
  at: string;
  reportId: string;
}

/** `GET /api/v1/devices/:id/history` (bodies of section changes are not used by the page). */
export interface DeviceHistory {
  sectionChanges: { id: string; section: string; status: string; changedAt: string }[];
  findingTransitions: FindingTransition[];
}

/**
 * Which Macs a bulk fix covers: the device-list filters as `POST /api/v1/remediations` takes them
 * (the same meaning as `GET /api/v1/devices`). Absent = not filtered on.
 */
export interface RemediationFilter {
  /** part of hostname, serial number or console user */
  search?: string;
  /** finding (rule) id with an open finding, e.g. tcc.camera.denied */
  finding?: string;
  health?: Health;
  online?: boolean;
}

/** A Mac a bulk fix sends a command to: the remedy action of its open finding. */
export interface RemediationTarget {
  deviceId: string;
  hostname: string;
  /** e.g. tcc.camera.denied:us.zoom.xos */
  findingKey: string;
  action: Action;
  /** the queued command; absent on a dry run */
  commandId?: string;
}

/** A Mac with the finding that gets no command, and why (no automatic remedy, already in flight...). */
export interface SkippedMac {
  deviceId: string;
  hostname: string;
  findingKey: string;
  reason: string;
}

/**
 * `POST /api/v1/remediations`: 200 on a dry run (batchId null), 201 with the batchId once one
 * command per target is queued. Targets and skipped Macs are in hostname order.
 */
export interface RemediationAnswer {
  batchId: string | null;
  findingId: string;
  dryRun: boolean;
  filter: RemediationFilter;
  targets: RemediationTarget[];
  skipped: SkippedMac[];
}

/** Command counts of a batch; pending = queued, sent or acknowledged (no result yet). */
export interface BatchCounts {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  timedOut: number;
  expired: number;
  cancelled: number;
}

/** One command of a batch. Times are ISO 8601. */
export interface BatchCommand {
  id: string;
  deviceId: string;
  hostname: string;
  action: Action;
  status: CommandStatus;
  reason: string | null;
  exitCode: number | null;
  sentAt: string | null;
  ackedAt: string | null;
  finishedAt: string | null;
}

/** `GET /api/v1/batches/:id`: counts and every command (hostname order). */
export interface BatchView {
  id: string;
  findingId: string;
  filter: RemediationFilter;
  createdBy: string;
  createdAt: string;
  counts: BatchCounts;
  commands: BatchCommand[];
  skipped: SkippedMac[];
}
