/**
 * Facts about Zoom's own installs, the cameras and microphones macOS sees, and pending
 * software updates (issue 11). Sources are named per type; parsers live in @fleetmedic/macos.
 */
import Type, { type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Zoom Video Communications' Apple Developer Team ID (`codesign -dv`: TeamIdentifier=BJ4HAAB9B3). */
export const ZOOM_TEAM_ID = 'BJ4HAAB9B3';

/** What `codesign --verify` concluded, by macOS's own wording. */
export const CODE_SIGNATURE_VERDICTS = ['valid', 'sealed-resource', 'invalid-signature', 'not-signed', 'requirement-failed', 'other'] as const;
export type CodeSignatureVerdict = (typeof CODE_SIGNATURE_VERDICTS)[number];

/**
 * Result of `codesign --verify --deep --strict <app>` (stderr; exit 0 valid, 1 invalid, 3 requirement failed).
 * `reason` is macOS's sentence ("a sealed resource is missing or invalid"); `details` the lines that
 * follow it (`file modified: …`, `In architecture: arm64`, `In subcomponent: …`).
 */
export const CodeSignatureCheck = Type.Object({
  valid: Type.Boolean(),
  verdict: Type.Enum(CODE_SIGNATURE_VERDICTS),
  reason: Nullable(Type.String({ description: 'macOS wording of the failure; null when valid' })),
  details: Type.Array(Type.String()),
});
export type CodeSignatureCheck = Static<typeof CodeSignatureCheck>;

/** `codesign -dv <app>` (stderr): who signed it. */
export const CodeSignatureInfo = Type.Object({
  identifier: Nullable(Type.String({ description: 'Identifier=, e.g. us.zoom.xos' })),
  teamId: Nullable(Type.String({ description: 'TeamIdentifier=, null when "not set" (ad-hoc or Apple)' })),
  authorities: Type.Array(Type.String({ description: 'Authority= lines, leaf first (only at -dvv and above)' })),
  adhoc: Type.Boolean({ description: 'Signature=adhoc' }),
});
export type CodeSignatureInfo = Static<typeof CodeSignatureInfo>;

/**
 * One zoom.us.app on the Mac with its code signature. Source: `codesign --verify --deep --strict
 * --verbose=2 <app>` and `codesign -dvvv <app>` (both print to stderr), and the copy's Info.plist.
 * The copy at the policy's app path (default /Applications/zoom.us.app) carries no `bundleId` or
 * `version`: its Info.plist facts are the `zoom` section's (1.0), not repeated here.
 */
export const ZoomInstall = Type.Object({
  appPath: Type.String({ description: 'e.g. /Applications/zoom.us.app, /Users/alice/Applications/zoom.us.app' }),
  user: Nullable(Type.String({ description: 'owner of the ~/Applications copy; null for the copy at the policy\'s app path' })),
  bundleId: Type.Optional(Nullable(Type.String({ description: 'CFBundleIdentifier of this copy; absent for the policy\'s copy (see the zoom section); null: unreadable' }))),
  version: Type.Optional(Nullable(Type.String({ description: 'numeric dotted version, e.g. 5.16.10.25689; absent for the policy\'s copy; null: unreadable' }))),
  signature: Nullable(CodeSignatureCheck),
  signer: Nullable(CodeSignatureInfo),
  problems: Type.Array(Type.String({ description: 'what could not be read for this copy, e.g. "codesign -dvvv: not recorded"' })),
});
export type ZoomInstall = Static<typeof ZoomInstall>;

/** Kinds of Zoom's per-user data folders. */
export const ZOOM_DATA_KINDS = ['caches', 'application-support', 'logs'] as const;
export type ZoomDataKind = (typeof ZOOM_DATA_KINDS)[number];

/**
 * Zoom's own per-user data folders, relative to the home folder: the exact allow-list
 * `zoom.clear-caches` may remove (remediation-scope.ts). Names are Zoom's bundle id (Caches) and
 * its `zoom.us` folder (Application Support, Logs), as Zoom's uninstall instructions list them.
 */
export const ZOOM_DATA_FOLDERS: readonly { kind: ZoomDataKind; relative: string }[] = [
  { kind: 'caches', relative: 'Library/Caches/us.zoom.xos' },
  { kind: 'application-support', relative: 'Library/Application Support/zoom.us' },
  { kind: 'logs', relative: 'Library/Logs/zoom.us' },
];

/** One of Zoom's per-user data folders, measured without following symlinks. */
export const ZoomDataFolder = Type.Object({
  user: Type.String(),
  kind: Type.Enum(ZOOM_DATA_KINDS),
  path: Type.String({ description: 'absolute, e.g. /Users/alice/Library/Caches/us.zoom.xos' }),
  exists: Type.Boolean(),
  sizeBytes: Nullable(Type.Integer({ minimum: 0, description: 'bytes of the regular files inside (symlinks not followed); null when absent or unreadable' })),
  modifiedAt: Nullable(Type.String({ description: 'ISO 8601: the newest mtime in the folder; its age is the report\'s collectedAt minus this' })),
  problem: Type.Optional(Type.String({ description: 'why the folder could not be measured' })),
});
export type ZoomDataFolder = Static<typeof ZoomDataFolder>;

/** Every Zoom on the Mac with its signature, and each user's Zoom data folders. */
export const ZoomInstallsFacts = Type.Object({
  installs: Type.Array(ZoomInstall, { description: 'the policy\'s app path first (when present), then ~/Applications copies by user name' }),
  dataFolders: Type.Array(ZoomDataFolder),
});
export type ZoomInstallsFacts = Static<typeof ZoomInstallsFacts>;

/**
 * One camera of `system_profiler SPCameraDataType`. A USB (UVC) camera's model id names its
 * vendor and product id in decimal and its unique id is location id + vendor id + product id;
 * Apple silicon built-in, virtual and Continuity cameras carry neither.
 */
export const Camera = Type.Object({
  name: Type.String(),
  modelId: Nullable(Type.String({ description: 'e.g. "UVC Camera VendorID_1452 ProductID_34068", "iPhone14,4"' })),
  uniqueId: Nullable(Type.String({ description: 'e.g. 0x8020000005ac8514 or a UUID' })),
  vendorId: Nullable(Type.Integer()),
  productId: Nullable(Type.Integer()),
  locationId: Nullable(Type.String({ description: 'USB location id from the unique id, hex, e.g. 0x80200000' })),
});
export type Camera = Static<typeof Camera>;

/** One CoreAudio device of `system_profiler SPAudioDataType`. */
export const AudioDevice = Type.Object({
  name: Type.String(),
  inputChannels: Nullable(Type.Integer()),
  outputChannels: Nullable(Type.Integer()),
  transport: Nullable(Type.String({ description: 'builtin | usb | bluetooth | displayport | hdmi | virtual | unknown | ... as reported' })),
  manufacturer: Nullable(Type.String()),
  defaultInput: Type.Boolean(),
  defaultOutput: Type.Boolean(),
});
export type AudioDevice = Static<typeof AudioDevice>;

/**
 * Cameras and audio devices macOS sees (section `devices`). A list is null when its
 * system_profiler report could not be read: never an empty list standing for "could not read".
 * `defaultInput` is the name of the default input device, null when none is flagged (or audio unread).
 */
export const DevicesFacts = Type.Object({
  cameras: Nullable(Type.Array(Camera, { description: '`system_profiler -json SPCameraDataType`; [] = macOS lists no camera' })),
  audio: Nullable(Type.Array(AudioDevice, { description: '`system_profiler -json SPAudioDataType` (every CoreAudio device)' })),
  defaultInput: Nullable(Type.String()),
});
export type DevicesFacts = Static<typeof DevicesFacts>;

/** One entry of `softwareupdate --list`. */
export const SoftwareUpdateItem = Type.Object({
  label: Type.String({ description: 'e.g. "macOS Tahoe 26.7-25G229"' }),
  title: Nullable(Type.String()),
  version: Nullable(Type.String()),
  sizeKiB: Nullable(Type.Integer({ minimum: 0 })),
  recommended: Nullable(Type.Boolean()),
  restartRequired: Type.Boolean({ description: 'Action: restart' }),
});
export type SoftwareUpdateItem = Static<typeof SoftwareUpdateItem>;

/**
 * Pending updates as of `checkedAt` (section `softwareUpdate`): `softwareupdate --list` runs at most
 * once a day and its output is cached between runs in the agent's state dir. `updates` is null when
 * the list could not be read; `lastBootAt` null when `sysctl -n kern.boottime` could not be.
 */
export const SoftwareUpdateFacts = Type.Object({
  updates: Nullable(Type.Array(SoftwareUpdateItem)),
  checkedAt: Nullable(Type.String({ description: 'ISO 8601 time `softwareupdate --list` ran' })),
  // Sent by earlier agents: it grew at every report, so every report changed this section's hash and
  // took the full ingest with a history row. The list's age is the report's collectedAt - checkedAt.
  cacheAgeSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, description: 'earlier agents only: seconds between checkedAt and the collection' }))),
  lastBootAt: Nullable(Type.String({ description: 'ISO 8601 boot time (`sysctl -n kern.boottime`)' })),
});
export type SoftwareUpdateFacts = Static<typeof SoftwareUpdateFacts>;
