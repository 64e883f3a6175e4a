import { failed, lastChars, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest tccutil output parsed, characters (one line per client: thousands of clients fit). */
export const TCCUTIL_MAX_CHARS = 256 * 1024;

/** What one `tccutil reset SERVICE [BUNDLE_ID]` run did. */
export interface TccutilResult {
  /**
   * reset: "Successfully reset …" and exit 0. no-such-bundle: the bundle id is not registered with LaunchServices
   * (or a path was given), exit 64. failed: "Failed to reset SERVICE" (not a TCC service such as LocalNetwork, or not
   * allowed), exit 70. usage: tccutil printed its usage (bad arguments). unknown: anything else, or contradictory output.
   */
  outcome: 'reset' | 'no-such-bundle' | 'failed' | 'usage' | 'unknown';
  /** Success lines printed: one per LaunchServices-registered copy of the bundle (3–4 seen); 0 unless reset. */
  copies: number;
  /** OSStatus from "OSStatus error -10814" (kLSApplicationNotFoundErr), else null. */
  osStatus: number | null;
  /** One sentence for the admin. */
  reason: string;
}

const SUCCESS = /^Successfully reset (\S+)(?: approval status for (.+?))?\s*$/;
const NO_BUNDLE = /No such bundle identifier "([^"]*)"/;
const OSSTATUS = /OSStatus error (-?\d+)/;
const FAILED = /Failed to reset (\S+)/;
const USAGE = /Usage: tccutil\b/;

/**
 * tccutil stdout + stderr + exit code -> TccutilResult. Lines are matched anywhere in either stream, so shell prompts,
 * `Password:` and other noise around them do not matter. Success needs exit 0; output of two different kinds is `unknown`.
 */
export function parseTccutilResult(stdout: string, stderr: string, exitCode: number): TccutilResult {
  // The outcome is in the last lines: a flood before them is not read.
  const lines = `${lastChars(stdout, TCCUTIL_MAX_CHARS)}\n${lastChars(stderr, TCCUTIL_MAX_CHARS)}`.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const successes = lines.map((l) => SUCCESS.exec(l)).filter((m) => m !== null);
  const noBundle = lines.map((l) => NO_BUNDLE.exec(l)).find((m) => m);
  const failedTo = lines.map((l) => FAILED.exec(l)).find((m) => m);
  const usage = lines.some((l) => USAGE.test(l));
  const osMatch = lines.map((l) => OSSTATUS.exec(l)).find((m) => m);
  const osStatus = osMatch?.[1] ? Number(osMatch[1]) : null;

  const kinds = [successes.length > 0, !!noBundle, !!failedTo, usage].filter(Boolean).length;
  const result = (outcome: TccutilResult['outcome'], reason: string, copies = 0): TccutilResult => ({ outcome, copies, osStatus, reason });
  if (kinds > 1) return result('unknown', `contradictory tccutil output (exit ${exitCode}): ${lines.slice(0, 3).join(' | ')}`);

  if (successes.length > 0) {
    const [, service, bundle] = successes[0] ?? [];
    const what = bundle ? `${service} for ${bundle}` : `${service} for every app`;
    if (exitCode !== 0) return result('unknown', `tccutil printed "Successfully reset ${what}" but exited ${exitCode}`);
    const copies = successes.length;
    return result('reset', `reset ${what}${copies > 1 ? ` (${copies} registered copies of the app)` : ''}`, copies);
  }
  if (noBundle) {
    return result('no-such-bundle', `no such bundle identifier "${noBundle[1]}"${osStatus !== null ? ` (OSStatus ${osStatus})` : ''}: the app is not registered with LaunchServices (not installed, never launched, or a path was given)`);
  }
  if (failedTo) return result('failed', `tccutil could not reset ${failedTo[1]}: not a TCC service (e.g. LocalNetwork) or not allowed for this user`);
  if (usage) return result('usage', `tccutil printed its usage (exit ${exitCode}): the arguments were not accepted`);
  const said = lines[0] ? `: ${lines[0]}` : ' and printed nothing';
  return result('unknown', `tccutil exited ${exitCode}${said}`);
}

/** One client listed by `tccutil list -s kTCCService…` (macOS 26+). */
export interface TccutilListEntry {
  client: string;
  clientType: 'bundle' | 'path';
}

const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9.\-_]*$/;

/**
 * `tccutil list -s SERVICE` stdout (macOS 26+: one client per line, an absolute path or a bundle id) -> entries.
 * Lines that are neither (shell prompts, notes) are reported as problems; text after two spaces and "#" is a note and dropped.
 */
export function parseTccutilList(stdout: string): ParseResult<TccutilListEntry[]> {
  const oversized = refuseOversized(stdout, TCCUTIL_MAX_CHARS, 'tccutil list output');
  if (oversized) return oversized;
  const problems: string[] = [];
  const entries: TccutilListEntry[] = [];
  stdout.split(/\r?\n/).forEach((raw, i) => {
    // Two whitespace characters and "#" start a note: a fixed-width search (`\s{2,}#.*$` rescanned long space runs).
    const note = raw.search(/\s\s#/);
    const line = (note < 0 ? raw : raw.slice(0, note)).trim();
    if (line === '') return;
    if (line !== raw.trim()) problems.push(`line ${i + 1}: trailing note dropped`);
    if (line.startsWith('/')) entries.push({ client: line, clientType: 'path' });
    else if (BUNDLE_ID.test(line)) entries.push({ client: line, clientType: 'bundle' });
    else problems.push(`line ${i + 1}: not a path or bundle id: ${JSON.stringify(line.slice(0, 80))}`);
  });
  if (entries.length === 0 && problems.length > 0) return failed('no client in tccutil list output', problems);
  return parsed(entries, problems);
}
