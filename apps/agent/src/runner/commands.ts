/**
 * The one table of the commands the agent runs to read a Mac: the real argv, and the name of
 * the file a recorded Mac keeps its output in (`cmd/<name>.out|.err|.code`, see
 * docs/recorded-mac.md). Collectors run these specs; the replay runner maps argv back to the
 * name through `replayNameFor`. Nowhere else spells these argv.
 */

export interface CommandSpec {
  /** Recorded-Mac file name, e.g. `socketfilterfw-getglobalstate`. */
  readonly name: string;
  /** Absolute program path: never looked up through PATH. */
  readonly program: string;
  readonly args: readonly string[];
  /** Milliseconds; system_profiler on a docked Mac takes several seconds. */
  readonly timeoutMs?: number;
  /** Bytes of stdout past which the command is killed and its output not used (default COMMAND_STDOUT_CAP_BYTES). */
  readonly maxOutputBytes?: number;
}

/** Absolute paths of every program the agent may start. */
export const PROGRAMS = {
  swVers: '/usr/bin/sw_vers',
  systemProfiler: '/usr/sbin/system_profiler',
  ioreg: '/usr/sbin/ioreg',
  socketfilterfw: '/usr/libexec/ApplicationFirewall/socketfilterfw',
  pmset: '/usr/bin/pmset',
  stat: '/usr/bin/stat',
  sqlite3: '/usr/bin/sqlite3',
  tccutil: '/usr/bin/tccutil',
  launchctl: '/bin/launchctl',
  sudo: '/usr/bin/sudo',
  pkill: '/usr/bin/pkill',
  log: '/usr/bin/log',
  scutil: '/usr/sbin/scutil',
  systemextensionsctl: '/usr/bin/systemextensionsctl',
  security: '/usr/bin/security',
  codesign: '/usr/bin/codesign',
  softwareupdate: '/usr/sbin/softwareupdate',
  sysctl: '/usr/sbin/sysctl',
} as const;

/** Where Zoom installs for everyone (DEFAULT_POLICY.zoomAppPath). */
export const ZOOM_APP_PATH = '/Applications/zoom.us.app';
/** A user's own copy of Zoom, under their home folder. */
export const userZoomAppPath = (home: string): string => `${home.replace(/\/+$/, '')}/Applications/zoom.us.app`;

/** Zoom's bundle id: the one app whose TCC decisions the agent reads from the unified log. */
export const ZOOM_BUNDLE_ID = 'us.zoom.xos';
/** Days of unified log searched for TCC decisions (`log show --last 30d`). */
export const TCC_LOG_WINDOW_DAYS = 30;
/**
 * What `log show` may match: tccd's request lines for the three services Zoom needs, the subject
 * lines naming Zoom, and the result lines (which carry only a msgID and the values, no app: a
 * predicate on the bundle id alone would drop Zoom's answers). Other apps' lines that pass are
 * dropped by parseTccLog on the Mac.
 */
export const TCC_LOG_PREDICATE = 'subsystem == "com.apple.TCC" AND ('
  + '(eventMessage BEGINSWITH "AUTHREQ_CTX" AND (eventMessage CONTAINS "kTCCServiceCamera" OR eventMessage CONTAINS "kTCCServiceMicrophone" OR eventMessage CONTAINS "kTCCServiceScreenCapture"))'
  + ` OR ((eventMessage BEGINSWITH "AUTHREQ_SUBJECT" OR eventMessage BEGINSWITH "AUTHREQ_PROMPTING") AND eventMessage CONTAINS "${ZOOM_BUNDLE_ID}")`
  + ' OR eventMessage BEGINSWITH "AUTHREQ_RESULT")';

const sp = (dataType: string): CommandSpec => ({
  name: `system_profiler-${dataType}`,
  program: PROGRAMS.systemProfiler,
  args: ['-json', dataType],
  timeoutMs: 90_000,
});
const fw = (flag: string): CommandSpec => ({
  name: `socketfilterfw-${flag}`,
  program: PROGRAMS.socketfilterfw,
  args: [`--${flag}`],
});

