import type { FirewallApp } from '@fleetmedic/protocol';
import { failed, lastChars, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest socketfilterfw output parsed, characters (--listapps prints one short line per app). */
export const SOCKETFILTERFW_MAX_CHARS = 256 * 1024;

/**
 * Parsers for `/usr/libexec/ApplicationFirewall/socketfilterfw` output (ALF, the application firewall).
 * Each `--get…` flag prints one line; several flags in one run print one line each, in argument order, and a flag
 * that fails prints an error line instead ("ALF: Error, kStealthEnableKey does not return the correct type.").
 * Every per-flag parser accepts its own output or a combined output and picks its line by wording.
 */

type Flag = 'globalState' | 'blockAll' | 'stealthMode' | 'allowSignedBuiltIn' | 'allowSignedDownloaded' | 'logMode' | 'logOption';

type Line =
  | { kind: Flag; value: number | boolean | string }
  | { kind: 'error'; text: string; flag: Flag | null }
  | { kind: 'noise' }
  | { kind: 'unknown'; text: string };

const on = (word: string) => /^(enabled|on)$/i.test(word);

/** Wordings, old (≤ macOS 13/14) and new (14/15 →), FORMATS.md §3. */
const RULES: { re: RegExp; kind: Flag; value: (m: RegExpExecArray) => number | boolean | string }[] = [
  // "Firewall is enabled. (State = 1)", "… disabled. (State = 0)", "Firewall is blocking all non-essential incoming connections. (State = 2)"
  { re: /^Firewall is .*\(State = (\d+)\)/i, kind: 'globalState', value: (m) => Number(m[1]) },
  { re: /^Firewall is (enabled|disabled)\.?$/i, kind: 'globalState', value: (m) => (on(m[1] ?? '') ? 1 : 0) },
  { re: /^Firewall is blocking all non-essential incoming connections/i, kind: 'globalState', value: () => 2 },
  { re: /^Firewall has block all state set to (enabled|disabled)/i, kind: 'blockAll', value: (m) => on(m[1] ?? '') },
  { re: /^Block all (ENABLED|DISABLED)/i, kind: 'blockAll', value: (m) => on(m[1] ?? '') },
  { re: /^Firewall stealth mode is (on|off)/i, kind: 'stealthMode', value: (m) => on(m[1] ?? '') },
  { re: /^Stealth mode (enabled|disabled)/i, kind: 'stealthMode', value: (m) => on(m[1] ?? '') },
  { re: /^Automatically allow (?:signed built-in|built-in signed) software (ENABLED|DISABLED)/i, kind: 'allowSignedBuiltIn', value: (m) => on(m[1] ?? '') },
  { re: /^Automatically allow downloaded signed software (ENABLED|DISABLED)/i, kind: 'allowSignedDownloaded', value: (m) => on(m[1] ?? '') },
  { re: /^Log mode is (on|off)/i, kind: 'logMode', value: (m) => on(m[1] ?? '') },
  { re: /^Log Option is (\w+)/i, kind: 'logOption', value: (m) => m[1] ?? '' },
];

/** Preference keys named in ALF error lines -> the flag they belong to. */
const ERROR_KEYS: [RegExp, Flag][] = [
  [/stealth/i, 'stealthMode'],
  [/blockall|block all/i, 'blockAll'],
  [/globalstate|global state/i, 'globalState'],
  [/allowsigned|signed/i, 'allowSignedBuiltIn'],
  [/logging|log/i, 'logMode'],
];

function classify(raw: string): Line {
  const line = raw.trim();
  // Prompts a capture may hold: sudo's "Password:", the command itself.
  if (line === '' || /^Password:/.test(line) || /socketfilterfw\s+--/.test(line)) return { kind: 'noise' };
  for (const rule of RULES) {
    const m = rule.re.exec(line);
    if (m) return { kind: rule.kind, value: rule.value(m) };
  }
  if (/^(ALF: )?Error\b|cannot be modified/i.test(line)) {
    return { kind: 'error', text: line, flag: ERROR_KEYS.find(([re]) => re.test(line))?.[1] ?? null };
  }
  return { kind: 'unknown', text: line };
}

const FLAG_WORDS: Record<Flag, string> = {
  globalState: 'global state', blockAll: 'block-all', stealthMode: 'stealth mode',
  allowSignedBuiltIn: 'allow signed built-in', allowSignedDownloaded: 'allow signed downloaded', logMode: 'log mode', logOption: 'log option',
};

/**
 * The value of one flag in (possibly combined) --get output. The flag's last line decides: an error line after a value
 * (e.g. a transcript where `--setstealthmode on` printed "Stealth mode enabled" and the following `--getstealthmode`
 * failed) makes the flag unreadable. Unattributed error lines explain a missing value.
 */
function readFlag<T extends number | boolean | string>(stdout: string, flag: Flag): ParseResult<T> {
  const oversized = refuseOversized(stdout, SOCKETFILTERFW_MAX_CHARS, 'socketfilterfw output');
  if (oversized) return oversized;
  const ownError = (l: Line) => l.kind === 'error' && (l.flag === flag || (flag === 'allowSignedDownloaded' && l.flag === 'allowSignedBuiltIn'));
  const lines = stdout.split(/\r?\n/).map(classify);
  const relevant = lines.filter((l): l is Extract<Line, { value: unknown }> | Extract<Line, { kind: 'error' }> => l.kind === flag || ownError(l));
  const values = relevant.filter((l): l is Extract<Line, { value: unknown }> => l.kind === flag).map((l) => l.value as T);
  const last = relevant.at(-1);
  if (!last || last.kind === 'error') {
    const errors = lines.filter((l): l is Extract<Line, { kind: 'error' }> => l.kind === 'error' && (l.flag === null || ownError(l)));
    const why = errors.map((e) => e.text);
    const problems = values.length > 0 ? [`an earlier line gave ${FLAG_WORDS[flag]} = ${String(values.at(-1))}; the later error wins`] : [];
    return failed(why.length > 0 ? `${FLAG_WORDS[flag]} unreadable: socketfilterfw said "${why.join('"; "')}"` : `no ${FLAG_WORDS[flag]} line in socketfilterfw output`, problems);
  }
  const problems: string[] = [];
  if (values.some((v) => v !== values[0])) problems.push(`${FLAG_WORDS[flag]} printed ${values.length} times with different values: kept the last`);
  return parsed(last.value as T, problems);
}

const GLOBAL_STATES: readonly number[] = [0, 1, 2];

/**
 * `--getglobalstate` -> 0 off, 1 on, 2 block all incoming ("blocking all non-essential incoming connections", no word
 * "enabled"). Any other number ("State = 11") fails with the number: it is no state macOS has, so nothing about the
 * firewall can be concluded from it.
 */
export function parseGlobalState(stdout: string): ParseResult<number> {
  const r = readFlag<number>(stdout, 'globalState');
  if (!r.ok || GLOBAL_STATES.includes(r.value)) return r;
  return failed(`global state ${r.value} not recognised: socketfilterfw prints 0 (off), 1 (on) or 2 (block all)`, r.problems);
}

/** `--getblockall` -> true/false ("Firewall has block all state set to enabled." / old "Block all DISABLED!"). */
export const parseBlockAll = (stdout: string): ParseResult<boolean> => readFlag<boolean>(stdout, 'blockAll');

/** `--getstealthmode` -> true/false ("Firewall stealth mode is on" / old "Stealth mode enabled"). */
export const parseStealthMode = (stdout: string): ParseResult<boolean> => readFlag<boolean>(stdout, 'stealthMode');

/** `--getloggingmode` -> true/false ("Log mode is on "). */
export const parseLoggingMode = (stdout: string): ParseResult<boolean> => readFlag<boolean>(stdout, 'logMode');

/** `--getallowsigned` (two lines: built-in, downloaded) -> both switches; a missing line is null with a problem. */
export function parseAllowSigned(stdout: string): ParseResult<{ builtIn: boolean | null; downloaded: boolean | null }> {
  const oversized = refuseOversized(stdout, SOCKETFILTERFW_MAX_CHARS, 'socketfilterfw --getallowsigned output');
  if (oversized) return oversized;
  const builtIn = readFlag<boolean>(stdout, 'allowSignedBuiltIn');
  const downloaded = readFlag<boolean>(stdout, 'allowSignedDownloaded');
  if (!builtIn.ok && !downloaded.ok) return failed(builtIn.error, downloaded.problems);
  const problems = [...builtIn.problems, ...downloaded.problems];
  if (!builtIn.ok) problems.push(builtIn.error);
  if (!downloaded.ok) problems.push(downloaded.error);
  return parsed({ builtIn: builtIn.ok ? builtIn.value : null, downloaded: downloaded.ok ? downloaded.value : null }, problems);
}

/** Every --get value found in a combined run, by flag (absent flags are missing). */
export function parseSocketfilterfwGetAll(stdout: string): ParseResult<Partial<Record<Flag, number | boolean | string>>> {
  const oversized = refuseOversized(stdout, SOCKETFILTERFW_MAX_CHARS, 'socketfilterfw output');
  if (oversized) return oversized;
  const out: Partial<Record<Flag, number | boolean | string>> = {};
  const problems: string[] = [];
  for (const l of stdout.split(/\r?\n/).map(classify)) {
    if (l.kind === 'error') problems.push(`socketfilterfw error: ${l.text}`);
    else if (l.kind === 'unknown') problems.push(`unrecognised line: ${l.text.slice(0, 120)}`);
    else if (l.kind !== 'noise' && !(l.kind in out)) out[l.kind] = l.value;
  }
  return Object.keys(out).length > 0 ? parsed(out, problems) : failed('no socketfilterfw --get line recognised', problems);
}

/** `--listapps` result: the header's count (null when absent) and the listed applications. */
export interface ListApps {
  count: number | null;
  apps: FirewallApp[];
}

/**
 * `--listapps` -> ListApps. Three layouts:
 * - old (≤ 14): "ALF: total number of apps = 3 ", "1 :  /path/App.app ", " \t ( Allow incoming connections ) ", blank lines between;
 * - new (15 → 27): "Total number of apps = 9", "1 : /usr/libexec/sshd-session", 13 spaces + "(Block incoming connections)";
 * - macOS 15 beta: "replicatord (state: 1)" — names, numeric state (1 allow, 4 block, per kolide/launcher's parser).
 * Paths keep inner spaces; trailing spaces are trimmed. A count that disagrees with the rows is a problem.
 */
export function parseListApps(stdout: string): ParseResult<ListApps> {
  const oversized = refuseOversized(stdout, SOCKETFILTERFW_MAX_CHARS, 'socketfilterfw --listapps output');
  if (oversized) return oversized;
  let count: number | null = null;
  const apps: FirewallApp[] = [];
  const numbered = new Set<FirewallApp>(); // rows that expect an "(Allow|Block incoming connections)" line
  const problems: string[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || /^Password:/.test(line) || /socketfilterfw\s+--/.test(line)) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(?:ALF: )?total number of apps = (\d+)/i.exec(line))) {
      count = Number(m[1]);
    } else if ((m = /^\d+\s*:\s+(.+)$/s.exec(line))) { // s: a path may hold U+2028, which "." would not match
      const target = m[1] ?? '';
      const app: FirewallApp = target.startsWith('/') ? { path: target, name: null, allowIncoming: null } : { path: null, name: target, allowIncoming: null };
      apps.push(app);
      numbered.add(app);
    } else if ((m = /^\(\s*(Allow|Block) incoming connections\s*\)$/i.exec(line))) {
      const last = apps.at(-1);
      if (last && numbered.has(last) && last.allowIncoming === null) last.allowIncoming = /^allow$/i.test(m[1] ?? '');
      else problems.push(`"${line}" without an application line before it`);
    } else if ((m = /^(.+?) \(state: (\d+)\)$/s.exec(line))) {
      const target = m[1] ?? '';
      const state = Number(m[2]);
      const allowIncoming = state === 1 ? true : state === 4 ? false : null;
      if (allowIncoming === null) problems.push(`${target}: unknown app state ${state}`);
      apps.push(target.startsWith('/') ? { path: target, name: null, allowIncoming } : { path: null, name: target, allowIncoming });
    } else if (/^(ALF: )?Error\b|cannot be modified/i.test(line)) {
      return failed(`socketfilterfw --listapps said "${line}"`, problems);
    } else {
      problems.push(`unrecognised line: ${line.slice(0, 120)}`);
    }
  }
  if (count === null && apps.length === 0) return failed('no "total number of apps" line and no application rows', problems);
  if (count === null) problems.push('no "total number of apps" line');
  else if (count !== apps.length) problems.push(`header says ${count} apps, ${apps.length} listed (output cut?)`);
  for (const a of numbered) if (a.allowIncoming === null) problems.push(`${a.path ?? a.name}: no Allow/Block line`);
  return parsed({ count, apps }, problems);
}

