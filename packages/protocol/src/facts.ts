import Type, { type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** No control characters (NUL, escapes, newlines): names shown to admins and stored as Postgres text. */
export const PRINTABLE = '^[^\\x00-\\x1f\\x7f]*$';

/** Host identity. Source: host.json of a recorded Mac, `sysctl`/`ioreg` on a Mac, `systeminformation` on Linux. */
export const HostFacts = Type.Object({
  hostname: Type.String({ maxLength: 255, pattern: PRINTABLE, description: 'no control characters; a change is kept in the device history' }),
  serialNumber: Nullable(Type.String()),
  hardwareModel: Nullable(Type.String({ description: 'e.g. MacBookPro18,3' })),
  architecture: Type.String({ description: 'arm64 | x86_64' }),
  platform: Type.String({ description: 'darwin | linux | ...' }),
  consoleUser: Nullable(Type.String({ description: 'user logged in at the console (`stat -f %Su /dev/console`), null when none' })),
});
export type HostFacts = Static<typeof HostFacts>;

/** macOS version. Source: `sw_vers` (all layouts, macOS 10.6 – 27). */
export const OsFacts = Type.Object({
  productName: Type.String({ description: 'macOS | Mac OS X' }),
  productVersion: Type.String({ description: 'e.g. 15.3.1' }),
  productVersionExtra: Nullable(Type.String({ description: 'Rapid Security Response, e.g. (a)' })),
  buildVersion: Type.String({ description: 'e.g. 24D70, 22E772610a' }),
});
export type OsFacts = Static<typeof OsFacts>;

/** Zoom installation. Source: /Applications/zoom.us.app/Contents/Info.plist. */
export const ZoomFacts = Type.Object({
  installed: Type.Boolean(),
  appPath: Type.String({ description: 'path of zoom.us.app looked at' }),
  bundleId: Nullable(Type.String({ description: 'CFBundleIdentifier, us.zoom.xos' })),
  shortVersion: Nullable(Type.String({ description: 'CFBundleShortVersionString as written, e.g. "5.16.10 (25689)"' })),
  bundleVersion: Nullable(Type.String({ description: 'CFBundleVersion, e.g. "5.16.10.25689"' })),
  version: Nullable(Type.String({ description: 'numeric dotted version used for comparison, e.g. 5.16.10.25689' })),
});
export type ZoomFacts = Static<typeof ZoomFacts>;

/** One row of a TCC.db `access` table, columns read by name. */
export const TccEntry = Type.Object({
  service: Type.String({ description: 'kTCCService name, e.g. kTCCServiceCamera' }),
  client: Type.String({ description: 'bundle id (clientType bundle) or absolute path (clientType path)' }),
  clientType: Type.Union([Type.Literal('bundle'), Type.Literal('path'), Type.Literal('unknown')], { description: 'client_type 0 bundle id, 1 path' }),
  authValue: Type.Integer({ description: 'auth_value: 0 denied, 1 unknown, 2 allowed, 3 limited; pre-macOS 11 `allowed` mapped to 0/2' }),
  authValueName: Type.String({ description: 'denied | unknown | allowed | limited | other(N)' }),
  authReason: Nullable(Type.Integer({ description: 'auth_reason, null before macOS 11' })),
  authReasonName: Nullable(Type.String({ description: 'e.g. user-consent, user-set, mdm-policy' })),
  lastModified: Nullable(Type.String({ description: 'last_modified as ISO 8601 (stored as Unix seconds)' })),
  indirectObject: Nullable(Type.String({ description: 'indirect_object_identifier when not UNUSED (AppleEvents target)' })),
});
export type TccEntry = Static<typeof TccEntry>;

/** One TCC.db file: system (`/Library/...`) or per-user (`~/Library/...`). */
export const TccDatabase = Type.Object({
  path: Type.String(),
  scope: Type.Union([Type.Literal('system'), Type.Literal('user')]),
  user: Nullable(Type.String()),
  status: Type.Union([Type.Literal('ok'), Type.Literal('unreadable'), Type.Literal('missing'), Type.Literal('unparseable')]),
  reason: Type.Optional(Type.String()),
  layout: Nullable(Type.String({ description: 'column layout detected by name: allowed-6, allowed-12, auth-13, auth-17, auth-19, other-N' })),
  columns: Type.Array(Type.String()),
  entries: Type.Array(TccEntry),
});
export type TccDatabase = Static<typeof TccDatabase>;

/**
 * One privacy decision tccd wrote to the unified log (`AUTHREQ_RESULT` joined to its request). Source:
 * `log show --style compact` of the com.apple.TCC subsystem, read when no per-user TCC.db can be (macOS 27).
 */
export const TccLogDecision = Type.Object({
  service: Type.String({ description: 'kTCCService name, e.g. kTCCServiceCamera' }),
  client: Type.String({ description: 'the subject tccd judged, e.g. us.zoom.xos' }),
  authValue: Type.Integer({ description: 'authValue: 0 denied, 1 unknown (not asked yet), 2 allowed, 3 limited' }),
  authValueName: Type.String({ description: 'denied | unknown | allowed | limited | other(N)' }),
  authReason: Type.Integer({ description: 'authReason, same numbers as auth_reason' }),
  authReasonName: Type.String({ description: 'e.g. user-consent (the user answered the prompt), mdm-policy' }),
  preflight: Nullable(Type.Boolean({ description: 'preflight=yes of AUTHREQ_CTX (a check, no prompt); null when not logged' })),
  observedAt: Type.String({ description: 'time of the AUTHREQ_RESULT line as log printed it (compact style: the Mac\'s local time, no zone)' }),
  lines: Type.Array(Type.String(), { maxItems: 8, description: 'the request\'s log lines, evidence as printed' }),
});
export type TccLogDecision = Static<typeof TccLogDecision>;

/** A `tccutil reset` the agent ran successfully: the log keeps the old decision, so the reset is reported beside it. */
export const TccLogReset = Type.Object({
  service: Type.String({ description: 'kTCCService name reset, e.g. kTCCServiceCamera' }),
  client: Type.String({ description: 'bundle id reset, e.g. us.zoom.xos' }),
  at: Type.String({ description: 'when the reset finished, in the layout and clock of the log lines (Mac local time, YYYY-MM-DD HH:MM:SS.mmm)' }),
});
export type TccLogReset = Static<typeof TccLogReset>;

/** The unified-log read of TCC decisions: what was asked, over which window, and the latest decision per app and service. */
export const TccLog = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unreadable')], { description: 'unreadable: log failed or its output was not understood (reason says why)' }),
  reason: Type.Optional(Type.String()),
  windowDays: Type.Integer({ description: 'days of log searched (log show --last <N>d); no decision in them is "not known", never "allowed"' }),
  clients: Type.Array(Type.String(), { description: 'apps whose decisions were kept, e.g. us.zoom.xos' }),
  decisions: Type.Array(TccLogDecision, { description: 'latest decision per client and service in the window' }),
  resets: Type.Optional(Type.Array(TccLogReset, { maxItems: 64, description: 'tcc.reset runs this agent completed: a reset newer than a decision supersedes it' })),
});
export type TccLog = Static<typeof TccLog>;

