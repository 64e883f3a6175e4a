/**
 * What every recorded Mac is made of: for each file, the real capture it is copied from.
 * `build.ts` turns this manifest into the Mac folders, the TCC SQL and README.md; the test
 * checks the committed folders against it. Contract: docs/recorded-mac.md.
 */

/** A piece of a recorded file. Lines are 1-based and inclusive; each copied line keeps its bytes and gets "\n". */
export type Part =
  /** Lines of a capture in shared/fixtures/macos (path relative to that folder). */
  | { fixture: string; lines?: [number, number]; stripPrefix?: string }
  /** Lines of a public capture kept in recorded-macs/extra-captures (see its SOURCES.md). */
  | { extra: string; lines?: [number, number]; stripPrefix?: string }
  /** Text that is not a copy of a capture. `why` is printed in README.md next to it. */
  | { written: string; why: string };

/** One `cmd/<name>.<ext>` file. */
export interface CmdFile {
  name: string;
  ext: 'out' | 'err' | 'code';
  parts: Part[];
  note?: string;
}

/** Zoom's state for one TCC service. allowed: auth_value 2; denied: 0 by the user (auth_reason 2); mdm-denied: 0 by MDM policy (auth_reason 6). */
export type ZoomTcc = 'allowed' | 'denied' | 'mdm-denied';
export type ZoomTccMap = Partial<Record<'Camera' | 'Microphone' | 'ScreenCapture', ZoomTcc>>;

/**
 * Exact `CREATE TABLE access` text, named by its sha1[:10] fingerprint
 * (fixtures/tcc/schema-access-by-version-verified.md).
 */
export type AccessLayout = 'auth13-3d1c2a0e97' | 'auth13-cef70648de' | 'auth17-e3a2181c14' | 'auth17-f773496775';

/** Sets of real rows (fixtures/tcc). */
export type RowSet = 'ventura-user-13col' | '2024-user' | '2024-system' | 'sonoma-logga-system';

/** One TCC.db of a recorded Mac. */
export interface TccDbSpec {
  scope: 'system' | 'user';
  /** Home folder owner for a user database. */
  user?: string;
  layout: AccessLayout;
  /** Add the `integrity_flag` table (seen in the macOS 26.6.2 dump only). */
  integrityFlag: boolean;
  rows: RowSet[];
  /** Zoom's rows (us.zoom.xos), set by the scenario: they are not captures. */
  zoom: ZoomTccMap;
}

/** Zoom versions whose Info.plist values come from fixtures/zoom. */
export type ZoomVersion = '7.1.5' | '5.16.10' | '4.5.0';

export interface HostJson {
  hostname: string;
  serialNumber: string | null;
  hardwareModel: string | null;
  architecture: 'arm64' | 'x86_64';
  consoleUser?: string;
  homes: Record<string, string>;
}

export interface MacSpec {
  folder: string;
  macos: string;
  hardware: string;
  host: HostJson;
  summary: string;
  expectedFindings: string[];
  /** How the scenario's data differs from a healthy Mac, for README. */
  trigger: string;
  cmds: CmdFile[];
  zoom: ZoomVersion | null;
  tcc: TccDbSpec[];
  /** Absolute Mac paths the agent may not read (denied.txt). */
  denied: string[];
  /**
   * The network probes' answers, `net/<path>` -> Node's answer (apps/agent/src/probes/answers.ts),
   * written as JSON. Scenario data shaped like Node's real answers (extra-captures/node-*.txt):
   * probing Zoom is not something a public capture records.
   */
  net?: Record<string, unknown>;
  notes?: string[];
  /** Zoom copies in users' own ~/Applications: user -> version (Info.plist written as for `zoom`). */
  homeZoom?: Record<string, ZoomVersion>;
}

