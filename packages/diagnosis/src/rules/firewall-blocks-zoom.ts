import { refuseAppPath, type Finding, type Policy, type Remedy, type Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { isZoomFirewallEntry } from './zoom-app.js';

/**
 * `firewall.blocks-zoom`: the application firewall is on (global state 1) and an app entry that
 * is Zoom (see isZoomFirewallEntry) is "Block incoming connections". One finding per entry, key
 * `firewall.blocks-zoom:<entry path or name>`; remedy `firewall.allow` for that path (the policy's
 * Zoom app path when the entry has only a name), or no action when that path is outside the
 * remediation scope (e.g. a Zoom in ~/Applications: firewall actions take /Applications bundles
 * only). Global state 2 is `firewall.block-all`'s finding;
 * state 0 blocks nothing. A blocked Zoom entry with an unknown global state, or an unread app list
 * with the firewall on, cannot be judged.
 */
export const firewallBlocksZoom: Rule = {
  ...catalogHeader('firewall.blocks-zoom'),
  sections: ['firewall'],
  evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
    const fw = sectionData(snapshot, 'firewall');
    if (!fw) return [];
    if (fw.apps === null) {
      // An unread list is not an empty one: with the firewall on (or unknown), Zoom may be blocked.
      if (fw.globalState === 0 || fw.globalState === 2) return [];
      throw new CannotJudge('firewall', 'the firewall application list (socketfilterfw --listapps) could not be read');
    }
    const blocked = fw.apps.filter((app) => app.allowIncoming === false && isZoomFirewallEntry(app, snapshot, policy));
    if (blocked.length === 0) return [];
    if (fw.globalState == null) {
      throw new CannotJudge('firewall', 'Zoom is listed as Block incoming, but the firewall global state is unknown');
    }
    if (fw.globalState !== 1) return [];
    return blocked.map((app) => {
      const subject = app.path ?? app.name ?? 'zoom';
      const appPath = app.path ?? policy.zoomAppPath;
      return makeFinding('firewall.blocks-zoom', subject, [{
        section: 'firewall',
        detail: `Application firewall global state 1 (on); ${subject}: Block incoming connections.`,
        value: { globalState: fw.globalState, app },
      }], allowRemedy(appPath));
    });
  },
};

/** firewall.allow for `appPath`, or the steps in words when the remediation scope refuses it. */
function allowRemedy(appPath: string): Remedy {
  const refused = refuseAppPath(appPath);
  if (refused) {
    return {
      summary: `Allow incoming connections for ${appPath} in the application firewall (System Settings > Network > Firewall > Options). `
        + `FleetMedic does not do it: ${refused}. Installing Zoom in /Applications lets it.`,
    };
  }
  return {
    summary: `Allow incoming connections for ${appPath} in the application firewall (socketfilterfw --unblockapp).`,
    action: { type: 'firewall.allow', params: { appPath } },
  };
}
