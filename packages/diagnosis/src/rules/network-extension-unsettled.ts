import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { describeExtension, unsettledExtensions } from '../network-path.js';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `network.extension-unsettled`: a network or endpoint-security extension whose state is neither
 * `activated enabled` nor `activated disabled` (waiting for the user, for a restart, activating).
 * One finding per bundle id and version (key `network.extension-unsettled:<bundle id> <version>`).
 * An unread extension list cannot be judged.
 */
export const networkExtensionUnsettled: Rule = {
  ...catalogHeader('network.extension-unsettled'),
  sections: ['network'],
  evaluate(snapshot: Snapshot): Finding[] {
    const net = sectionData(snapshot, 'network');
    if (!net) return [];
    if (net.systemExtensions === null) throw new CannotJudge('network', 'the system extensions (systemextensionsctl list) could not be read');
    return unsettledExtensions(net).map((e) => {
      const waitsForUser = e.state.includes('waiting for user');
      const summary = waitsForUser
        ? `Approve "${e.name}" under System Settings > General > Login Items & Extensions (or pre-approve its team ${e.teamId} with an MDM system extension policy), or remove the app that installed it.`
        : e.state.includes('reboot')
          ? `Restart the Mac to finish removing "${e.name}" ${e.version ?? ''}.`.replace(' .', '.')
          : `"${e.name}" is ${e.state}: wait for it to settle; if it stays so, reinstall the app that installed it or restart the Mac.`;
      return makeFinding('network.extension-unsettled', `${e.bundleId} ${e.version ?? ''}`.trim(), [{
        section: 'network',
        detail: `${describeExtension(e)} ${e.version ?? ''}: [${e.state}] (${e.category}).`.replace(' :', ':'),
        value: e,
      }], { summary });
    });
  },
};