/** Upstream source of each capture used, as INDEX.md (or extra-captures/SOURCES.md) gives it. */
export const UPSTREAM: Record<string, string> = {
  'sw_vers/monterey-12.5.1-21G83.txt': 'find_string id 22430147708 (README); macOS 12.5.1',
  'sw_vers/ventura-13.0-22A380-single-tab.txt': 'find_string id 30406629362 (hackintosh README); macOS 13.0',
  'sw_vers/ventura-13.3.1a-22E772610a-rsr-x86.txt': 'find_string id 7934288523 (Chinese notes; x86_64 kernel); macOS 13.3.1 (a) RSR',
  'sw_vers/tahoe-26.5.1-25F80-m5pro-env-record.txt': 'find_string id 70068308308 (Chinese environment record, 2026-10-03); MacBook Pro M5 Pro (T6050), macOS 26.5.1',
  'power/pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt': 'find_string id 70068308308 (same record as the sw_vers above); M5 Pro, macOS 26.5.1',
  'power/pmset-ps-and-adapter-notes-18W-85W-67W.txt': 'find_string id 22508806815 (personal notes); Intel MacBook, macOS ~10.15–12',
  'power/pmset-g-ac-40W-pwr-adapter-60W-max.txt': 'find_string id 56763958666 (Chinese pmset report, 2025); MacBook Air M-series',
  'firewall/pareto139-combined-get-with-stealth-error.txt': 'https://github.com/ParetoSecurity/pareto-mac/issues/139 (2023-07-30); macOS 13 era',
  'firewall/kolide-combined-get-v1-state1.txt': 'kolide/launcher ee/tables/execparsers/socketfilterfw/test-data/data.txt @ 551d945c6b247928abddd941fa56069f5ef509fa; macOS 14/15',
  'firewall/kolide-combined-get-v2-state2.txt': 'kolide/launcher ee/tables/execparsers/socketfilterfw/test-data/data.txt @ c716c19332e7d0b1a25d0bfa0491bc7c9c62a35f; macOS 14/15 (semi-real per INDEX)',
  'firewall/machealthcheck-pr8-globalstate-2.txt': 'https://github.com/dan-snelson/Mac-Health-Check/pull/8 (2025-07-23); macOS 15',
  'firewall/osquery2322-listapps-old-format-2016.txt': 'https://github.com/osquery/osquery/issues/2322 (2016-08-06); OS X 10.11',
  'firewall/nixdarwin-1705-listapps-new-format.txt': 'https://github.com/nix-darwin/nix-darwin/issues/1705 (2026-02-20); macOS 15.x/26 VM',
  'firewall/darwin27-listapps-zoom-entry-measured.txt': 'find_string id 71647674014 (Swift test, entry 1 "measured", Darwin 27); macOS 27',
  'spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json': 'tuna-f1sh/cyme tests/data/system_profiler_dump.json @ fa8a09557443c62b603f14aa993f9a0c98ff1101; Intel MBP with T2, macOS ~12/13',
  'spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json': 'find_string id 17296230510 (Go test const noPartition); Apple M1 Pro/Max (T6000)',
  'spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json': 'mudita/mudita-center macos-usb-port-device-parser.test.ts @ e4fedecc2ab3c03d9619ba6752397bd2e638850d; Apple M1 Pro/Max (T6000)',
  'spusb_json/palmsync-m2-t8112-palm-handheld.json': 'find_string id 32351976050 (PalmSync4Mac Elixir test); Apple M2 (T8112), macOS 13/14',
  'spusbhost/testfixture-trimmed-m5-t6050-sandisk.json': 'find_string id 70340394392 (Swift test, whitespace compacted by its author); M5-family MBP, macOS 26',
  'spusbhost/testfixture-trimmed-m2pro-empty-spusb.json': 'find_string id 70995847274 (Rust test const; Mac14,10 M2 Pro); macOS 26',
  'ioreg_usb/m1max-macos27-ioreg-p-IOUSB-w0-no-devices.txt': 'find_string id 69439683683 (lab notes "Decisive evidence (verbatim)"); M1 Max, macOS 27.0',
  'tccutil/blog2022-terminal-camera.txt': 'find_string id 23761942050 (blog post 2022-12-26); macOS 12/13',
  'tccutil/jetforme-reset-all-bundle-3lines.txt': 'https://jetforme.org/2023/12/transparency-consent-control; macOS 14.2',
  'tccutil/meetai-reset-success-x4.txt': 'find_string id 70113712523 (meet-ai research notes, 2026-09-28); macOS 26.x',
  'tccutil/june-no-such-bundle-stderr-osstatus.txt': 'find_string id 56426085603 (vitest fixture, status 64, stderr); recent macOS',
  'tcc/rows-ventura-select-star-13col.txt': 'find_string id 3365278480 (personal TCC notes); select * rows, 13 columns, 2023-02-16 = Ventura',
  'tcc/rows-2024-user-db-service-client-authvalue.txt': 'find_string id 3365278480 (same notes, 2024-09-11 entries); user TCC.db, macOS 14/15',
  'tcc/rows-2024-system-db-service-client-authvalue.txt': 'find_string id 3365278480 (same notes, 2024-09-11 entries); system TCC.db, macOS 14/15',
  'tcc/rows-17col-sonoma-logga-blog-csreq-blob-newline.txt': 'find_string id 14966496897 (blog on the "logga" tool, 2023); macOS 14, 17 columns',
  'tcc/schema-access-by-version-verified.md': 'reconstructed from the 26.6.2 dump, each CREATE verified by sha1[:10] against jacobsalmela/tccutil tccutil.py @ 28b1942216d30b0d9970690a238c3fc8785e5279',
  'tcc/schema-macos26.6.2-25G83-user-TCCdb.sql': 'find_string id 71023761263 (.schema of a macOS 26.6.2 user TCC.db)',
  'zoom/fleet-maintained-app-zoom-version-query.json': 'fleetdm/fleet ee/maintained-apps/outputs/zoom/darwin.json @ 06ed58a3048e084b2129425f2a9aa509b0d55dac; Zoom 7.1.5.84650',
  'zoom/osquery-apps-snapshot-zoom-5.16.10.json': 'find_string id 22601472531 (osquery apps snapshot); Zoom 5.16.10',
  'zoom/homebysix236-CFBundleShortVersionString-4.5.0.plist-fragment.xml': 'https://github.com/autopkg/homebysix-recipes/issues/236 (2019-08-26); Zoom 4.5.0',
  'zoom/grep-bundleident-us.zoom.xos.txt': 'tccplus README (find_string ids 23676860567/38471666782); CFBundleIdentifier us.zoom.xos',
  // extra-captures/ (not in shared/fixtures; see extra-captures/SOURCES.md)
  'extra:sw_vers-sonoma-14.6.1-23G93-t6000.txt': 'find_string id 62466988240 (essay "Software Versions" block, 2026-02-15); M1 Max (T6000), macOS 14.6.1',
  'extra:sw_vers-sonoma-14.4.1-23E224-arm64.txt': 'find_string id 9710817399 (C source comment with a terminal log); arm64, macOS 14.4.1',
  'extra:sw_vers-sequoia-15.6.1-24G90-t6000.txt': 'find_string id 9911543717 (bug report "Test Environment"); MacBook Pro T6000, macOS 15.6.1',
  'extra:sw_vers-sequoia-15.0-24A335.txt': 'find_string id 19308266283 (Japanese multipass note); macOS 15.0',
  'extra:sw_vers-27.0-26A428-t8132.txt': 'find_string id 69348655571 (Chinese tool inventory); arm64 T8132 (M4), macOS 27.0',
  'extra:log-tcc-compact-macmini-2026-10-06-prompt-denied.txt': 'find_string id 71362385156 (test of a Mac-mini setup tool: "real tccd log lines on the Mac mini, 06/10/2026, tail trimmed"); macOS 26/27 (not stated)',
  'extra:log-tcc-compact-aterm-2026-08-31-lines.txt': 'find_string id 59261573190 (Rust test constants captured from /usr/bin/log stream, 2026-08-31); macOS 26/27 (not stated)',
  'extra:scutil-proxy-measured-none-default-exceptions.txt': 'find_string id 71365582930 (Python test constant, "measured" on its author\'s Mac): no proxy, default exceptions',
  'extra:scutil-proxy-httptoolkit151-pac.txt': 'https://github.com/httptoolkit/httptoolkit/issues/151 (macOS 10.15.7): PAC http://wpad.company.com/wpad.dat',
  'extra:scutil-nc-list-alfred19-empty.txt': 'https://github.com/mrodalgaard/alfred-network-workflow/issues/19 (2023-11-17): header only, no service',
  'extra:scutil-nc-list-tailscale-connected-protonvpn.txt': 'find_string id 71048987528 (Rust test, "this machine\'s verbatim output"): Tailscale connected, ProtonVPN disconnected',
  'extra:sysextctl-list-ramen-no-extensions.txt': 'RamenDR/ramen testdata no-extensions.stdout @ b04bd477139fcbea8763716f571338b1213346bd: "0 extension(s)"',
  'extra:sysextctl-list-ramen-cisco-crowdstrike-enabled.txt': 'RamenDR/ramen testdata enabled-and-active.stdout @ ace9383565db4821b2776dca10b0d686b9bd2c1c: Cisco Secure Client and CrowdStrike Falcon enabled',
  'sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt': 'find_string id 59110972667 (Swift tests, "verbatim from a real machine"): v2RayTun [activated waiting for user]',
  'extra:codesign-dvvv-zoom-objective-see-elided.txt': 'find_string id 19188023049 (Chinese translation of Objective-See\'s 2020 Zoom post): codesign -dvvv /Applications/zoom.us.app, middle elided',
  'extra:codesign-dv-zoom-airhost-sonoma.txt': 'find_string id 53527870790 (OffSec macOS course, Listing 78, host sonoma1): codesign -dv of Zoom\'s airhost.app, TeamIdentifier=BJ4HAAB9B3',
  'extra:system_profiler-json-otmkit-m5-macbookpro.json': 'find_string id 70340394392 (Swift test "A MacBook Pro on macOS 27 with a flash drive in"; same capture as spusbhost/testfixture-trimmed-m5-t6050-sandisk.json): MacBook Pro Camera, MacBook Pro Microphone',
  'extra:system_profiler-json-otmkit-vm-26-no-camera.json': 'find_string id 70340394392 (same test, "A macOS 26 virtual machine: no Thunderbolt, no cameras"): "SPCameraDataType" : [ ]',
  'extra:SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json': 'find_string id 59455221778 (Elixir test, "captured verbatim" on a MacBook Pro, 2026-08-09): built-in microphone default input',
  'extra:SPAudioDataType-text-foil-macmini-speakers-only.txt': 'find_string id 56112352172 (Foil preflight shell test, its Mac mini: "No microphone detected"): Mac mini Speakers only, text form',
  'extra:softwareupdate-list-no-updates-fleet.txt': 'fleetdm/fleet orbit/pkg/table/software_update/testdata/no_updates.txt @ 532ef671de27b3e1e477e4816aad815b412216b6: "No new software available."',
  'softwareupdate/fleet-updates-available-tahoe-26.7-and-27.txt': 'fleetdm/fleet orbit/pkg/table/software_update/testdata/updates_available.txt @ 0a8096ac0a588119877a15b0390d3ff21e2fa819; a macOS 26 Mac offered 26.7 and 27',
  'extra:sysctl-kern.boottime-review-2026-09-03.txt': 'find_string id 68592035267 (design review, macOS has no boot_id): boot 2026-09-03',
  'extra:sysctl-kern.boottime-uptime-doc-2026-06-02.txt': 'find_string id 59210170637 (uptime notes, "Measured, not assumed"): boot 2026-06-02',
  'extra:socketfilterfw-add-unblockapp-blog-nginx.txt': 'find_string id 103811115 (Chinese nginx note, nginx 1.10 era = OS X 10.11); outputs quoted after "#显示 " ("shows")',
};

// ---- building blocks shared by several Macs -------------------------------------------------

const f = (fixture: string, lines?: [number, number]): Part => (lines ? { fixture, lines } : { fixture });
const x = (extra: string, lines?: [number, number]): Part => (lines ? { extra, lines } : { extra });
const cmd = (name: string, ...parts: Part[]): CmdFile => ({ name, ext: 'out', parts });

const SW = {
  monterey: cmd('sw_vers', f('sw_vers/monterey-12.5.1-21G83.txt', [2, 4])),
  ventura130: cmd('sw_vers', f('sw_vers/ventura-13.0-22A380-single-tab.txt', [1, 3])),
  ventura1331a: cmd('sw_vers', f('sw_vers/ventura-13.3.1a-22E772610a-rsr-x86.txt', [8, 11])),
  sonoma1461: cmd('sw_vers', x('sw_vers-sonoma-14.6.1-23G93-t6000.txt', [5, 7])),
  sonoma1441: cmd('sw_vers', x('sw_vers-sonoma-14.4.1-23E224-arm64.txt', [2, 4])),
  sequoia1561: cmd('sw_vers', x('sw_vers-sequoia-15.6.1-24G90-t6000.txt', [5, 7])),
  sequoia150: cmd('sw_vers', x('sw_vers-sequoia-15.0-24A335.txt', [2, 4])),
  tahoe2651: cmd('sw_vers', f('sw_vers/tahoe-26.5.1-25F80-m5pro-env-record.txt', [2, 4])),
  macos27: cmd('sw_vers', x('sw_vers-27.0-26A428-t8132.txt', [2, 4])),
};

