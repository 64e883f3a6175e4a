/**
 * The section registry: every section of a snapshot is declared here, once. The Snapshot schema,
 * SectionName, SECTION_NAMES, the delta report's hash list, the agent's collector table, the
 * platform source table, the recorded-Mac contract and the dashboard's panels are derived from
 * it or checked against it (by the compiler through `Record<SectionName, …>`, or by a test).
 * How to add a section: docs/adding-a-signal.md.
 */
import type { TSchema } from 'typebox';
import { FirewallFacts, OsFacts, PowerFacts, TccFacts, UsbFacts, ZoomFacts } from '../facts.js';
import { DevicesFacts, SoftwareUpdateFacts, ZoomInstallsFacts } from '../devices.js';
import { NetworkFacts } from '../network.js';

/**
 * Protocol versions a section can be introduced in. Sections of BASELINE_VERSION are required
 * on the wire; a section added later is optional, because agents older than it never send it.
 * Add a version here when a release adds a section.
 */
export type ProtocolVersion = '1.0' | '1.1';
export const BASELINE_VERSION = '1.0' satisfies ProtocolVersion;

/**
 * One source that can serve a section, in the section's preference order. `source` is what the
 * agent's collector switches on (apps/agent/src/platform/sources.ts); the version bounds gate it.
 */
export interface SourceRule {
  readonly source: string;
  /** First macOS major release (10 for all 10.x) where the source serves the signal. */
  readonly sinceMajor?: number;
  /** Last macOS major release where it serves the signal. */
  readonly untilMajor?: number;
  /** Why the row is what it is (facts in fixtures/macos/FORMATS.md). */
  readonly why: string;
}

/** What a recorded Mac (docs/recorded-mac.md) must hold for the agent's replay to collect the section. */
export interface RecordedInputs {
  /** `cmd/<name>.out|.err|.code` names: the `name` of the agent's COMMANDS specs the collector runs. */
  readonly commands: readonly string[];
  /** Absolute Mac paths read through `fs/<path>`; `~` stands for each home in host.json `homes`. */
  readonly files: readonly string[];
}

/**
 * Where the dashboard's device page shows the section: the panel's anchor id, its title and its
 * link in the page's table of contents. Sections may share a panel (os and zoom: "versions").
 */
export interface PanelRef {
  readonly id: string;
  readonly title: string;
  /** The table-of-contents link text. */
  readonly nav: string;
  /** The signal in words, as the page says "No <noun> facts reported yet". */
  readonly noun: string;
}

/** One section's declaration. */
export interface SectionSpec<D extends TSchema = TSchema> {
  /** TypeBox schema of the section's `data` (wrapped by `Section(...)` in the snapshot). */
  readonly data: D;
  /** Version that introduced the section: BASELINE_VERSION is required on the wire, later ones optional. */
  readonly since: ProtocolVersion;
  /** For admins and the API docs: what it holds, units, source commands, macOS versions. */
  readonly description: string;
  /** Sources in preference order, with the macOS releases each serves. */
  readonly sources: readonly SourceRule[];
  readonly recorded: RecordedInputs;
  readonly panel: PanelRef;
}

/** Identity with the spec's types kept literal (so `since` and the source ids stay literal types). */
const section = <const D extends TSchema, const S extends SectionSpec<D>>(spec: S & SectionSpec<D>): S => spec;

const TCC_DB = '/Library/Application Support/com.apple.TCC/TCC.db';
/** The application firewall's preferences (binary plist), macOS ≤ 14. */
export const ALF_PLIST = '/Library/Preferences/com.apple.alf.plist';

