import type { OsFacts } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';

const KEYS = ['ProductName', 'ProductVersion', 'ProductVersionExtra', 'BuildVersion'] as const;
type Key = (typeof KEYS)[number];

// Tab count varies by release (one TAB up to 13.0, two from 13.3 on, one before ProductVersionExtra): match any whitespace.
const LINE = new RegExp(`^\\s*(${KEYS.join('|')}):\\s*(.*?)\\s*$`);
// A capture where the lines were joined with " / " (seen in a blog post): split before each known key.
const FLATTENED = new RegExp(`\\s+/\\s+(?=(?:${KEYS.join('|')}):)`);
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
  const values = new Map<Key, string>();
  const problems: string[] = [];
  for (const line of stdout.split(/\r?\n/).flatMap((l) => l.split(FLATTENED))) {
    const m = LINE.exec(line);
    if (!m) continue;
    const key = m[1] as Key;
    const value = m[2] ?? '';
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
