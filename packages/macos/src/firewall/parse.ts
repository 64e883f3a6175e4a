import type { FirewallApp, FirewallFacts } from '@fleetmedic/protocol';
import { failed, parsed, readSource, type ParseResult } from '../result.js';
import { parseAllowSigned, parseBlockAll, parseGlobalState, parseListApps, parseStealthMode } from '../socketfilterfw/parse.js';
import { asDict, decodePlist, type PlistValue } from '../zoom/plist.js';
import { parseJson } from '../json.js';

/** stdout of each socketfilterfw --get… run; undefined = that flag was not read. The same combined output may be passed for several. */
export interface SocketfilterfwOutputs {
  globalState?: string;
  blockAll?: string;
  stealthMode?: string;
  allowSigned?: string;
  listApps?: string;
}

/**
 * socketfilterfw outputs -> FirewallFacts. A flag not read, or read with an error line, is null with a problem
 * (never false: "could not read" is not "disabled"). Fails only when nothing at all could be read.
 */
export function parseFirewall(outputs: SocketfilterfwOutputs): ParseResult<FirewallFacts> {
  const problems: string[] = [];
  const read = <T>(name: string, stdout: string | undefined, parse: (s: string) => ParseResult<T>): T | null =>
    readSource(name, stdout, parse, problems);
  const globalState = read('--getglobalstate', outputs.globalState, parseGlobalState);
  const blockAll = read('--getblockall', outputs.blockAll, parseBlockAll);
  const stealthMode = read('--getstealthmode', outputs.stealthMode, parseStealthMode);
  const signed = read('--getallowsigned', outputs.allowSigned, parseAllowSigned);
  const list = read('--listapps', outputs.listApps, parseListApps);
  const facts: FirewallFacts = {
    globalState,
    blockAll,
    stealthMode,
    allowSignedBuiltIn: signed?.builtIn ?? null,
    allowSignedDownloaded: signed?.downloaded ?? null,
    apps: list?.apps ?? null,
  };
  const anything = [globalState, blockAll, stealthMode, signed, list].some((v) => v !== null);
  return anything ? parsed(facts, problems) : failed('no firewall setting could be read', problems);
}

const GLOBAL_STATES: Record<string, number> = {
  spfirewall_globalstate_allow_all: 0,
  spfirewall_globalstate_off: 0,
  spfirewall_globalstate_limit_connections: 1,
  spfirewall_globalstate_block_all: 2,
};

const yesNo = (v: unknown): boolean | null => (typeof v === 'string' && /^(yes|on|true|enabled)$/i.test(v) ? true : typeof v === 'string' && /^(no|off|false|disabled)$/i.test(v) ? false : null);

/**
 * `system_profiler -json SPFirewallDataType` (macOS 15+, where com.apple.alf.plist is gone) -> FirewallFacts.
 * `spfirewall_globalstate` allow_all|off 0, limit_connections 1, block_all 2; `spfirewall_stealthenabled` "Yes"/"No";
 * `spfirewall_applications` {bundle id: spfirewall_allow_all|spfirewall_block_all} -> apps by name. blockAll = global state 2;
 * allow-signed switches are not reported by this source (null with a problem).
 */