/** Every section, in the order snapshots, hashes and the API list them. */
export const SECTION_REGISTRY = {
  os: section({
    data: OsFacts,
    since: '1.0',
    description: 'macOS product name, version and build from `sw_vers` (every release).',
    sources: [{ source: 'sw_vers', why: 'ProductName, ProductVersion(Extra), BuildVersion on every release' }],
    recorded: { commands: ['sw_vers'], files: [] },
    panel: { id: 'versions', title: 'Versions', nav: 'Versions', noun: 'macOS' },
  }),
  zoom: section({
    data: ZoomFacts,
    since: '1.0',
    description: 'Zoom installed or not, its bundle id and versions, from `/Applications/zoom.us.app/Contents/Info.plist` (XML or binary plist, every release).',
    sources: [{ source: 'Info.plist', why: 'CFBundleShortVersionString, CFBundleVersion, CFBundleIdentifier on every release' }],
    recorded: { commands: [], files: ['/Applications/zoom.us.app/Contents/Info.plist'] },
    panel: { id: 'versions', title: 'Versions', nav: 'Versions', noun: 'Zoom' },
  }),
  tcc: section({
    data: TccFacts,
    since: '1.0',
    description: 'Privacy permissions: the `access` rows of the system and every user TCC.db, read with `sqlite3 -readonly -json` (needs Full Disk Access; column layout per macOS release); when no user TCC.db can be read (macOS 27), tccd\'s latest decisions about Zoom from `log show` (last 30 days).',
    sources: [
      { source: 'sqlite3-TCC.db', why: 'the access table of the system and per-user TCC.db on every release' },
      { source: 'log-show-TCC', why: 'tccd\'s AUTHREQ decisions about Zoom in the unified log, read when no per-user TCC.db could be (macOS 27: out of reach)' },
    ],
    recorded: { commands: ['log-show-tcc'], files: [TCC_DB, `~${TCC_DB}`] },
    panel: { id: 'tcc', title: 'Privacy permissions (TCC)', nav: 'Privacy (TCC)', noun: 'TCC' },
  }),
  firewall: section({
    data: FirewallFacts,
    since: '1.0',
    description: 'Application firewall: global state 0/1/2, block-all, stealth mode, allow-signed and the app list, from `socketfilterfw`, else `/Library/Preferences/com.apple.alf.plist` (macOS ≤ 14) or `system_profiler -json SPFirewallDataType` (macOS 15+).',
    sources: [
      { source: 'socketfilterfw', why: 'reads global state, block-all, stealth mode, allow-signed and the app list on every release' },
      { source: 'com.apple.alf.plist', untilMajor: 14, why: 'the firewall\'s own preferences file up to macOS 14 (gone in 15), readable by any user: the fallback when socketfilterfw fails' },
      { source: 'SPFirewallDataType', sinceMajor: 15, why: 'system_profiler firewall report from macOS 15: the fallback when socketfilterfw fails' },
    ],
    recorded: {
      commands: [
        'socketfilterfw-getglobalstate', 'socketfilterfw-getblockall', 'socketfilterfw-getstealthmode', 'socketfilterfw-getallowsigned',
        'socketfilterfw-listapps', 'system_profiler-SPFirewallDataType',
      ],
      files: [ALF_PLIST],
    },
    panel: { id: 'firewall', title: 'Application firewall', nav: 'Firewall', noun: 'firewall' },
  }),
  usb: section({
    data: UsbFacts,
    since: '1.0',
    description: 'USB topology with bus power, current available and required (mA), from `system_profiler -json SPUSBDataType` (≤ 15), `SPUSBHostDataType` (26+), else `ioreg -p IOUSB -l -w0`.',
    sources: [
      { source: 'SPUSBDataType', untilMajor: 15, why: 'full tree with bus power and current required (mA) up to macOS 15; empty on 26+ (exit 0)' },
      { source: 'SPUSBHostDataType', sinceMajor: 26, why: 'replaces SPUSBDataType on macOS 26+ (power only as Power Allocated)' },
      { source: 'ioreg-IOUSB', why: 'IOUSB plane on every release: the fallback when system_profiler fails' },
    ],
    recorded: { commands: ['system_profiler-SPUSBDataType', 'system_profiler-SPUSBHostDataType', 'ioreg-IOUSB'], files: [] },
    panel: { id: 'usb', title: 'USB devices and power', nav: 'USB', noun: 'USB' },
  }),
  power: section({
    data: PowerFacts,
    since: '1.0',
    description: 'Power source, battery state and adapter (W) from `pmset -g batt` and `pmset -g adapter`, with `system_profiler -json SPPowerDataType` (every release).',
    sources: [
      { source: 'pmset', why: 'power source, battery state and adapter on every release' },
      { source: 'SPPowerDataType', why: 'adapter wattage and name, battery presence on every release' },
    ],
    recorded: { commands: ['pmset-batt', 'pmset-adapter', 'system_profiler-SPPowerDataType'], files: [] },
    panel: { id: 'power', title: 'Power', nav: 'Power', noun: 'power' },
  }),
  network: section({
    data: NetworkFacts,
    since: '1.1',
    description: 'The path to Zoom: DNS (system resolver), TCP and TLS verdicts to the policy\'s Zoom hosts and to the FleetMedic server (never timings), '
      + 'proxies and PAC (`scutil --proxy`), VPN services (`scutil --nc list`), network and endpoint-security extensions (`systemextensionsctl list`, macOS 10.15+). docs/network-probes.md.',
    sources: [
      { source: 'network-probes', why: 'Node dns.lookup / net / tls from the Mac on every release; a recorded Mac answers from net/' },
      { source: 'scutil', why: '`scutil --proxy` and `scutil --nc list` on every release' },
      { source: 'systemextensionsctl', why: 'system extensions exist from macOS 10.15' },
    ],
    recorded: { commands: ['scutil-proxy', 'scutil-nc-list', 'systemextensionsctl-list'], files: [] },
    panel: { id: 'network', title: 'Network path to Zoom', nav: 'Network', noun: 'network' },
  }),
  zoomInstalls: section({
    data: ZoomInstallsFacts,
    since: '1.1',
    description: 'Every zoom.us.app (the policy\'s app path and each user\'s ~/Applications) with its code signature '
      + '(`codesign --verify --deep --strict --verbose=2`: valid or macOS\'s reason; `codesign -dvvv`: identifier and Team ID, Zoom\'s is BJ4HAAB9B3), '
      + 'the Info.plist version of copies other than the policy\'s (that one is the zoom section), and each user\'s Zoom data folders '
      + '(caches, application support, logs: size in bytes, newest mtime; symlinks not followed). Every release.',
    sources: [{ source: 'codesign', why: '`codesign --verify` and `codesign -dvvv` on every release; Info.plist and the data folders are read as files' }],
    recorded: { commands: ['codesign-verify-zoom', 'codesign-dvvv-zoom'], files: ['~/Applications/zoom.us.app/Contents/Info.plist'] },
    panel: { id: 'zoom-installs', title: 'Zoom installs and data', nav: 'Zoom installs', noun: 'Zoom install' },
  }),
  devices: section({
    data: DevicesFacts,
    since: '1.1',
    description: 'Cameras and CoreAudio devices macOS sees and the default input device, from `system_profiler -json SPCameraDataType` '
      + 'and `-json SPAudioDataType` (every release; the text form is read when a recording holds only that).',
    sources: [
      { source: 'SPCameraDataType', why: 'every camera AVFoundation offers apps, with the UVC vendor, product and location ids, on every release' },
      { source: 'SPAudioDataType', why: 'every CoreAudio device with channel counts, transport and the default input/output flags on every release' },
    ],
    recorded: { commands: ['system_profiler-SPCameraDataType', 'system_profiler-SPAudioDataType'], files: [] },
    panel: { id: 'devices', title: 'Cameras and microphones', nav: 'Cameras & mics', noun: 'camera and microphone' },
  }),
  softwareUpdate: section({
    data: SoftwareUpdateFacts,
    since: '1.1',
    description: 'Pending Apple software updates from `softwareupdate --list` (lists only, never downloads; run at most once a day, '
      + 'cached in the agent\'s state dir between runs, with the cache\'s age) and the last boot time from `sysctl -n kern.boottime` (every release).',
    sources: [
      { source: 'softwareupdate-list', why: '`softwareupdate --list` asks the catalog without downloading; the `* Label:` layout from macOS 10.15' },
      { source: 'sysctl-kern.boottime', why: '`{ sec = <epoch>, usec = … }` on every release' },
    ],
    recorded: { commands: ['softwareupdate-list', 'sysctl-kern.boottime'], files: [] },
    panel: { id: 'software-update', title: 'Software updates and restarts', nav: 'Updates', noun: 'software update' },
  }),
} as const;

export type SectionRegistry = typeof SECTION_REGISTRY;
/** The name of a section: a key of the registry. */
export type SectionName = keyof SectionRegistry;
/** Sections introduced after BASELINE_VERSION: optional on the wire. */
export type LaterSectionName = { [N in SectionName]: SectionRegistry[N]['since'] extends typeof BASELINE_VERSION ? never : N }[SectionName];
/** Sections every report carries (since BASELINE_VERSION). */
export type BaselineSectionName = Exclude<SectionName, LaterSectionName>;

/** The id of every source any section can be read from (the agent's SourceId). */
export type SectionSourceId = SectionRegistry[SectionName]['sources'][number]['source'];
