import type { Finding, Policy, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, type Rule } from '../rule.js';

/**
 * `zoom.not-installed`: the zoom section is ok and reports installed false. Key
 * `zoom.not-installed:<app path looked at>`; no action. A partial section saying "not installed"
 * cannot be judged: a half-read Info.plist is not proof of absence.
 */
export const zoomNotInstalled: Rule = {
  ...catalogHeader('zoom.not-installed'),
  sections: ['zoom'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
    const section = snapshot.sections.zoom;
    const zoom = section.data;
    if (!zoom || zoom.installed || (section.status !== 'ok' && section.status !== 'partial')) return [];
    if (section.status === 'partial') {
      throw new CannotJudge('zoom', `Zoom looked absent at ${zoom.appPath}, but the zoom section was only partly read: `
        + (section.problems ?? []).join('; '));
    }
    return [makeFinding('zoom.not-installed', zoom.appPath, [{
      section: 'zoom',
      detail: `No Zoom app was found at ${zoom.appPath}.`,
      value: { appPath: zoom.appPath, installed: false },
    }], { summary: `Install Zoom (${policy.zoomBundleId}) at ${policy.zoomAppPath} through your software deployment.` })];
  },
};
