import { compareVersions, normalizeZoomVersion, versionParts } from '@fleetmedic/macos';

/** Dotted numeric version: "14", "10.15.7", "5.16.10.25689" (what policy versions must be). */
const DOTTED = /^\d+(\.\d+)*$/;

/** True when `text` is a dotted numeric version, no suffixes or spaces. */
export const isDottedVersion = (text: string): boolean => DOTTED.test(text);

/**
 * True when `version` is below `minimum`, compared numerically part by part with
 * @fleetmedic/macos compareVersions (5.9.6 < 5.16.10; 10.15.7 < 14.0; missing parts are 0).
 * null when `version` holds no number to compare ("", "unknown"): the caller cannot judge.
 */
export function isOlderThan(version: string, minimum: string): boolean | null {
  if (versionParts(version).length === 0) return null;
  return compareVersions(version, minimum) < 0;
}

/**
 * Zoom's comparable version: the zoom section's `version` when it holds a number, else derived
 * from CFBundleShortVersionString / CFBundleVersion as the parser does (normalizeZoomVersion).
 */
export function zoomComparableVersion(zoom: { version: string | null; shortVersion: string | null; bundleVersion: string | null }): string | null {
  if (zoom.version && versionParts(zoom.version).length > 0) return zoom.version;
  return normalizeZoomVersion(zoom.shortVersion, zoom.bundleVersion);
}