export function parseSpFirewallJson(stdout: string): ParseResult<FirewallFacts> {
  const start = stdout.indexOf('{');
  if (start < 0) return failed(stdout.trim() === '' ? 'empty SPFirewallDataType output' : 'SPFirewallDataType output holds no JSON object');
  let doc: unknown;
  try {
    doc = parseJson(stdout.slice(start));
  } catch (e) {
    return failed(`SPFirewallDataType output is not JSON: ${(e as Error).message}`);
  }
  const items = (doc as { SPFirewallDataType?: unknown })?.SPFirewallDataType;
  if (!Array.isArray(items) || items.length === 0) return failed('SPFirewallDataType is empty');
  const item = (items.at(-1) ?? {}) as Record<string, unknown>;
  const problems: string[] = ['allow-signed switches: not reported by SPFirewallDataType'];
  const rawState = item.spfirewall_globalstate;
  const globalState = typeof rawState === 'string' ? (GLOBAL_STATES[rawState] ?? null) : null;
  if (globalState === null) problems.push(`spfirewall_globalstate ${JSON.stringify(rawState)} not recognised`);
  const stealthMode = yesNo(item.spfirewall_stealthenabled);
  if (stealthMode === null) problems.push(`spfirewall_stealthenabled ${JSON.stringify(item.spfirewall_stealthenabled)} not recognised`);
  const apps: FirewallApp[] = [];
  const appMap = item.spfirewall_applications;
  if (appMap && typeof appMap === 'object' && !Array.isArray(appMap)) {
    for (const [name, v] of Object.entries(appMap as Record<string, unknown>)) {
      const allowIncoming = v === 'spfirewall_allow_all' || v === 'spfirewall_allow_local' ? true : v === 'spfirewall_block_all' ? false : null;
      if (allowIncoming === null) problems.push(`${name}: application state ${JSON.stringify(v)} not recognised`);
      apps.push({ path: name.startsWith('/') ? name : null, name: name.startsWith('/') ? null : name, allowIncoming });
    }
  }
  return parsed({ globalState, blockAll: globalState === null ? null : globalState === 2, stealthMode, allowSignedBuiltIn: null, allowSignedDownloaded: null, apps }, problems);
}

const int01 = (v: PlistValue | undefined): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'boolean' ? Number(v) : null);

/**
 * /Library/Preferences/com.apple.alf.plist (≤ macOS 14; removed in 15) -> FirewallFacts. Keys: `globalstate` 0/1/2,
 * `stealthenabled`, `allowsignedenabled` (one switch for built-in signed software; the downloaded switch is
 * `allowdownloadsignedenabled` where present), `applications` [{bundleid|path, state}] -> apps. The per-app `state` codes
 * are not documented, so allowIncoming stays null there (use --listapps for it); Apple's default `exceptions` are not apps.
 * blockAll = global state 2.
 */
export function parseAlfPlist(content: string | Uint8Array): ParseResult<FirewallFacts> {
  const decoded = decodePlist(content);
  if (!decoded.ok) return failed(`com.apple.alf.plist: ${decoded.error}`);
  const dict = asDict(decoded.value);
  if (!dict) return failed('com.apple.alf.plist: top level is not a dictionary');
  const problems: string[] = [];
  const rawState = int01(dict.globalstate);
  // macOS has three states; another number is unreadable, not "off" or "on".
  const globalState = rawState !== null && rawState >= 0 && rawState <= 2 ? rawState : null;
  if (rawState === null) problems.push('globalstate missing or not an integer');
  else if (globalState === null) problems.push(`globalstate ${rawState} is not a firewall state (0 off, 1 on, 2 block all)`);
  const stealth = int01(dict.stealthenabled);
  if (stealth === null) problems.push('stealthenabled missing or not an integer');
  const signed = int01(dict.allowsignedenabled);
  if (signed === null) problems.push('allowsignedenabled missing or not an integer');
  const downloaded = int01(dict.allowdownloadsignedenabled);
  if (downloaded === null) {
    problems.push(dict.allowdownloadsignedenabled === undefined ? 'allowdownloadsignedenabled not in this plist version' : 'allowdownloadsignedenabled not an integer');
  }
  // No `applications` array: the list was not read from this plist (null), not "no apps".
  const apps: FirewallApp[] | null = Array.isArray(dict.applications) ? [] : null;
  if (apps === null) problems.push('applications missing or not an array');
  for (const entry of Array.isArray(dict.applications) ? dict.applications : []) {
    const d = asDict(entry);
    const path = typeof d?.path === 'string' ? d.path : null;
    const name = typeof d?.bundleid === 'string' ? d.bundleid : null;
    if (!path && !name) {
      problems.push('applications entry without path or bundleid: skipped');
      continue;
    }
    apps!.push({ path, name: path ? null : name, allowIncoming: null });
  }
  if (apps && apps.length > 0) problems.push('applications: per-app state codes are not decoded (allowIncoming null); read --listapps');
  return parsed({
    globalState,
    blockAll: globalState === null ? null : globalState === 2,
    stealthMode: stealth === null ? null : stealth !== 0,
    allowSignedBuiltIn: signed === null ? null : signed !== 0,
    allowSignedDownloaded: downloaded === null ? null : downloaded !== 0,
    apps,
  }, problems);
}
