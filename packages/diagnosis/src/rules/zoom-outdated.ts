import type { Finding, Policy, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { isOlderThan, zoomComparableVersion } from '../versions.js';

/**
 * `zoom.outdated`: Zoom installed and its version below policy.minZoomVersion, compared
 * numerically (5.9.6 < 5.16.10). The version is `version` (numeric dotted, e.g. 5.16.10.25689),
 * else derived from CFBundleVersion / CFBundleShortVersionString. Key
 * `zoom.outdated:<app path>`; no action (updates go through the admin's deployment).
 * Installed with no readable version: cannot judge.
 */
export const zoomOutdated: Rule = {
  ...catalogHeader('zoom.outdated'),
  sections: ['zoom'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
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
  },
};