/** Read-only commands, by role. */
export const COMMANDS = {
  swVers: { name: 'sw_vers', program: PROGRAMS.swVers, args: [] },
  spUsb: sp('SPUSBDataType'),
  spUsbHost: sp('SPUSBHostDataType'),
  spFirewall: sp('SPFirewallDataType'),
  spPower: sp('SPPowerDataType'),
  spCamera: sp('SPCameraDataType'),
  spAudio: sp('SPAudioDataType'),
  /** Lists pending updates from Apple's catalog; `--list` never downloads or installs (run at most daily: collectors/software-update.ts). */
  softwareUpdateList: { name: 'softwareupdate-list', program: PROGRAMS.softwareupdate, args: ['--list'], timeoutMs: 180_000 },
  kernBoottime: { name: 'sysctl-kern.boottime', program: PROGRAMS.sysctl, args: ['-n', 'kern.boottime'] },
  ioregUsb: { name: 'ioreg-IOUSB', program: PROGRAMS.ioreg, args: ['-p', 'IOUSB', '-l', '-w0'], timeoutMs: 60_000 },
  fwGlobalState: fw('getglobalstate'),
  fwBlockAll: fw('getblockall'),
  fwStealthMode: fw('getstealthmode'),
  fwAllowSigned: fw('getallowsigned'),
  fwListApps: fw('listapps'),
  pmsetBatt: { name: 'pmset-batt', program: PROGRAMS.pmset, args: ['-g', 'batt'] },
  pmsetAdapter: { name: 'pmset-adapter', program: PROGRAMS.pmset, args: ['-g', 'adapter'] },
  consoleUser: { name: 'console-user', program: PROGRAMS.stat, args: ['-f', '%Su', '/dev/console'] },
  /** uid of the console user, for `launchctl asuser`. */
  consoleUid: { name: 'console-uid', program: PROGRAMS.stat, args: ['-f', '%u', '/dev/console'] },
  /** tccd's decisions about Zoom over the last TCC_LOG_WINDOW_DAYS days, capped at 4 MiB of output. */
  tccLog: {
    name: 'log-show-tcc',
    program: PROGRAMS.log,
    args: ['show', '--style', 'compact', '--last', `${TCC_LOG_WINDOW_DAYS}d`, '--predicate', TCC_LOG_PREDICATE],
    timeoutMs: 120_000,
    maxOutputBytes: 4 * 1024 * 1024,
  },
  scutilProxy: { name: 'scutil-proxy', program: PROGRAMS.scutil, args: ['--proxy'] },
  scutilNcList: { name: 'scutil-nc-list', program: PROGRAMS.scutil, args: ['--nc', 'list'] },
  sysextList: { name: 'systemextensionsctl-list', program: PROGRAMS.systemextensionsctl, args: ['list'] },
  /** Roots an admin or MDM installed (Zscaler's, a proxy's): a chain only they validate is TLS inspection. */
  systemKeychainCerts: { name: 'security-system-keychain-certs', program: PROGRAMS.security, args: ['find-certificate', '-a', '-p', '/Library/Keychains/System.keychain'] },
  /** Zoom's signature at the default app path; other copies through codesignAt. Both print to stderr. */
  codesignVerifyZoom: { name: 'codesign-verify-zoom', program: PROGRAMS.codesign, args: ['--verify', '--deep', '--strict', '--verbose=2', ZOOM_APP_PATH], timeoutMs: 120_000 },
  codesignDisplayZoom: { name: 'codesign-dvvv-zoom', program: PROGRAMS.codesign, args: ['-dvvv', ZOOM_APP_PATH] },
} as const satisfies Record<string, CommandSpec>;

/**
 * A codesign spec of the table run on another copy of Zoom: the app path replaced, and, for a
 * user's ~/Applications copy, the recorded name suffixed `~<user>` (docs/recorded-mac.md).
 */
export function codesignAt(spec: CommandSpec, appPath: string, user: string | null): CommandSpec {
  return { ...spec, name: user === null ? spec.name : `${spec.name}~${user}`, args: [...spec.args.slice(0, -1), appPath] };
}

/** The recorded name of a codesign argv on a copy other than the default path, or undefined. */
function codesignReplayName(program: string, args: readonly string[], homes: Readonly<Record<string, string>>): string | undefined {
  if (program !== PROGRAMS.codesign) return undefined;
  const appPath = args[args.length - 1] ?? '';
  for (const spec of [COMMANDS.codesignVerifyZoom, COMMANDS.codesignDisplayZoom]) {
    if (argvKey(program, spec.args.slice(0, -1)) !== argvKey(program, args.slice(0, -1))) continue;
    if (appPath === ZOOM_APP_PATH) return spec.name;
    const user = Object.entries(homes).find(([, home]) => appPath === userZoomAppPath(home))?.[0];
    return user === undefined ? undefined : `${spec.name}~${user}`;
  }
  return undefined;
}

const BY_ARGV = new Map<string, string>(
  Object.values(COMMANDS).map((c) => [argvKey(c.program, c.args), c.name]),
);

function argvKey(program: string, args: readonly string[]): string {
  return JSON.stringify([program, ...args]);
}

/**
 * The recorded-Mac name of a read-only argv, or undefined when the table has no such command.
 * `homes` (host.json) names the `~<user>` codesign answers of users' own Zoom copies.
 */
export function replayNameFor(program: string, args: readonly string[], homes: Readonly<Record<string, string>> = {}): string | undefined {
  return BY_ARGV.get(argvKey(program, args)) ?? codesignReplayName(program, args, homes);
}

/** Human label of a command for `Section.sources`, e.g. "socketfilterfw --getglobalstate". */
export function sourceLabel(spec: CommandSpec): string {
  const base = spec.program.slice(spec.program.lastIndexOf('/') + 1);
  return [base, ...spec.args].join(' ');
}

/** TCC.db paths: the system one, and a user's under their home folder. */
export const TCC_SYSTEM_DB = '/Library/Application Support/com.apple.TCC/TCC.db';
export const tccUserDb = (home: string): string => `${home.replace(/\/+$/, '')}/Library/Application Support/com.apple.TCC/TCC.db`;

/** `sqlite3 -readonly -json <db> <sql>`: JSON rows, never opened for writing. */
export const sqliteReadArgs = (db: string, sql: string): string[] => ['-readonly', '-json', db, sql];