/** TCC: every TCC.db looked at, and (agents from macOS 27 support on, when no per-user TCC.db was read) the unified-log read. */
export const TccFacts = Type.Object({ databases: Type.Array(TccDatabase), log: Type.Optional(TccLog) });
export type TccFacts = Static<typeof TccFacts>;

/** One application in the firewall's list. Source: `socketfilterfw --listapps` or SPFirewallDataType. */
export const FirewallApp = Type.Object({
  path: Nullable(Type.String({ description: 'absolute app path (listapps)' })),
  name: Nullable(Type.String({ description: 'bundle id or process name when no path is given (SPFirewallDataType, macOS 15 beta layout)' })),
  allowIncoming: Nullable(Type.Boolean({ description: 'true Allow incoming, false Block incoming, null unknown' })),
});
export type FirewallApp = Static<typeof FirewallApp>;

/** Application firewall (ALF). Source: `/usr/libexec/ApplicationFirewall/socketfilterfw --get...`. */
export const FirewallFacts = Type.Object({
  globalState: Nullable(Type.Integer({ description: '0 off, 1 on (specific services), 2 block all incoming' })),
  blockAll: Nullable(Type.Boolean()),
  stealthMode: Nullable(Type.Boolean()),
  allowSignedBuiltIn: Nullable(Type.Boolean()),
  allowSignedDownloaded: Nullable(Type.Boolean()),
  apps: Nullable(Type.Array(FirewallApp, { description: 'the application list; null when `--listapps` could not be read (never [] for "could not read")' })),
});
export type FirewallFacts = Static<typeof FirewallFacts>;

