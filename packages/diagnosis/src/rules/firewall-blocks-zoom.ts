import { refuseAppPath, type Finding, type FirewallApp, type Policy, type Remedy, type Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { isZoomFirewallEntry } from './zoom-app.js';

/**
 * `firewall.blocks-zoom`: the application firewall is on (global state 1) and an app entry that
 * is Zoom (see isZoomFirewallEntry) is "Block incoming connections". One finding per entry, key
 * `firewall.blocks-zoom:<entry path or name>`; remedy `firewall.allow` for that path (the policy's
 * Zoom app path when the entry has only a name), or no action when that path is outside the
 * remediation scope (e.g. a Zoom in ~/Applications: firewall actions take /Applications bundles
 * only). Global state 2 is `firewall.block-all`'s finding;
 * state 0 blocks nothing. A blocked Zoom entry with an unknown global state, an unread app list
 * with the firewall on, or a Zoom entry whose incoming setting could not be read (null: a
 * --listapps line not understood, com.apple.alf.plist's undecoded states) with the firewall on or
 * unknown, cannot be judged: "could not read" is never "allowed".
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
    const zoom = fw.apps.filter((app) => isZoomFirewallEntry(app, snapshot, policy));
    const blocked = zoom.filter((app) => app.allowIncoming === false);
    const unread = zoom.filter((app) => app.allowIncoming === null);
    if (blocked.length === 0 && unread.length === 0) return [];
    if (fw.globalState === 0 || fw.globalState === 2) return [];
    if (fw.globalState == null) {
      throw new CannotJudge('firewall', blocked.length > 0
        ? 'Zoom is listed as Block incoming, but the firewall global state is unknown'
        : `the firewall lists ${entryName(unread[0]!)} with an incoming setting that could not be read, and the global state is unknown`);
    }
    // The firewall is on: a Zoom entry whose setting could not be read may be blocking it.
    if (blocked.length === 0) {
      throw new CannotJudge('firewall', `the firewall is on and lists ${entryName(unread[0]!)}, but its incoming setting could not be read`);
    }
    return blocked.map((app) => {
      const subject = entryName(app);
      const appPath = app.path ?? policy.zoomAppPath;
      return makeFinding('firewall.blocks-zoom', subject, [{
        section: 'firewall',
        detail: `Application firewall global state 1 (on); ${subject}: Block incoming connections.`,
        value: { globalState: fw.globalState, app },
      }], allowRemedy(appPath));
    });
  },
};

/** How a firewall entry is named: its path, else its bundle id or process name. */
const entryName = (app: FirewallApp): string => app.path ?? app.name ?? 'zoom';

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