const PARETO = 'firewall/pareto139-combined-get-with-stealth-error.txt';
const KOLIDE1 = 'firewall/kolide-combined-get-v1-state1.txt';
const NIX = 'firewall/nixdarwin-1705-listapps-new-format.txt';

/** Old wording (macOS 13 era), one line per --get flag of one combined call; stealth prints the ALF error. */
const FW_OLD: CmdFile[] = [
  cmd('socketfilterfw-getglobalstate', f(PARETO, [3, 3])),
  cmd('socketfilterfw-getblockall', f(PARETO, [4, 4])),
  cmd('socketfilterfw-getallowsigned', f(PARETO, [5, 6])),
  cmd('socketfilterfw-getstealthmode', f(PARETO, [7, 7])),
  cmd('socketfilterfw-listapps', f('firewall/osquery2322-listapps-old-format-2016.txt')),
];

/** New wording (macOS 14 and later; the Darwin 27 Swift test says the same lines were measured there). */
const FW_NEW_GET: CmdFile[] = [
  cmd('socketfilterfw-getglobalstate', f(KOLIDE1, [1, 1])),
  cmd('socketfilterfw-getblockall', f(KOLIDE1, [2, 2])),
  cmd('socketfilterfw-getallowsigned', f(KOLIDE1, [3, 4])),
  cmd('socketfilterfw-getstealthmode', f(KOLIDE1, [5, 5])),
];
const LISTAPPS_NIX = cmd('socketfilterfw-listapps', f(NIX, [3, 21]));

const SFW_ANSWERS: CmdFile[] = [
  cmd('socketfilterfw-add', { extra: 'socketfilterfw-add-unblockapp-blog-nginx.txt', lines: [3, 3], stripPrefix: '#显示 ' }),
  cmd('socketfilterfw-unblockapp', { extra: 'socketfilterfw-add-unblockapp-blog-nginx.txt', lines: [7, 7], stripPrefix: '#显示 ' }),
];

const RESET_OLD = cmd('tccutil-reset', f('tccutil/blog2022-terminal-camera.txt', [2, 2]));
const RESET_14 = cmd('tccutil-reset', f('tccutil/jetforme-reset-all-bundle-3lines.txt', [3, 5]));
const LOG_MACMINI = 'log-tcc-compact-macmini-2026-10-06-prompt-denied.txt';
/** `log show` of a macOS 27 Mac on which Zoom asked for nothing: real tccd lines of other programs. */
const LOG_TCC_NO_ZOOM = cmd('log-show-tcc', x(LOG_MACMINI, [1, 1]), x('log-tcc-compact-aterm-2026-08-31-lines.txt'));
/** Zoom's camera prompt answered "Don't Allow": the real prompt and result lines, the prompt's service and subject made Zoom's. */
const LOG_TCC_ZOOM_CAMERA_DENIED = cmd(
  'log-show-tcc',
  x(LOG_MACMINI, [1, 1]),
  {
    written: '2026-10-06 11:57:48.683 Df tccd[75697:5ad68f1] [com.apple.TCC:access] AUTHREQ_PROMPTING: msgID=75841.27701, service=kTCCServiceCamera, subject=Sub:{us.zoom.xos}Resp:{TCCDProcess: identifier=us.zoom.xos, pid=84654}',
    why: `line 3 of extra-captures/${LOG_MACMINI} with service kTCCServiceSystemPolicyDesktopFolder -> kTCCServiceCamera and subject /private/tmp/opendir (identifier opendir) -> us.zoom.xos: no real tccd line about Zoom was found`,
  },
  x(LOG_MACMINI, [4, 4]),
);
const RESET_26 = cmd('tccutil-reset', f('tccutil/meetai-reset-success-x4.txt', [2, 5]));
const RESET_NO_BUNDLE: CmdFile[] = [
  { name: 'tccutil-reset', ext: 'err', parts: [f('tccutil/june-no-such-bundle-stderr-osstatus.txt')] },
  {
    name: 'tccutil-reset',
    ext: 'code',
    parts: [{ written: '64', why: 'exit status 64 recorded with this stderr by its source (INDEX: "vitest fixture, status 64")' }],
  },
];

const PMSET_INTEL: CmdFile[] = [
  cmd('pmset-batt', f('power/pmset-ps-and-adapter-notes-18W-85W-67W.txt', [2, 3])),
  cmd('pmset-adapter', f('power/pmset-ps-and-adapter-notes-18W-85W-67W.txt', [19, 28])),
];
const PMSET_M5: CmdFile[] = [
  cmd('pmset-batt', f('power/pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt', [9, 10])),
  cmd('pmset-adapter', f('power/pmset-g-ac-40W-pwr-adapter-60W-max.txt')),
];

const usbJson = (fixture: string): CmdFile[] => [cmd('system_profiler-SPUSBDataType', f(fixture))];
/** macOS 26 captures hold both data types in one JSON object: the same bytes answer both commands. */
const usbHostJson = (fixture: string): CmdFile[] => [
  cmd('system_profiler-SPUSBDataType', f(fixture)),
  cmd('system_profiler-SPUSBHostDataType', f(fixture)),
];

const consoleUser = (name: string, why = 'console user of this scenario'): CmdFile => ({
  name: 'console-user',
  ext: 'out',
  parts: [{ written: name, why: `\`stat -f %Su /dev/console\` prints the owner's name and a newline; no capture of it exists in the fixtures (${why})` }],
});

const ALL_ALLOWED_USER: ZoomTccMap = { Camera: 'allowed', Microphone: 'allowed' };
const SCREEN_ALLOWED: ZoomTccMap = { ScreenCapture: 'allowed' };

const sys13 = (layout: AccessLayout, zoom: ZoomTccMap): TccDbSpec => ({ scope: 'system', layout, integrityFlag: false, rows: ['2024-system'], zoom });
const user13 = (user: string, layout: AccessLayout, zoom: ZoomTccMap): TccDbSpec => ({ scope: 'user', user, layout, integrityFlag: false, rows: ['ventura-user-13col'], zoom });
const sys14 = (zoom: ZoomTccMap): TccDbSpec => ({ scope: 'system', layout: 'auth17-e3a2181c14', integrityFlag: false, rows: ['sonoma-logga-system', '2024-system'], zoom });
const user14 = (user: string, zoom: ZoomTccMap): TccDbSpec => ({ scope: 'user', user, layout: 'auth17-e3a2181c14', integrityFlag: false, rows: ['2024-user'], zoom });
const sys15 = (zoom: ZoomTccMap, integrityFlag = false): TccDbSpec => ({ scope: 'system', layout: 'auth17-f773496775', integrityFlag, rows: ['2024-system'], zoom });
const user15 = (user: string, zoom: ZoomTccMap, integrityFlag = false): TccDbSpec => ({ scope: 'user', user, layout: 'auth17-f773496775', integrityFlag, rows: ['2024-user'], zoom });

export const SYSTEM_TCC = '/Library/Application Support/com.apple.TCC/TCC.db';
export const userTcc = (user: string): string => `/Users/${user}/Library/Application Support/com.apple.TCC/TCC.db`;
/** The macOS 27 M4 Mac mini's recordings besides the unified log (no system_profiler USB, no pmset: see its notes). */
const MAC27_M4: CmdFile[] = [
  SW.macos27,
  cmd('ioreg-IOUSB', f('ioreg_usb/m1max-macos27-ioreg-p-IOUSB-w0-no-devices.txt')),
  ...FW_NEW_GET,
  cmd('socketfilterfw-listapps', f('firewall/darwin27-listapps-zoom-entry-measured.txt')),
  consoleUser('user'),
  RESET_26,
  ...SFW_ANSWERS,
];
const homes = (...users: string[]): Record<string, string> => Object.fromEntries(users.map((u) => [u, `/Users/${u}`]));

// ---- the Macs --------------------------------------------------------------------------------