/** Power per USB device, in mA. null = not reported by the source. */
export const UsbPower = Type.Object({
  availableMa: Nullable(Type.Number({ description: 'current available from the port (bus_power, Current Available)' })),
  requiredMa: Nullable(Type.Number({ description: 'current the device asked for (bus_power_used, Current Required)' })),
  allocatedMa: Nullable(Type.Number({ description: 'current granted (Power Allocated, UsbPowerSinkAllocation)' })),
  extraMa: Nullable(Type.Number({ description: 'extra operating current (extra_current_used)' })),
  sleepMa: Nullable(Type.Number({ description: 'sleep current (Apple devices)' })),
  failedRequest: Type.Boolean({ description: 'the port could not supply what was requested (kUSBFailedRequestedPower, or required > available)' }),
});
export type UsbPower = Static<typeof UsbPower>;

/** Device classes FleetMedic cares about: cameras and audio devices matter for calls. */
export const USB_DEVICE_KINDS = ['hub', 'camera', 'audio', 'storage', 'input', 'other'] as const;

export interface UsbDevice {
  name: string;
  kind: 'hub' | 'camera' | 'audio' | 'storage' | 'input' | 'other';
  vendorId: number | null;
  productId: number | null;
  vendorName: string | null;
  serialNumber: string | null;
  locationId: string | null;
  speed: string | null;
  builtIn: boolean | null;
  selfPowered: boolean | null;
  power: UsbPower;
  children: UsbDevice[];
}

/** A USB device or hub, with its children (tree). Ids are numbers (0x05ac -> 1452). */
export const UsbDevice = Type.Cyclic(
  {
    UsbDevice: Type.Object({
      name: Type.String(),
      kind: Type.Enum(USB_DEVICE_KINDS),
      vendorId: Nullable(Type.Integer()),
      productId: Nullable(Type.Integer()),
      vendorName: Nullable(Type.String()),
      serialNumber: Nullable(Type.String()),
      locationId: Nullable(Type.String({ description: 'hex, e.g. 0x14330000' })),
      speed: Nullable(Type.String({ description: 'low | full | high | super | super-plus | or link speed text' })),
      builtIn: Nullable(Type.Boolean()),
      selfPowered: Nullable(Type.Boolean()),
      power: UsbPower,
      children: Type.Array(Type.Ref('UsbDevice')),
    }),
  },
  'UsbDevice',
);

/** A USB bus (host controller) with its device tree. */
export const UsbBus = Type.Object({
  name: Type.String(),
  controller: Nullable(Type.String({ description: 'host_controller / Driver' })),
  locationId: Nullable(Type.String()),
  devices: Type.Array(UsbDevice),
});
export type UsbBus = Static<typeof UsbBus>;

/** USB topology. Source named in `source`. */
export const UsbFacts = Type.Object({
  source: Type.String({ description: 'SPUSBDataType | SPUSBHostDataType | ioreg' }),
  buses: Type.Array(UsbBus),
});
export type UsbFacts = Static<typeof UsbFacts>;

/** Power source. Sources: `pmset -g batt`, `pmset -g adapter`, `system_profiler -json SPPowerDataType`. */
export const PowerFacts = Type.Object({
  source: Type.Union([Type.Literal('ac'), Type.Literal('battery'), Type.Literal('ups'), Type.Literal('unknown')]),
  adapterConnected: Nullable(Type.Boolean()),
  adapterWatts: Nullable(Type.Number({ description: 'adapter rated wattage in W' })),
  adapterName: Nullable(Type.String()),
  batteryPresent: Nullable(Type.Boolean()),
  batteryPercent: Nullable(Type.Number({ description: 'state of charge, %' })),
  batteryState: Nullable(Type.String({ description: 'charging | discharging | charged | finishing charge | AC attached; not charging' })),
});
export type PowerFacts = Static<typeof PowerFacts>;
