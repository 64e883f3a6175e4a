import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `firewall.block-all`: global state 2 or blockAll true (socketfilterfw --getblockall), i.e.
 * all incoming connections are blocked and Zoom's UDP media can fail. Key
 * `firewall.block-all:global`; no action (turning it off is an admin decision).
 * Both values unknown: cannot judge.
 */
export const firewallBlockAll: Rule = {
  ...catalogHeader('firewall.block-all'),
  sections: ['firewall'],
  evaluate(snapshot: Snapshot): Finding[] {
    const fw = sectionData(snapshot, 'firewall');
    if (!fw) return [];
    if (fw.globalState == null && fw.blockAll == null) {
      throw new CannotJudge('firewall', 'neither the firewall global state nor its block-all setting could be read');
    }
    if (fw.globalState !== 2 && fw.blockAll !== true) return [];
    const seen = [
      fw.globalState == null ? null : `global state ${fw.globalState}`,
      fw.blockAll == null ? null : `block all ${fw.blockAll ? 'enabled' : 'disabled'}`,
    ].filter(Boolean).join(', ');
    return [makeFinding('firewall.block-all', 'global', [{
      section: 'firewall',
      detail: `Application firewall blocks all incoming connections (${seen}).`,
      value: { globalState: fw.globalState, blockAll: fw.blockAll },
    }], {
      summary: 'The firewall blocks all incoming connections, so allowing Zoom has no effect. If this Mac does not need '
        + 'that mode, turn off "Block all incoming connections" (System Settings > Network > Firewall > Options, '
        + 'or the MDM firewall payload).',
    })];
  },
};