/** What a `socketfilterfw --set…/--add/--blockapp/--unblockapp` run did. */
export interface SocketfilterfwWrite {
  /** applied: a confirmation line and exit 0; refused: managed Mac (MDM profile) or not root; failed: an error line; unknown otherwise. */
  outcome: 'applied' | 'refused' | 'failed' | 'unknown';
  reason: string;
}

// Confirmation wordings (drduh guide, 10.13 era, and current): "Firewall is enabled. (State = 1)", "Turning on log mode",
// "Stealth mode enabled", "Disabled allow signed built-in applications automatically", "Application … added/unblocked".
const CONFIRM = /^(Firewall is |Firewall has |Turning (on|off) |Stealth mode |Firewall stealth mode |(Enabled|Disabled) allow signed |Automatically allow |Log mode |Log Option |Application .*\b(added|removed|blocked|unblocked|permitted)|The application .* (added|removed|blocked|unblocked|permitted)|Incoming connection to the application|The application is already a part of the firewall)/i;

/**
 * stdout + stderr + exit code of a socketfilterfw write -> SocketfilterfwWrite. On MDM-managed Macs socketfilterfw refuses
 * writes ("Firewall settings cannot be modified from command line on managed Mac computers.") while reads still work.
 */
export function parseSocketfilterfwWrite(stdout: string, stderr: string, exitCode: number): SocketfilterfwWrite {
  // The outcome is in the last lines: a flood before them is not read.
  const lines = `${lastChars(stdout, SOCKETFILTERFW_MAX_CHARS)}\n${lastChars(stderr, SOCKETFILTERFW_MAX_CHARS)}`.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^Password:/.test(l) && !/socketfilterfw\s+--/.test(l));
  const refused = lines.find((l) => /cannot be modified|managed Mac|must be root|requires? (root|admin)|not permitted|permission denied/i.test(l));
  if (refused) return { outcome: 'refused', reason: `socketfilterfw refused the change: "${refused}"` };
  const error = lines.find((l) => /^(ALF: )?Error\b|\berror\b|usage:/i.test(l));
  if (error) return { outcome: 'failed', reason: `socketfilterfw failed (exit ${exitCode}): "${error}"` };
  const confirm = lines.find((l) => CONFIRM.test(l));
  if (confirm && exitCode === 0) return { outcome: 'applied', reason: `socketfilterfw confirmed: "${confirm}"` };
  return { outcome: 'unknown', reason: `socketfilterfw exited ${exitCode}${lines[0] ? `: "${lines[0]}"` : ' and printed nothing'}` };
}
