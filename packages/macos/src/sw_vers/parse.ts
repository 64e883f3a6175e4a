import type { OsFacts } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest sw_vers output parsed, characters (a real one is about 100; transcripts a few thousand). */
export const SW_VERS_MAX_CHARS = 64 * 1024;

const KEYS = ['ProductName', 'ProductVersion', 'ProductVersionExtra', 'BuildVersion'] as const;
type Key = (typeof KEYS)[number];

// Tab count varies by release (one TAB up to 13.0, two from 13.3 on, one before ProductVersionExtra):
// the line is trimmed first and the value after the colon trimmed, so no pattern scans a whitespace
// run twice (a lazy value before `\s*$` took seconds on 20,000 spaces).
const LINE = new RegExp(`^(${KEYS.join('|')}):(.*)$`);
// A capture where the lines were joined with " / " (seen in a blog post): split before each known key.
const FLATTENED_KEY = new RegExp(`^\\s+(?:${KEYS.join('|')}):`);
const VERSION = /^\d+(?:\.\d+)*$/;
// 24D70, 19H1417, 22E772610a (Rapid Security Response builds end in a lower-case letter), betas 20C5061b.
const BUILD = /^\d+[A-Z]\d+[a-z]?$/;

/**
 * `sw_vers` stdout -> OsFacts (macOS 10.6 – 27).
 * Layouts: "Key:\tvalue" (≤ 13.0), "Key:\t\tvalue" (13.3+), optional "ProductVersionExtra:\t(a)" (RSR).
 * Other lines (shell prompts, `uname -a`, sysctl, system_profiler) are ignored, so a transcript holding
 * sw_vers among other commands parses. Missing ProductName is inferred from the version, with a problem;
 * missing ProductVersion or BuildVersion fails.
 */
export function parseSwVers(stdout: string): ParseResult<OsFacts> {
  const oversized = refuseOversized(stdout, SW_VERS_MAX_CHARS, 'sw_vers output');
  if (oversized) return oversized;
  const values = new Map<Key, string>();
  const problems: string[] = [];
  for (const line of stdout.split(/\r?\n/).flatMap(splitFlattened)) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const key = m[1] as Key;
    const value = (m[2] ?? '').trim();
    const seen = values.get(key);
    if (seen === undefined) values.set(key, value);
    else if (seen !== value) problems.push(`${key} appears twice ("${seen}", "${value}"): kept the first`);
  }
  const productVersion = values.get('ProductVersion');
  const buildVersion = values.get('BuildVersion');
  if (!productVersion) return failed('no ProductVersion line in sw_vers output', problems);
  if (!buildVersion) return failed('no BuildVersion line in sw_vers output', problems);
  if (!VERSION.test(productVersion)) problems.push(`ProductVersion "${productVersion}" is not a dotted number`);
  if (!BUILD.test(buildVersion)) problems.push(`BuildVersion "${buildVersion}" does not look like a macOS build (e.g. 24D70)`);

  let productName = values.get('ProductName');
  if (!productName) {
    // sw_vers said "Mac OS X" up to 10.15 and "macOS" from 11 on.
    productName = Number.parseInt(productVersion, 10) >= 11 ? 'macOS' : 'Mac OS X';
    problems.push(`no ProductName line: inferred "${productName}" from ProductVersion ${productVersion}`);
  }
  const extra = values.get('ProductVersionExtra');
  return parsed({ productName, productVersion, productVersionExtra: extra ? extra : null, buildVersion }, problems);
}

/**
 * Splits a line at each " / " that comes before a known key ("ProductName: macOS / ProductVersion:
 * 15.3"), in one pass over the '/'-separated parts: a part starting with whitespace and a key
 * begins a new line when the part before it ends with whitespace.
 */
function splitFlattened(line: string): string[] {
  if (!line.includes('/')) return [line];
  const out: string[] = [];
  let current: string[] = [];
  let endsWithSpace = false;
  for (const part of line.split('/')) {
    if (current.length > 0 && endsWithSpace && FLATTENED_KEY.test(part)) {
      out.push(current.join('/'));
      current = [];
    }
    current.push(part);
    // An empty part means the text so far ends with '/'.
    endsWithSpace = part !== '' && /\s/.test(part[part.length - 1]!);
  }
  out.push(current.join('/'));
  return out;
}
