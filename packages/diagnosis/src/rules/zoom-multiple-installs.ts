import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, type Rule } from '../rule.js';
import { zoomCopies } from './zoom-copies.js';

/**
 * `zoom.multiple-installs` (warning), key `zoom.multiple-installs`: more than one zoom.us.app in
 * the zoomInstalls section. Evidence: each copy, its owner and version. No action: which copy
 * to keep is the admin's call (the deployed one), removal is by hand or through the deployment.
 */
export const zoomMultipleInstalls: Rule = {
  ...catalogHeader('zoom.multiple-installs'),
  sections: ['zoomInstalls'],
  evaluate(snapshot: Snapshot): Finding[] {
    const copies = zoomCopies(snapshot) ?? [];
    if (copies.length < 2) return [];
    const evidence = copies.map((c) => ({
      section: 'zoomInstalls',
      detail: `${c.appPath}${c.user ? ` (${c.user}'s own copy)` : ''}: Zoom ${c.shownVersion ?? 'version unread'}.`,
      value: { appPath: c.appPath, user: c.user, version: c.shownVersion },
    }));
    const extra = copies.filter((c) => c.user !== null).map((c) => c.appPath);
    return [makeFinding('zoom.multiple-installs', 'zoom.us.app', evidence, {
      summary: `${copies.length} copies of Zoom are installed; which one opens is Launch Services' choice. Keep the deployed copy and remove ${extra.length ? extra.join(', ') : 'the others'}.`,
    })];
  },
};
