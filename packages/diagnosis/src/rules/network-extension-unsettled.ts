import type { Evidence, Finding, Snapshot, SystemExtension } from '@fleetmedic/protocol';
import { describeExtension, unsettledExtensions } from '../network-path.js';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/** States only a restart settles ("terminated waiting to uninstall on reboot"). */
const waitsForRestart = (e: SystemExtension): boolean => e.state.includes('reboot');

const evidenceOf = (e: SystemExtension): Evidence => ({
  section: 'network',
  detail: `${describeExtension(e)} ${e.version ?? ''}: [${e.state}] (${e.category}).`.replace(' :', ':'),
  value: e,
});

/**
 * `network.extension-unsettled`: a network or endpoint-security extension whose state is neither
 * `activated enabled` nor `activated disabled` (waiting for the user, for a restart, activating).
 * One finding per cause: every extension waiting for a restart is one finding (key
 * `network.extension-unsettled:restart`, one line each: one restart settles them all); any other
 * state is one finding per bundle id and version (key `network.extension-unsettled:<bundle id>
 * <version>`: each approval or activation is its own). An unread extension list cannot be judged.
 */
export const networkExtensionUnsettled: Rule = {
  ...catalogHeader('network.extension-unsettled'),
  sections: ['network'],
  evaluate(snapshot: Snapshot): Finding[] {
    const net = sectionData(snapshot, 'network');
    if (!net) return [];
    if (net.systemExtensions === null) throw new CannotJudge('network', 'the system extensions (systemextensionsctl list) could not be read');
    const unsettled = unsettledExtensions(net);
    const restart = unsettled.filter(waitsForRestart);
    const own = unsettled.filter((e) => !waitsForRestart(e)).map((e) => {
      const summary = e.state.includes('waiting for user')
        ? `Approve "${e.name}" under System Settings > General > Login Items & Extensions (or pre-approve its team ${e.teamId} with an MDM system extension policy), or remove the app that installed it.`
        : `"${e.name}" is ${e.state}: wait for it to settle; if it stays so, reinstall the app that installed it or restart the Mac.`;
      return makeFinding('network.extension-unsettled', `${e.bundleId} ${e.version ?? ''}`.trim(), [evidenceOf(e)], { summary });
    });
    if (restart.length === 0) return own;
    const names = restart.map((e) => `"${e.name}" ${e.version ?? ''}`.trim()).join(', ');
    return [...own, makeFinding('network.extension-unsettled', 'restart', restart.map(evidenceOf), {
      summary: `Restart the Mac to finish removing ${names}.`,
    })];
  },
};
