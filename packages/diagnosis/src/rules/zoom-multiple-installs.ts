import type { Finding, Policy, Snapshot } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, type Rule } from '../rule.js';
import { isOlderThan } from '../versions.js';
import { zoomCopies, type ZoomCopy } from './zoom-copies.js';

/**
 * True for a user's own copy whose numeric version is below policy.minZoomVersion. zoom.outdated
 * judges the deployed copy; an old copy of a user's, which Launch Services may open instead, is
 * said here, where the remedy already names it for removal.
 */
const olderThanMinimum = (c: ZoomCopy, policy: Policy): boolean => c.user !== null && !!c.version && isOlderThan(c.version, policy.minZoomVersion) === true;

/**
 * `zoom.multiple-installs` (warning), key `zoom.multiple-installs`: more than one zoom.us.app in
 * the zoomInstalls section. Evidence: each copy, its owner and version (a user's copy older than
 * policy.minZoomVersion says so). No action: which copy
 * to keep is the admin's call (the deployed one), removal is by hand or through the deployment.
 */
export const zoomMultipleInstalls: Rule = {
  ...catalogHeader('zoom.multiple-installs'),
  sections: ['zoomInstalls'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
    const copies = zoomCopies(snapshot) ?? [];
    if (copies.length < 2) return [];
    const evidence = copies.map((c) => ({
      section: 'zoomInstalls',
      detail: `${c.appPath}${c.user ? ` (${c.user}'s own copy)` : ''}: Zoom ${c.shownVersion ?? 'version unread'}${olderThanMinimum(c, policy) ? `, older than the minimum ${policy.minZoomVersion}` : ''}.`,
      value: { appPath: c.appPath, user: c.user, version: c.shownVersion },
    }));
    const extra = copies.filter((c) => c.user !== null).map((c) => c.appPath);
    return [makeFinding('zoom.multiple-installs', 'zoom.us.app', evidence, {
      summary: `${copies.length} copies of Zoom are installed; which one opens is Launch Services' choice. Keep the deployed copy and remove ${extra.length ? extra.join(', ') : 'the others'}.`,
    })];
  },
};