const BASE_MACS: MacSpec[] = [
  {
    folder: 'mbp-intel-t2-12-macos-outdated',
    macos: '12.5.1 (21G83)',
    hardware: 'Intel MacBook Pro with T2',
    host: { hostname: 'mbp-intel-t2-12', serialNumber: 'SERIAL-REDACTED-01', hardwareModel: null, architecture: 'x86_64', homes: homes('user') },
    summary: 'Intel MacBook Pro still on macOS 12 Monterey; Zoom current, permissions granted, nobody logged in at the console.',
    expectedFindings: ['macos.outdated'],
    trigger: 'sw_vers ProductVersion 12.5.1 < 14.0',
    cmds: [
      SW.monterey,
      ...usbJson('spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json'),
      ...FW_OLD,
      ...PMSET_INTEL,
      consoleUser('root', 'at the login window /dev/console belongs to root'),
      RESET_OLD,
      ...SFW_ANSWERS,
    ],
    zoom: '7.1.5',
    tcc: [sys13('auth13-3d1c2a0e97', SCREEN_ALLOWED), user13('user', 'auth13-3d1c2a0e97', ALL_ALLOWED_USER)],
    denied: [],
    notes: ['No consoleUser in host.json: console-user prints `root` (login window).'],
  },
  {
    folder: 'mbp-intel-t2-13-zoom-not-installed',
    macos: '13.3.1 (a) (22E772610a)',
    hardware: 'Intel MacBook Pro with T2',
    host: { hostname: 'mbp-intel-t2-13', serialNumber: 'SERIAL-REDACTED-02', hardwareModel: null, architecture: 'x86_64', consoleUser: 'user', homes: homes('user') },
    summary: 'Intel MacBook Pro on macOS 13.3.1 (a) (Rapid Security Response) without Zoom; ALF prefs broken (stealth query errors).',
    expectedFindings: ['zoom.not-installed', 'macos.outdated'],
    trigger: 'no fs/Applications/zoom.us.app/Contents/Info.plist; sw_vers 13.3.1 < 14.0',
    cmds: [
      SW.ventura1331a,
      ...usbJson('spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json'),
      ...FW_OLD,
      consoleUser('user'),
      ...RESET_NO_BUNDLE,
      ...SFW_ANSWERS,
    ],
    zoom: null,
    tcc: [sys13('auth13-cef70648de', {}), user13('user', 'auth13-cef70648de', {})],
    denied: [],
  },
  {
    folder: 'mba-m2-13-zoom-4.5-outdated',
    macos: '13.0 (22A380)',
    hardware: 'Apple M2 (T8112)',
    host: { hostname: 'mba-m2-13', serialNumber: 'SERIAL-REDACTED-03', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M2 Mac on macOS 13.0 with Zoom 4.5.0 from 2019 (Info.plist has no CFBundleVersion).',
    expectedFindings: ['zoom.outdated', 'macos.outdated'],
    trigger: 'CFBundleShortVersionString "4.5.0 (3261.0825)" < 6.0.0; sw_vers 13.0 < 14.0',
    cmds: [SW.ventura130, ...usbJson('spusb_json/palmsync-m2-t8112-palm-handheld.json'), ...FW_OLD, consoleUser('user'), RESET_OLD, ...SFW_ANSWERS],
    zoom: '4.5.0',
    tcc: [sys13('auth13-3d1c2a0e97', SCREEN_ALLOWED), user13('user', 'auth13-3d1c2a0e97', ALL_ALLOWED_USER)],
    denied: [],
  },
  {
    folder: 'mbp-m1max-14-healthy',
    macos: '14.6.1 (23G93)',
    hardware: 'Apple M1 Pro/Max (T6000)',
    host: { hostname: 'mbp-m1max-14', serialNumber: 'SERIAL-REDACTED-04', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'Healthy M1 Max MacBook Pro on macOS 14 Sonoma: Zoom current, camera, microphone and screen recording allowed, firewall on.',
    expectedFindings: [],
    trigger: 'none',
    cmds: [SW.sonoma1461, ...usbJson('spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json'), ...FW_NEW_GET, LISTAPPS_NIX, consoleUser('user'), RESET_14, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys14(SCREEN_ALLOWED), user14('user', ALL_ALLOWED_USER)],
    denied: [],
  },
  {
    folder: 'mba-m2-14-camera-denied',
    macos: '14.4.1 (23E224)',
    hardware: 'Apple M2 (T8112)',
    host: { hostname: 'mba-m2-14', serialNumber: 'SERIAL-REDACTED-05', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M2 Mac on macOS 14: the user answered "Don\'t Allow" to Zoom\'s camera prompt.',
    expectedFindings: ['tcc.camera.denied'],
    trigger: 'user TCC.db: kTCCServiceCamera | us.zoom.xos | auth_value 0 | auth_reason 2',
    cmds: [SW.sonoma1441, ...usbJson('spusb_json/palmsync-m2-t8112-palm-handheld.json'), ...FW_NEW_GET, LISTAPPS_NIX, consoleUser('user'), RESET_14, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys14(SCREEN_ALLOWED), user14('user', { Camera: 'denied', Microphone: 'allowed' })],
    denied: [],
  },
  {
    folder: 'mbp-m1pro-15-microphone-denied',
    macos: '15.6.1 (24G90)',
    hardware: 'Apple M1 Pro/Max (T6000)',
    host: { hostname: 'mbp-m1pro-15-mic', serialNumber: 'SERIAL-REDACTED-06', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('admin', 'user') },
    summary: 'Shared M1 Pro on macOS 15 with two accounts: the console user denied Zoom the microphone, the admin account allowed it.',
    expectedFindings: ['tcc.microphone.denied'],
    trigger: 'user TCC.db of `user`: kTCCServiceMicrophone | us.zoom.xos | auth_value 0 | auth_reason 2 (the `admin` home allows it)',
    cmds: [SW.sequoia1561, ...usbJson('spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json'), ...FW_NEW_GET, LISTAPPS_NIX, consoleUser('user'), RESET_14, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys15(SCREEN_ALLOWED), user15('admin', ALL_ALLOWED_USER), user15('user', { Camera: 'allowed', Microphone: 'denied' })],
    denied: [],
  },
  {
    folder: 'mbp-m1pro-15-display-camera-full-budget',
    macos: '15.6.1 (24G90)',
    hardware: 'Apple M1 Pro/Max (T6000) + Apple Thunderbolt Display + LG UltraFine 5K',
    host: { hostname: 'mbp-m1pro-15-usb', serialNumber: 'SERIAL-REDACTED-07', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M1 Pro on macOS 15 with the Thunderbolt Display\'s FaceTime HD Camera drawing the full 500 mA its hub port offers, behind the display\'s own (self-powered) hub: a USB power false positive must not be raised. The camera and Display Audio share that USB 2.0 hub\'s 480 Mb/s link (the closest real capture to two cameras on one USB 2.0 hub: none exists).',
    expectedFindings: ['usb.bandwidth.shared'],
    trigger:
      'SPUSBDataType: "FaceTime HD Camera (Display)" location 0x40150000, bus_power "500", bus_power_used "500" (required = available), ' +
      'child of "hub_device" 0x40100000 whose own bus_power_used is "100" (a hub drawing bus power). No real capture has required > available or kUSBFailedRequestedPower on a -json/ioreg output; this is the closest real case. ' +
      'usb.bandwidth.shared: "FaceTime HD Camera (Display)" (high_speed) and "Display Audio" 0x40140000 (full_speed) below the display\'s USB 2.0 hub 0x40100000 (device_speed high_speed)',
    cmds: [SW.sequoia1561, ...usbJson('spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json'), ...FW_NEW_GET, LISTAPPS_NIX, consoleUser('user'), RESET_14, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys15(SCREEN_ALLOWED), user15('user', ALL_ALLOWED_USER)],
    denied: [],
    notes: [
      'The same capture also has "Magic Keyboard" 0x03120000 at bus_power_used "500" of "500" plus extra_current_used "1000" behind the LG "USB2.1 Hub" (bus_power_used "100"); it is not a camera.',
      'The only real required > available case in the fixtures is spusb_xml/fusinv-SPUSBDataType3-prefixed-keys-reporter60.xml: "Mass Storage Device" 0x1d120000 h_bus_power "100", i_bus_power_desired "248" behind "Hub in Apple Extended USB Keyboard" (OS X <= 10.10, XML, not a camera) — it cannot be a `-json` recording.',
    ],
  },
  {
    folder: 'mbp-m1pro-15-firewall-block-all',
    macos: '15.0 (24A335)',
    hardware: 'Apple M1 Pro/Max (T6000)',
    host: { hostname: 'mbp-m1pro-15-fw', serialNumber: 'SERIAL-REDACTED-08', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M1 Pro on macOS 15 with the application firewall in "block all incoming connections" mode (global state 2).',
    expectedFindings: ['firewall.block-all'],
    trigger: 'socketfilterfw --getglobalstate: "Firewall is blocking all non-essential incoming connections. (State = 2)"',
    cmds: [
      SW.sequoia150,
      ...usbJson('spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json'),
      cmd('socketfilterfw-getglobalstate', f('firewall/machealthcheck-pr8-globalstate-2.txt', [2, 2])),
      cmd('socketfilterfw-getblockall', f('firewall/kolide-combined-get-v2-state2.txt', [2, 2])),
      cmd('socketfilterfw-getallowsigned', f(KOLIDE1, [3, 4])),
      cmd('socketfilterfw-getstealthmode', f(KOLIDE1, [5, 5])),
      LISTAPPS_NIX,
      consoleUser('user'),
      RESET_14,
      ...SFW_ANSWERS,
    ],
    zoom: '7.1.5',
    tcc: [sys15(SCREEN_ALLOWED), user15('user', ALL_ALLOWED_USER)],
    denied: [],
    notes: ['--getblockall answers "set to disabled." while the global state is 2: the kolide capture shows the same pair (State = 2 with block all disabled).'],
  },
  {
    folder: 'mbp-m1pro-15-zoom-outdated',
    macos: '15.0 (24A335)',
    hardware: 'Apple M1 Pro/Max (T6000)',
    host: { hostname: 'mbp-m1pro-15-zoom', serialNumber: 'SERIAL-REDACTED-09', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M1 Pro on macOS 15 still running Zoom 5.16.10 (2023).',
    expectedFindings: ['zoom.outdated'],
    trigger: 'Info.plist CFBundleShortVersionString "5.16.10 (25689)", CFBundleVersion "5.16.10.25689" < 6.0.0',
    cmds: [SW.sequoia150, ...usbJson('spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json'), ...FW_NEW_GET, LISTAPPS_NIX, consoleUser('user'), RESET_14, ...SFW_ANSWERS],
    zoom: '5.16.10',
    tcc: [sys15(SCREEN_ALLOWED), user15('user', ALL_ALLOWED_USER)],
    denied: [],
  },
  {
    folder: 'mbp-m5pro-26-healthy',
    macos: '26.5.1 (25F80)',
    hardware: 'MacBook Pro M5 Pro (T6050)',
    host: { hostname: 'mbp-m5pro-26', serialNumber: 'SERIAL-REDACTED-10', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'Healthy M5 Pro MacBook Pro on macOS 26 Tahoe (SPUSBDataType empty, USB tree in SPUSBHostDataType).',
    expectedFindings: [],
    trigger: 'none',
    cmds: [SW.tahoe2651, ...usbHostJson('spusbhost/testfixture-trimmed-m5-t6050-sandisk.json'), ...FW_NEW_GET, LISTAPPS_NIX, ...PMSET_M5, consoleUser('user'), RESET_26, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys15(SCREEN_ALLOWED, true), user15('user', ALL_ALLOWED_USER, true)],
    denied: [],
  },
  {
    folder: 'mbp-m2pro-26-firewall-blocks-zoom',
    macos: '26.5.1 (25F80)',
    hardware: 'MacBook Pro M2 Pro (Mac14,10)',
    host: { hostname: 'mbp-m2pro-26', serialNumber: 'SERIAL-REDACTED-11', hardwareModel: 'Mac14,10', architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M2 Pro on macOS 26: the application firewall blocks incoming connections to zoom.us.app.',
    expectedFindings: ['firewall.blocks-zoom', 'macos.update-pending'],
    trigger: 'socketfilterfw --listapps entry "10 : /Applications/zoom.us.app" followed by "(Block incoming connections)", global state 1; softwareupdate --list offers macOS Tahoe 26.7 to 26.5.1',
    cmds: [
      SW.tahoe2651,
      ...usbHostJson('spusbhost/testfixture-trimmed-m2pro-empty-spusb.json'),
      ...FW_NEW_GET,
      cmd(
        'socketfilterfw-listapps',
        { written: 'Total number of apps = 10', why: 'header of the nix-darwin capture ("= 9") counted again after adding the Zoom entry' },
        f(NIX, [4, 21]),
        { written: '10 : /Applications/zoom.us.app', why: 'Zoom entry in the same new-format layout; the path is the real one (zoom/osquery-apps-snapshot-zoom-5.16.10.json)' },
        f(NIX, [5, 5]),
      ),
      consoleUser('user'),
      RESET_26,
      ...SFW_ANSWERS,
    ],
    zoom: '7.1.5',
    tcc: [sys15(SCREEN_ALLOWED, true), user15('user', ALL_ALLOWED_USER, true)],
    denied: [],
    notes: [
      'The only real listapps entry for Zoom (firewall/darwin27-listapps-zoom-entry-measured.txt) is "/Applications/Zoom.app" and allowed; this listapps is therefore assembled: real nix-darwin lines plus a Zoom entry whose state line is copied from nix-darwin entry 1.',
      'hardwareModel Mac14,10 is given by the source of the SPUSB capture (INDEX.md).',
    ],
  },
  {
    folder: 'mbp-m5pro-26-screen-capture-mdm-denied',
    macos: '26.5.1 (25F80)',
    hardware: 'MacBook Pro M5 Pro (T6050)',
    host: { hostname: 'mbp-m5pro-26-mdm', serialNumber: 'SERIAL-REDACTED-12', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M5 Pro on macOS 26 where an MDM privacy profile denies Zoom screen recording (no automatic fix).',
    expectedFindings: ['tcc.screen-capture.denied'],
    trigger: 'system TCC.db: kTCCServiceScreenCapture | us.zoom.xos | auth_value 0 | auth_reason 6 (MDM Policy)',
    cmds: [SW.tahoe2651, ...usbHostJson('spusbhost/testfixture-trimmed-m5-t6050-sandisk.json'), ...FW_NEW_GET, LISTAPPS_NIX, ...PMSET_M5, consoleUser('user'), RESET_26, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [sys15({ ScreenCapture: 'mdm-denied' }, true), user15('user', ALL_ALLOWED_USER, true)],
    denied: [],
  },
  {
    folder: 'mbp-m5pro-26-tcc-unreadable',
    macos: '26.5.1 (25F80)',
    hardware: 'MacBook Pro M5 Pro (T6050)',
    host: { hostname: 'mbp-m5pro-26-nofda', serialNumber: 'SERIAL-REDACTED-13', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M5 Pro on macOS 26 where the agent has no Full Disk Access: both TCC.db files exist but cannot be read.',
    expectedFindings: ['tcc.unreadable'],
    trigger: 'denied.txt lists the system and the user TCC.db',
    cmds: [SW.tahoe2651, ...usbHostJson('spusbhost/testfixture-trimmed-m5-t6050-sandisk.json'), ...FW_NEW_GET, LISTAPPS_NIX, ...PMSET_M5, consoleUser('user'), RESET_26, ...SFW_ANSWERS],
    zoom: '7.1.5',
    tcc: [],
    denied: [SYSTEM_TCC, userTcc('user')],
  },
  {
    folder: 'macmini-m4-27-tcc-unreadable',
    macos: '27.0 (26A428)',
    hardware: 'Apple M4 (T8132)',
    host: { hostname: 'macmini-m4-27', serialNumber: 'SERIAL-REDACTED-14', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M4 Mac on macOS 27: the system TCC.db cannot be read without Full Disk Access and the per-user TCC.db is no longer under the home folder.',
    expectedFindings: ['tcc.unreadable'],
    trigger: 'denied.txt lists the system TCC.db; no user TCC.db at ~/Library/Application Support/com.apple.TCC/ (moved on macOS 27)',
    cmds: [...MAC27_M4, LOG_TCC_NO_ZOOM],
    zoom: '7.1.5',
    tcc: [],
    denied: [SYSTEM_TCC],
    notes: [
      'No system_profiler USB commands: on macOS 27 `system_profiler SPUSBDataType` printed nothing (ioreg source, INDEX.md) and no SPUSBHostDataType -json capture of 27 exists; the agent falls back to ioreg, which shows the two controllers and no devices.',
      'The 27 user TCC.db lives in /private/var/containers/Data/ProtectedSystem/<per-user UUID>/… (research notes, find_string id 69664977641 — not a fixture); fleetdm/fleet#53273 reports it inaccessible. The recording therefore has no user TCC.db and the agent should report it missing, not allowed.',
      'log-show-tcc holds real tccd lines of other programs only (no Zoom request in the 30 days searched): camera and microphone stay "could not check", with that reason, never "allowed".',
      'listapps is the measured Darwin 27 entry ("/Applications/Zoom.app", allowed; the header says 3 apps but only the measured entry was kept upstream).',
    ],
  },
  {
    folder: 'macmini-m4-27-camera-denied-log',
    macos: '27.0 (26A428)',
    hardware: 'Apple M4 (T8132)',
    host: { hostname: 'macmini-m4-27-b', serialNumber: 'SERIAL-REDACTED-15', hardwareModel: null, architecture: 'arm64', consoleUser: 'user', homes: homes('user') },
    summary: 'M4 Mac on macOS 27, not enrolled in MDM (no tccutil list): no TCC.db can be read, and the unified log shows the user answering "Don\u2019t Allow" to Zoom\u2019s camera prompt.',
    expectedFindings: ['tcc.camera.denied', 'tcc.unreadable'],
    trigger: 'no readable TCC.db (as macmini-m4-27-tcc-unreadable); cmd/log-show-tcc.out: tccd prompted for kTCCServiceCamera for us.zoom.xos and logged authValue=0, authReason=2',
    cmds: [...MAC27_M4, LOG_TCC_ZOOM_CAMERA_DENIED],
    zoom: '7.1.5',
    tcc: [],
    denied: [SYSTEM_TCC],
    notes: [
      'Every other recording is the same as macmini-m4-27-tcc-unreadable (see its notes).',
      'log-show-tcc: the header and the AUTHREQ_RESULT line are copied from the real compact capture; the AUTHREQ_PROMPTING line between them is that capture\'s line 3 with its service and subject changed to Zoom\'s camera (no real tccd line about Zoom was found). A bundle-id subject prints as Sub:{<bundle id>} (real Nexy assistant log, find_string id 12653984578).',
      'The microphone has no decision in the log: tcc.microphone.denied cannot judge (could not check, with the reason).',
    ],
  },
];

// ---- cameras, microphones, pending updates and the last boot (issue 11) ----------------------------

const OTMKIT = 'system_profiler-json-otmkit-m5-macbookpro.json';
const OTMKIT_VM = 'system_profiler-json-otmkit-vm-26-no-camera.json';
const M1PRO_LG = 'spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json';
/** Nothing pending (version-agnostic wording) and a real boot time: every Mac gets both. */
const UPDATES_NONE: CmdFile[] = [
  cmd('softwareupdate-list', x('softwareupdate-list-no-updates-fleet.txt')),
  cmd('sysctl-kern.boottime', x('sysctl-kern.boottime-review-2026-09-03.txt', [4, 4])),
];
/** A macOS 26 Mac offered macOS Tahoe 26.7 (recommended, restart) and the macOS 27 upgrade. */
const UPDATES_TAHOE_267: CmdFile[] = [
  cmd('softwareupdate-list', f('softwareupdate/fleet-updates-available-tahoe-26.7-and-27.txt')),
  cmd('sysctl-kern.boottime', x('sysctl-kern.boottime-uptime-doc-2026-06-02.txt', [2, 2])),
];
/** The M5 Pro's own camera and audio lists: the same system_profiler capture as its SPUSBHostDataType. */
const DEVICES_M5: CmdFile[] = [cmd('system_profiler-SPCameraDataType', x(OTMKIT)), cmd('system_profiler-SPAudioDataType', x(OTMKIT))];
/** Another Apple silicon MacBook: the M5 Pro's camera list ("MacBook Pro Camera") and a 2026 MacBook Pro's audio (built-in microphone default, an iPhone microphone). */
const DEVICES_AS: CmdFile[] = [
  cmd('system_profiler-SPCameraDataType', x(OTMKIT)),
  cmd('system_profiler-SPAudioDataType', x('SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json')),
];
const AS_NOTE = 'Camera and audio lists are composed from other Apple silicon MacBook Pros (extra-captures/system_profiler-json-otmkit-m5-macbookpro.json: "MacBook Pro Camera"; '
  + 'SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json): no capture of this Mac\'s own lists exists. Its USB tree has no camera, so the join has nothing to contradict.';
const M5_NOTE = 'Camera and audio lists come from the same system_profiler capture as its SPUSBHostDataType (extra-captures/system_profiler-json-otmkit-m5-macbookpro.json).';
const UNRECORDED_NOTE: Record<string, string> = {
  intel: 'No camera or audio recording: the only T2 camera list (camera/SPCameraDataType-text-mbp15,1-facetime-builtin.txt) lacks the LG UltraFine Display Camera this USB tree holds, '
    + 'so composing it would invent "camera not listed"; no Intel SPAudioDataType capture exists. The devices section is unavailable and the Mac is judged unknown.',
  lg: 'No camera or audio recording: no real camera list names the LG UltraFine Display Camera or the Thunderbolt Display\'s FaceTime HD Camera of this USB tree, '
    + 'so composing one would invent "camera not listed" (mbp-m1pro-15-usb-camera-unlisted shows that case on purpose). The devices section is unavailable and the Mac is judged unknown.',
  mini: 'No camera or audio recording: no capture of a Mac mini with a webcam exists (macmini-m4-27-no-camera shows one without). The devices section is unavailable.',
};

/** The issue-11 recordings of each Mac of the first two rounds, by folder: lists composed where a comparable capture exists, else left out (unavailable, said in its notes). */
const DEVICE_RECORDINGS: Record<string, { cmds: CmdFile[]; note: string }> = {
  'mbp-intel-t2-12-macos-outdated': { cmds: UPDATES_NONE, note: UNRECORDED_NOTE.intel! },
  'mbp-intel-t2-13-zoom-not-installed': { cmds: UPDATES_NONE, note: UNRECORDED_NOTE.intel! },
  'mba-m2-13-zoom-4.5-outdated': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mbp-m1max-14-healthy': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mba-m2-14-camera-denied': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mbp-m1pro-15-microphone-denied': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mbp-m1pro-15-display-camera-full-budget': { cmds: UPDATES_NONE, note: UNRECORDED_NOTE.lg! },
  'mbp-m1pro-15-firewall-block-all': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mbp-m1pro-15-zoom-outdated': { cmds: [...DEVICES_AS, ...UPDATES_NONE], note: AS_NOTE },
  'mbp-m5pro-26-healthy': { cmds: [...DEVICES_M5, ...UPDATES_NONE], note: M5_NOTE },
  'mbp-m2pro-26-firewall-blocks-zoom': {
    cmds: [...DEVICES_AS, ...UPDATES_TAHOE_267],
    note: `${AS_NOTE} softwareupdate --list is Fleet's capture of a macOS 26 Mac offered macOS Tahoe 26.7: macos.update-pending.`,
  },
  'mbp-m5pro-26-screen-capture-mdm-denied': { cmds: [...DEVICES_M5, ...UPDATES_NONE], note: M5_NOTE },
  'mbp-m5pro-26-tcc-unreadable': { cmds: [...DEVICES_M5, ...UPDATES_NONE], note: M5_NOTE },
  'macmini-m4-27-tcc-unreadable': { cmds: UPDATES_NONE, note: UNRECORDED_NOTE.mini! },
  'macmini-m4-27-camera-denied-log': { cmds: UPDATES_NONE, note: UNRECORDED_NOTE.mini! },
};

const withDeviceRecordings = (m: MacSpec): MacSpec => {
  const r = DEVICE_RECORDINGS[m.folder];
  if (!r) throw new Error(`${m.folder}: no entry in DEVICE_RECORDINGS`);
  return { ...m, cmds: [...m.cmds, ...r.cmds], notes: [...(m.notes ?? []), r.note] };
};
const DEVICE_BASE = BASE_MACS.map(withDeviceRecordings);
const base = (folder: string): MacSpec => DEVICE_BASE.find((m) => m.folder === folder)!;
const MAC27_TCC_UNREADABLE = base('macmini-m4-27-tcc-unreadable');
const M1PRO_DISPLAY = base('mbp-m1pro-15-display-camera-full-budget');
const without = (cmds: CmdFile[], ...names: string[]): CmdFile[] => cmds.filter((c) => !names.includes(c.name));

/** The three Macs of issue 11's devices half. */
const DEVICE_MACS: MacSpec[] = [
  {
    ...MAC27_TCC_UNREADABLE,
    folder: 'macmini-m4-27-no-camera',
    hardware: 'Mac mini, Apple M4 (T8132)',
    host: { ...MAC27_TCC_UNREADABLE.host, hostname: 'macmini-m4-27-nocam', serialNumber: 'SERIAL-REDACTED-19' },
    summary: 'Mac mini M4 on macOS 27 with its webcam unplugged and no headset: macOS lists no camera and no microphone, only the Mac mini Speakers.',
    expectedFindings: ['devices.camera.none', 'devices.microphone.none', 'tcc.unreadable'],
    trigger: 'system_profiler -json SPCameraDataType: "SPCameraDataType" : [ ]; SPAudioDataType: Mac mini Speakers only (no input channels)',
    cmds: [
      ...MAC27_TCC_UNREADABLE.cmds,
      cmd('system_profiler-SPCameraDataType', x(OTMKIT_VM)),
      cmd('system_profiler-SPAudioDataType', x('SPAudioDataType-text-foil-macmini-speakers-only.txt')),
    ],
    notes: [
      'Every other recording is the same as macmini-m4-27-tcc-unreadable (see its notes): TCC stays unreadable.',
      'The camera list is the `system_profiler -json` output of a macOS 26 virtual machine with no camera (extra-captures/system_profiler-json-otmkit-vm-26-no-camera.json): what macOS prints when it sees none. Its audio key is not read: the audio command has its own recording.',
      'The audio list is the text form (no JSON capture of a Mac mini exists): the agent reads it as text and marks the section partial, saying so.',
    ],
  },
  {
    ...M1PRO_DISPLAY,
    folder: 'mbp-m1pro-15-usb-camera-unlisted',
    host: { ...M1PRO_DISPLAY.host, hostname: 'mbp-m1pro-15-cam', serialNumber: 'SERIAL-REDACTED-20' },
    summary: 'M1 Pro on macOS 15 with an LG UltraFine 5K and an Apple Thunderbolt Display: both displays\' cameras enumerate on USB, but macOS lists only the MacBook Pro Camera.',
    expectedFindings: ['devices.camera.unlisted', 'usb.bandwidth.shared'],
    trigger: 'SPUSBDataType: "LG UltraFine Display Camera" 043e:9a4d at 0x03543000 and "FaceTime HD Camera (Display)" 05ac:1112 at 0x40150000; SPCameraDataType: "MacBook Pro Camera" only',
    cmds: [...M1PRO_DISPLAY.cmds, ...DEVICES_AS],
    notes: [
      'The USB tree is the real M1 Pro capture of mbp-m1pro-15-display-camera-full-budget; the camera and audio lists are an Apple silicon MacBook Pro\'s (extra-captures/system_profiler-json-otmkit-m5-macbookpro.json, SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json). '
        + 'Joining the two is the scenario: two USB cameras the tree has and the camera list lacks. No single real capture holds both lists of a Mac with an unlisted camera.',
      'The display camera shares the Thunderbolt Display\'s USB 2.0 hub with Display Audio, as on the display-camera Mac: usb.bandwidth.shared.',
    ],
  },
  {
    ...M1PRO_DISPLAY,
    folder: 'mbp-m1pro-15-two-cameras-usb2-hub',
    host: { ...M1PRO_DISPLAY.host, hostname: 'mbp-m1pro-15-2cam', serialNumber: 'SERIAL-REDACTED-21' },
    summary: 'M1 Pro on macOS 15 with the LG UltraFine\'s camera moved onto the Apple Thunderbolt Display\'s USB 2.0 hub, beside the display\'s FaceTime HD Camera: two cameras and Display Audio share one 480 Mb/s link.',
    expectedFindings: ['usb.bandwidth.shared', 'devices.camera.unlisted'],
    trigger: 'SPUSBDataType: "FaceTime HD Camera (Display)" 0x40150000 and "LG UltraFine Display Camera" 0x40160000 (high speed) below the USB 2.0 "hub_device" 0x40100000',
    cmds: [
      ...without(M1PRO_DISPLAY.cmds, 'system_profiler-SPUSBDataType'),
      cmd(
        'system_profiler-SPUSBDataType',
        f(M1PRO_LG, [1, 34]),
        f(M1PRO_LG, [47, 174]),
        f(M1PRO_LG, [35, 37]),
        { written: '\t\t\t\t\t\t\t\t"bus_power" : "500",', why: 'the camera moved to a port of the USB 2.0 hub, whose ports offer 500 mA (the FaceTime HD Camera\'s port in the same capture): was "900" on the LG USB3 hub' },
        f(M1PRO_LG, [39, 39]),
        { written: '\t\t\t\t\t\t\t\t"device_speed" : "high_speed",', why: 'a SuperSpeed camera on a USB 2.0 hub runs at high speed: was "super_speed"' },
        f(M1PRO_LG, [41, 41]),
        { written: '\t\t\t\t\t\t\t\t"location_id" : "0x40160000 / 6",', why: 'port 6 of the hub 0x40100000 (ports 1-5 hold the display, camera, audio and PenDrive): was "0x03543000 / 8" under the LG USB3 hub' },
        f(M1PRO_LG, [43, 46]),
        { written: ',', why: 'the item separator before the next device of the hub (JSON allows it on its own line)' },
        f(M1PRO_LG, [175, 235]),
      ),
      ...DEVICES_AS,
    ],
    notes: [
      'No real capture has two cameras on one USB 2.0 hub. This tree is the real M1 Pro capture with one real item moved: the LG UltraFine Display Camera\'s lines leave the LG USB3 hub (its hub_device keeps an empty _items) and join the Thunderbolt Display\'s USB 2.0 hub, with three lines written (port current, speed, location: see the parts above).',
      'The camera list is an Apple silicon MacBook Pro\'s, as on mbp-m1pro-15-usb-camera-unlisted: both display cameras are also "not listed".',
    ],
  },
];

// ---- the network path (issue 10) --------------------------------------------------------------

/** `systemextensionsctl list` with no extension: the count line of a real capture (its `Category:` line comes only with a category argument). */
const NO_SYSEXT = cmd('systemextensionsctl-list', x('sysextctl-list-ramen-no-extensions.txt', [2, 2]));
/** No proxy (default exceptions), no VPN service, no system extension. */
const QUIET_NETWORK: CmdFile[] = [
  cmd('scutil-proxy', x('scutil-proxy-measured-none-default-exceptions.txt')),
  cmd('scutil-nc-list', x('scutil-nc-list-alfred19-empty.txt')),
  NO_SYSEXT,
];
/** `systemextensionsctl list` (no argument) of a Mac with Cisco Secure Client and CrowdStrike Falcon: the capture without its `Category:` line. */
const CISCO_FALCON = cmd('systemextensionsctl-list', x('sysextctl-list-ramen-cisco-crowdstrike-enabled.txt', [2, 8]));

const zoomUsAddress = { addresses: [{ address: '170.114.52.2', family: 4 }] };
const zoomComAddress = { addresses: [{ address: '170.114.15.222', family: 4 }] };
const serverAnswers = { 'dns/server.json': { addresses: [{ address: '10.20.0.15', family: 4 }] }, 'connect/server.json': { tcp: { connected: true } } };
const publicChain = { authorized: true, authorizationError: null, issuer: 'DigiCert Global Root G2' };
/** Zoom and the FleetMedic server answer; zoom.us:443's chain validates against Node's public roots. */
export const NET_HEALTHY: Record<string, unknown> = {
  'dns/zoom.us.json': zoomUsAddress,
  'dns/zoom.com.json': zoomComAddress,
  'connect/zoom.us-443.json': { tcp: { connected: true }, publicRoots: publicChain },
  ...serverAnswers,
};

const withQuietNetwork = (m: MacSpec): MacSpec => ({ ...m, cmds: [...m.cmds, ...QUIET_NETWORK], net: NET_HEALTHY });

const M1MAX_14 = withDeviceRecordings(BASE_MACS.find((m) => m.folder === 'mbp-m1max-14-healthy')!);
const M5PRO_26 = withDeviceRecordings(BASE_MACS.find((m) => m.folder === 'mbp-m5pro-26-healthy')!);

/** The four Macs of the network path: the rest of each Mac is the healthy Mac of its release. */
const NETWORK_MACS: MacSpec[] = [
  {
    ...M1MAX_14,
    folder: 'mbp-m1max-14-zoom-sinkholed',
    host: { ...M1MAX_14.host, hostname: 'mbp-m1max-14-dns', serialNumber: 'SERIAL-REDACTED-15' },
    summary: 'M1 Max on macOS 14 whose DNS answers 0.0.0.0 for zoom.us and zoom.com (a DNS filter\'s block) while the FleetMedic server answers; Cisco Secure Client and CrowdStrike Falcon run, a PAC file is set.',
    expectedFindings: ['network.zoom-unreachable'],
    trigger: 'net/dns/zoom.us.json and zoom.com.json: 0.0.0.0; net/dns/server.json resolves and net/connect/server.json connects',
    cmds: [...M1MAX_14.cmds, cmd('scutil-proxy', x('scutil-proxy-httptoolkit151-pac.txt')), cmd('scutil-nc-list', x('scutil-nc-list-alfred19-empty.txt')), CISCO_FALCON],
    net: { 'dns/zoom.us.json': { addresses: [{ address: '0.0.0.0', family: 4 }] }, 'dns/zoom.com.json': { addresses: [{ address: '0.0.0.0', family: 4 }] }, ...serverAnswers },
  },
  {
    ...M5PRO_26,
    folder: 'mbp-m5pro-26-zoom-tls-inspected',
    host: { ...M5PRO_26.host, hostname: 'mbp-m5pro-26-tls', serialNumber: 'SERIAL-REDACTED-16' },
    summary: 'M5 Pro on macOS 26 whose zoom.us:443 chain ends at "Cisco Umbrella Root CA", installed on the Mac by Cisco Secure Client: Zoom\'s traffic is decrypted.',
    expectedFindings: ['network.tls-inspected'],
    trigger: 'net/connect/zoom.us-443.json: SELF_SIGNED_CERT_IN_CHAIN with the public roots, authorized with the System keychain roots',
    cmds: [...M5PRO_26.cmds, cmd('scutil-proxy', x('scutil-proxy-measured-none-default-exceptions.txt')), cmd('scutil-nc-list', x('scutil-nc-list-alfred19-empty.txt')), CISCO_FALCON],
    net: {
      ...NET_HEALTHY,
      'connect/zoom.us-443.json': {
        tcp: { connected: true },
        publicRoots: { authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'Cisco Umbrella Root CA' },
        localRoots: { authorized: true, authorizationError: null, issuer: 'Cisco Umbrella Root CA' },
      },
    },
  },
  {
    ...M5PRO_26,
    folder: 'mbp-m5pro-26-content-filter-waiting',
    host: { ...M5PRO_26.host, hostname: 'mbp-m5pro-26-filter', serialNumber: 'SERIAL-REDACTED-17' },
    summary: 'M5 Pro on macOS 26 with three network extensions: AdGuard and Karing on, v2RayTun\'s waiting for the user\'s approval; Tailscale connected. Zoom is reachable.',
    expectedFindings: ['network.extension-unsettled'],
    trigger: 'systemextensionsctl list: com.databridges.privacy.v2RayTun.snextension [activated waiting for user]',
    cmds: [...M5PRO_26.cmds, cmd('scutil-proxy', x('scutil-proxy-measured-none-default-exceptions.txt')), cmd('scutil-nc-list', x('scutil-nc-list-tailscale-connected-protonvpn.txt')), cmd('systemextensionsctl-list', f('sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt'))],
    net: NET_HEALTHY,
  },
  {
    ...M1MAX_14,
    folder: 'mbp-m1max-14-offline',
    host: { ...M1MAX_14.host, hostname: 'mbp-m1max-14-plane', serialNumber: 'SERIAL-REDACTED-18' },
    summary: 'M1 Max on macOS 14 with no network at all (a Mac on a plane): neither Zoom nor the FleetMedic server resolves. No network finding: the Mac is offline.',
    expectedFindings: [],
    trigger: 'net/dns/*.json: ENOTFOUND for zoom.us, zoom.com and the server (what macOS answers offline, extra-captures/node-dns-enotfound-osx-offline.txt)',
    cmds: [...M1MAX_14.cmds, ...QUIET_NETWORK],
    net: {
      'dns/zoom.us.json': { error: { code: 'ENOTFOUND' } },
      'dns/zoom.com.json': { error: { code: 'ENOTFOUND' } },
      'dns/server.json': { error: { code: 'ENOTFOUND' } },
    },
  },
];

// ---- Zoom's code signature (issue 11) -------------------------------------------------------

const DVVV_ZOOM = 'codesign-dvvv-zoom-objective-see-elided.txt';
const MIMIC = 'codesign-verify-valid-mimic-test-requirement-failed.txt';
const XAMARIN = 'codesign-verify-sealed-resource-file-missing-xamarin.txt';
/** codesign writes its verdicts and -d output to stderr. */
const err = (name: string, ...parts: Part[]): CmdFile => ({ name, ext: 'err', parts });
const perUser = (name: string, user: string | null): string => (user === null ? name : `${name}~${user}`);

/** `codesign --verify --deep --strict --verbose=2` of an intact copy: Mimic's two verdict lines, its app path made Zoom's. */
const verifyIntact = (appPath: string, user: string | null = null): CmdFile => err(perUser('codesign-verify-zoom', user), {
  written: `${appPath}: valid on disk\n${appPath}: satisfies its Designated Requirement`,
  why: `lines 7–8 of extra-captures/${MIMIC} (codesign -vvvv of an app in /Applications; its third line is the -R test this command does not make) with "Mimic.app" -> "${appPath}": no public capture verifies zoom.us.app itself`,
});

/**
 * `codesign -dvvv` of Zoom: Objective-See's real lines (the author's blank line and "..." left out),
 * then Zoom's TeamIdentifier line as codesign printed it for Zoom's airhost.app (the elided part held it).
 */
const displayZoom = (appPath: string, user: string | null = null): CmdFile => err(
  perUser('codesign-dvvv-zoom', user),
  ...(appPath === '/Applications/zoom.us.app'
    ? [x(DVVV_ZOOM, [2, 5])]
    : [{ written: `Executable=${appPath}/Contents/MacOS/zoom.us`, why: `line 2 of extra-captures/${DVVV_ZOOM} with /Applications -> ${appPath.replace(/\/Applications\/zoom\.us\.app$/, '')}/Applications` }, x(DVVV_ZOOM, [3, 5])]),
  x(DVVV_ZOOM, [8, 10]),
  x('codesign-dv-zoom-airhost-sonoma.txt', [9, 9]),
);

/** Every Mac with Zoom in /Applications gets Zoom's intact signature unless its scenario says otherwise. */
const withZoomSignature = (m: MacSpec): MacSpec =>
  !m.zoom || m.cmds.some((c) => c.name === 'codesign-verify-zoom') ? m : { ...m, cmds: [...m.cmds, verifyIntact('/Applications/zoom.us.app'), displayZoom('/Applications/zoom.us.app')] };

/** The two Macs of Zoom's own installs: the rest of each is the healthy M5 Pro on macOS 26. */
const ZOOM_MACS: MacSpec[] = [
  {
    ...withQuietNetwork(M5PRO_26),
    folder: 'mbp-m5pro-26-zoom-damaged',
    host: { ...M5PRO_26.host, hostname: 'mbp-m5pro-26-zoomdmg', serialNumber: 'SERIAL-REDACTED-22' },
    summary: 'M5 Pro on macOS 26 whose /Applications/zoom.us.app fails `codesign --verify --deep --strict`: a sealed resource is missing or invalid (files of the app changed after Zoom signed it).',
    expectedFindings: ['zoom.damaged'],
    trigger: 'cmd/codesign-verify-zoom.err "/Applications/zoom.us.app: a sealed resource is missing or invalid", exit status 1; Team ID BJ4HAAB9B3',
    cmds: [
      ...withQuietNetwork(M5PRO_26).cmds,
      err('codesign-verify-zoom', {
        written: '/Applications/zoom.us.app: a sealed resource is missing or invalid',
        why: `line 2 of extra-captures/${XAMARIN} with "old/Payload/iPhoneApp1.app" -> "/Applications/zoom.us.app"; its "file missing:" line names a file of that app, not of Zoom, and is left out`,
      }),
      { name: 'codesign-verify-zoom', ext: 'code', parts: [{ written: '1', why: 'codesign exits 1 when verification fails (codesign(1) EXIT STATUS; linuxcommandlibrary.com/man/codesign "1: Signing/verification failed")' }] },
      displayZoom('/Applications/zoom.us.app'),
    ],
    notes: ['No public capture shows codesign --verify failing on zoom.us.app (searched: "zoom.us.app: a sealed resource", "zoom.us.app: valid on disk"): the verdict line is Xamarin\'s with the path replaced. The dashboard offers zoom.clear-caches for the console user with the reinstall.'],
  },
  {
    ...withQuietNetwork(M5PRO_26),
    folder: 'mbp-m5pro-26-two-zooms',
    host: { ...M5PRO_26.host, hostname: 'mbp-m5pro-26-2zoom', serialNumber: 'SERIAL-REDACTED-23' },
    summary: 'M5 Pro on macOS 26 with two Zooms: 7.1.5 in /Applications and the user\'s own 5.16.10 in ~/Applications (both signed by Zoom): which one opens is a guess.',
    expectedFindings: ['zoom.multiple-installs'],
    trigger: 'fs/Users/user/Applications/zoom.us.app/Contents/Info.plist (5.16.10) beside /Applications/zoom.us.app (7.1.5); codesign answers for both',
    homeZoom: { user: '5.16.10' },
    cmds: [
      ...withQuietNetwork(M5PRO_26).cmds,
      verifyIntact('/Applications/zoom.us.app'),
      displayZoom('/Applications/zoom.us.app'),
      verifyIntact('/Users/user/Applications/zoom.us.app', 'user'),
      displayZoom('/Users/user/Applications/zoom.us.app', 'user'),
    ],
  },
];

export const MACS: MacSpec[] = [...DEVICE_BASE.map(withQuietNetwork), ...DEVICE_MACS.map(withQuietNetwork), ...NETWORK_MACS, ...ZOOM_MACS].map(withZoomSignature);
