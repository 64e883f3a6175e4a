import type { ZoomFacts } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest Info.plist fragment, installer log or inventory export parsed, characters (real ones are under 100,000). */
export const ZOOM_TEXT_MAX_CHARS = 1024 * 1024;
import { normalizeZoomVersion } from '../versions/parse.js';
import { asDict, decodePlist, type PlistValue } from './plist.js';
import { parseJson } from '../json.js';

/** CFBundleIdentifier of the Zoom desktop client (zoom.us.app). */
export const ZOOM_BUNDLE_ID = 'us.zoom.xos';

const str = (v: PlistValue | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** ZoomFacts from the three Info.plist strings; a bundle id other than us.zoom.xos is a problem, not a failure. */
function zoomFacts(appPath: string, bundleId: string | null, shortVersion: string | null, bundleVersion: string | null, problems: string[]): ZoomFacts {
  if (bundleId !== ZOOM_BUNDLE_ID) problems.push(`CFBundleIdentifier is ${bundleId === null ? 'missing' : `"${bundleId}"`}, expected ${ZOOM_BUNDLE_ID}`);
  const version = normalizeZoomVersion(shortVersion, bundleVersion);
  if (version === null) problems.push('no numeric version in CFBundleShortVersionString or CFBundleVersion');
  return { installed: true, appPath, bundleId, shortVersion, bundleVersion, version };
}

/** What the collector reports when no zoom.us.app exists at `appPath` (not a parse result: there is nothing to parse). */
export const zoomNotInstalled = (appPath: string): ZoomFacts => ({
  installed: false, appPath, bundleId: null, shortVersion: null, bundleVersion: null, version: null,
});

/**
 * zoom.us.app/Contents/Info.plist (XML text, or the file's bytes: XML or binary bplist) -> ZoomFacts.
 * Reads CFBundleIdentifier ("us.zoom.xos"), CFBundleShortVersionString ("5.16.10 (25689)") and
 * CFBundleVersion ("5.16.10.25689"); `version` is the comparable form (see normalizeZoomVersion).
 */
export function parseZoomInfoPlist(content: string | Buffer, appPath: string): ParseResult<ZoomFacts> {
  const decoded = decodePlist(content);
  if (!decoded.ok) return failed(`${appPath}/Contents/Info.plist: ${decoded.error}`);
  const dict = asDict(decoded.value);
  if (!dict) return failed(`${appPath}/Contents/Info.plist: top level is not a dictionary`);
  const problems: string[] = [];
  return parsed(zoomFacts(appPath, str(dict.CFBundleIdentifier), str(dict.CFBundleShortVersionString), str(dict.CFBundleVersion), problems), problems);
}

/**
 * `<key>K</key>` / `<string>V</string>` pairs from a piece of an XML plist, e.g. the output of
 * `grep -A1 CFBundleShortVersionString Info.plist` -> { CFBundleShortVersionString: "4.5.0 (3261.0825)" }.
 * Lines around the pairs (the grep command, prompts) are ignored. Fails when no pair is found.
 */
export function parseInfoPlistFragment(text: string): ParseResult<Record<string, string>> {
  const oversized = refuseOversized(text, ZOOM_TEXT_MAX_CHARS, 'Info.plist fragment');
  if (oversized) return oversized;
  const pairs: Record<string, string> = {};
  const problems: string[] = [];
  for (const m of text.matchAll(/<key>([^<]*)<\/key>\s*(?:<string>([^<]*)<\/string>|<(\w+)\s*\/?>)/g)) {
    const key = m[1] ?? '';
    if (m[2] !== undefined) pairs[key] = m[2];
    else problems.push(`${key}: value is <${m[3] ?? '?'}>, not a string: skipped`);
  }
  return Object.keys(pairs).length > 0 ? parsed(pairs, problems) : failed('no <key>/<string> pair found', problems);
}

/** What an Installomator run logged about Zoom. Versions are as logged ("5.9.6 (4993)", "5.9.6.4993"). */
export interface InstallomatorZoomCheck {
  appPath: string | null;
  installedVersion: string | null;
  versionKey: string | null;
  latestVersion: string | null;
}

/**
 * Installomator log lines for label `zoom` ("found app at /Applications/zoom.us.app, version 5.9.6 (4993), on versionKey
 * CFBundleShortVersionString", "appversion: ...", "Latest version of zoom.us is 5.9.6.4993") -> InstallomatorZoomCheck.
 */
export function parseInstallomatorZoomLog(text: string): ParseResult<InstallomatorZoomCheck> {
  const oversized = refuseOversized(text, ZOOM_TEXT_MAX_CHARS, 'Installomator log');
  if (oversized) return oversized;
  const found = /found app at (.+?), version (.+?), on versionKey (\w+)/.exec(text);
  const appversion = /appversion: (.+?)\s*$/m.exec(text);
  const latest = /Latest version of .+? is (\S+)/.exec(text);
  const result: InstallomatorZoomCheck = {
    appPath: found?.[1] ?? null,
    installedVersion: found?.[2] ?? appversion?.[1] ?? null,
    versionKey: found?.[3] ?? null,
    latestVersion: latest?.[1] ?? null,
  };
  if (result.installedVersion === null && result.latestVersion === null) return failed('no Zoom version in the Installomator log');
  const problems = [result.installedVersion === null ? 'no installed version logged' : '', result.latestVersion === null ? 'no latest version logged' : ''];
  return parsed(result, problems.filter(Boolean));
}

/**
 * osquery `SELECT * FROM apps` rows (JSON array; columns map 1:1 to Info.plist: bundle_identifier, bundle_short_version,
 * bundle_version, path) -> ZoomFacts for every row whose bundle_identifier is us.zoom.xos (several copies can exist).
 */
export function parseOsqueryZoomApps(text: string): ParseResult<ZoomFacts[]> {
  const oversized = refuseOversized(text, ZOOM_TEXT_MAX_CHARS, 'osquery apps export');
  if (oversized) return oversized;
  let rows: unknown;
  try {
    rows = parseJson(text);
  } catch (e) {
    return failed(`not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(rows)) return failed('osquery apps output is not a JSON array of rows');
  const problems: string[] = [];
  const apps: ZoomFacts[] = [];
  for (const row of rows) {
    const r = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {};
    if (r.bundle_identifier !== ZOOM_BUNDLE_ID) continue;
    const s = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : null);
    apps.push(zoomFacts(s('path') ?? '/Applications/zoom.us.app', ZOOM_BUNDLE_ID, s('bundle_short_version'), s('bundle_version'), problems));
  }
  return parsed(apps, problems);
}

/**
 * Fleet's maintained-app manifest (ee/maintained-apps/outputs/zoom/darwin.json: `{ versions: [{ version }] }`)
 * -> the vendor versions it lists, e.g. ["7.1.5.84650"] (4-part, CFBundleVersion form).
 */
export function parseFleetZoomVersions(text: string): ParseResult<string[]> {
  const oversized = refuseOversized(text, ZOOM_TEXT_MAX_CHARS, 'Fleet software export');
  if (oversized) return oversized;
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (e) {
    return failed(`not JSON: ${(e as Error).message}`);
  }
  const versions = (doc as { versions?: unknown } | null)?.versions;
  if (!Array.isArray(versions)) return failed('no "versions" array');
  const out = versions.map((v) => (v as { version?: unknown } | null)?.version).filter((v): v is string => typeof v === 'string');
  return out.length > 0 ? parsed(out) : failed('"versions" holds no version string');
}
