import { pendingMacosUpdates } from '@fleetmedic/macos';
import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `macos.update-pending`: `softwareupdate --list` offers a recommended macOS update of the installed
 * major release (pendingMacosUpdates: 26.5.1 -> "macOS Tahoe 26.7"; "macOS 27" is an upgrade and not
 * counted). Key `macos.update-pending:system`. An unread list, or no macOS version: cannot judge.
 */
export const macosUpdatePending: Rule = {
  ...catalogHeader('macos.update-pending'),
  sections: ['softwareUpdate', 'os'],
  evaluate(snapshot: Snapshot): Finding[] {
    const su = sectionData(snapshot, 'softwareUpdate');
    const os = sectionData(snapshot, 'os');
    if (!su || !os) return [];
    if (su.updates === null) throw new CannotJudge('softwareUpdate', 'softwareupdate --list could not be read');
    const pending = pendingMacosUpdates(su.updates, os.productVersion);
    if (pending.length === 0) return [];
    const age = su.checkedAt ? ` (list of ${su.checkedAt})` : '';
    return [makeFinding('macos.update-pending', 'system', [{
      section: 'softwareUpdate',
      detail: `macOS ${os.productVersion} is installed; softwareupdate offers ${pending.map((u) => `${u.title} (${u.label}${u.restartRequired ? ', restart required' : ''})`).join(', ')}${age}.`,
      value: { productVersion: os.productVersion, updates: pending, checkedAt: su.checkedAt },
    }], { summary: `Install ${pending.map((u) => u.title).join(', ')} (System Settings > General > Software Update, or your MDM), then restart.` })];
  },
};
