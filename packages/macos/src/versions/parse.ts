/**
 * Dotted version numbers as macOS and Zoom print them, compared numerically.
 * Sources: `sw_vers` ProductVersion ("10.15.7", "26.3.1"), Zoom Info.plist
 * CFBundleShortVersionString ("5.16.10 (25689)", "4.5.0 (3261.0825)") and CFBundleVersion ("5.16.10.25689").
 */

const DOTTED = /^\d+(?:\.\d+)*$/;
const LEADING_DOTTED = /^\s*v?(\d+(?:\.\d+)*)/i;
const PAREN_BUILD = /^\s*\(\s*(\d+(?:\.\d+)*)\s*\)/;

/**
 * The numeric parts of a version string, as digit strings (leading zeros kept):
 * "5.16.10 (25689)" -> ["5","16","10","25689"] (a numeric parenthesis right after the number is the build);
 * "13.3.1 (a)" -> ["13","3","1"]; "6,0 (1)" -> ["6"] (the comma ends the number); "abc" -> [] (no leading number).
 */
export function versionParts(version: string): string[] {
  const head = LEADING_DOTTED.exec(version);
  if (!head?.[1]) return [];
  const parts = head[1].split('.');
  const build = PAREN_BUILD.exec(version.slice(head[0].length));
  if (build?.[1]) parts.push(...build[1].split('.'));
  return parts;
}

/**
 * Numeric dotted compare: -1 when a < b, 0 equal, 1 when a > b. Missing parts count as 0
 * ("11" == "11.0.0"), "10.15.7" < "11.0", "5.16.10 (25689)" compares as 5.16.10.25689.
 * Never throws: text without a leading number compares as 0.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    // BigInt: a build part can exceed 2^53 in theory; comparison must stay exact.
    const x = BigInt(pa[i] ?? '0');
    const y = BigInt(pb[i] ?? '0');
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Zoom's comparable version, digits joined by dots (e.g. "5.16.10.25689"), or null when neither
 * value holds a number. CFBundleVersion wins when it is purely dotted digits and has the same major
 * as CFBundleShortVersionString (Zoom's own rule: compare on CFBundleVersion); otherwise the short
 * version with its numeric parenthesised build appended ("4.5.0 (3261.0825)" -> "4.5.0.3261.0825").
 */
export function normalizeZoomVersion(shortVersion: string | null, bundleVersion: string | null): string | null {
  const short = shortVersion ? versionParts(shortVersion) : [];
  const bundle = bundleVersion?.trim() ?? '';
  if (DOTTED.test(bundle) && (short.length === 0 || bundle.split('.')[0] === short[0])) return bundle;
  return short.length > 0 ? short.join('.') : null;
}
