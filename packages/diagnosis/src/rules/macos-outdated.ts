import type { Finding, Policy, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { isOlderThan } from '../versions.js';

/**
 * `macos.outdated`: sw_vers ProductVersion below policy.minMacosVersion, compared numerically
 * (10.15.7 < 14.0; 26.3.1 > 14.0). Key `macos.outdated:system` (stable across updates); no action.
 * A ProductVersion that does not start with a number: cannot judge.
 */
export const macosOutdated: Rule = {
  ...catalogHeader('macos.outdated'),
  sections: ['os'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
    const os = sectionData(snapshot, 'os');
    if (!os) return [];
    const older = isOlderThan(os.productVersion, policy.minMacosVersion);
    if (older === null) throw new CannotJudge('os', `sw_vers ProductVersion ${JSON.stringify(os.productVersion)} is not a version`);
    if (!older) return [];
    const extra = os.productVersionExtra ? ` ${os.productVersionExtra}` : '';
    return [makeFinding('macos.outdated', 'system', [{
      section: 'os',
      detail: `${os.productName} ${os.productVersion}${extra} (${os.buildVersion}) is older than the minimum ${policy.minMacosVersion}.`,
      value: { productVersion: os.productVersion, buildVersion: os.buildVersion, minMacosVersion: policy.minMacosVersion },
    }], { summary: `Update macOS to ${policy.minMacosVersion} or later (System Settings > General > Software Update, or your MDM).` })];
  },
};
