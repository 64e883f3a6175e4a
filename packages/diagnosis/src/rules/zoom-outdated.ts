import type { Finding, Policy, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { isOlderThan, zoomComparableVersion } from '../versions.js';
import { zoomCopies } from './zoom-copies.js';

/**
 * `zoom.outdated`: a Zoom copy whose version is below policy.minZoomVersion, compared numerically
 * (5.9.6 < 5.16.10); one finding per copy, key `zoom.outdated:<app path>`; no action (updates go
 * through the admin's deployment).
 * - The policy's copy (zoom section): `version` (numeric dotted, e.g. 5.16.10.25689), else derived
 *   from CFBundleVersion / CFBundleShortVersionString. Installed with no readable version: cannot
 *   judge.
 * - A user's own copy in ~/Applications (zoomInstalls section), which Launch Services may open
 *   instead: its numeric version. One whose version was not read is not judged here (the
 *   zoomInstalls rules show it, and zoom.multiple-installs names it "version unread"); neither is
 *   any copy when that section could not be read.
 */
export const zoomOutdated: Rule = {
  ...catalogHeader('zoom.outdated'),
  sections: ['zoom'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
    return [...policyCopy(snapshot, policy), ...ownCopies(snapshot, policy)];
  },
};

function policyCopy(snapshot: Snapshot, policy: Policy): Finding[] {
  const zoom = sectionData(snapshot, 'zoom');
  if (!zoom?.installed) return [];
  const version = zoomComparableVersion(zoom);
  if (!version) {
    throw new CannotJudge('zoom', `Zoom is installed at ${zoom.appPath} but its version could not be read `
      + `(CFBundleShortVersionString ${JSON.stringify(zoom.shortVersion)})`);
  }
  if (!isOlderThan(version, policy.minZoomVersion)) return [];
  const shown = zoom.shortVersion ?? version;
  return [makeFinding('zoom.outdated', zoom.appPath, [{
    section: 'zoom',
    detail: `Zoom ${shown} at ${zoom.appPath} is older than the minimum ${policy.minZoomVersion}.`,
    value: { version, shortVersion: zoom.shortVersion, bundleVersion: zoom.bundleVersion, minZoomVersion: policy.minZoomVersion },
  }], { summary: `Update Zoom to ${policy.minZoomVersion} or later through your software deployment (or zoom.us > Check for Updates).` })];
}

function ownCopies(snapshot: Snapshot, policy: Policy): Finding[] {
  const deployed = sectionData(snapshot, 'zoom')?.appPath ?? policy.zoomAppPath;
  return (zoomCopies(snapshot) ?? [])
    .filter((c) => c.user !== null && c.version && isOlderThan(c.version, policy.minZoomVersion) === true)
    .map((c) => makeFinding('zoom.outdated', c.appPath, [{
      section: 'zoomInstalls',
      detail: `Zoom ${c.version} at ${c.appPath} (${c.user}'s own copy) is older than the minimum ${policy.minZoomVersion}.`,
      value: { appPath: c.appPath, user: c.user, version: c.version, minZoomVersion: policy.minZoomVersion },
    }], { summary: `Remove ${c.user}'s own copy at ${c.appPath}, or update it to ${policy.minZoomVersion} or later: Launch Services may open it instead of the deployed copy at ${deployed}.` }));
}
