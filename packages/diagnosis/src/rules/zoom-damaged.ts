import { ZOOM_TEAM_ID, zoomDataPaths, type Evidence, type Finding, type Remedy, type Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, type Rule } from '../rule.js';
import { zoomCopies, type ZoomCopy } from './zoom-copies.js';

const DEPLOYMENT = 'your usual deployment (Jamf, Intune, Munki, Kandji, …)';

/**
 * `zoom.damaged` (critical), one finding per damaged copy, key `zoom.damaged:<app path>`: the copy
 * fails `codesign --verify --deep --strict` (evidence: macOS's reason and detail lines) or its Team
 * ID is not Zoom's BJ4HAAB9B3 (evidence: the Team ID and leaf authority). A copy whose signature
 * or signer could not be read cannot be judged. Remedy: reinstall through the deployment, with
 * `zoom.clear-caches` of the copy's owner (a ~/Applications copy) or the console user offered
 * as the data half of a clean reinstall; no action when neither is known.
 */
export const zoomDamaged: Rule = {
  ...catalogHeader('zoom.damaged'),
  sections: ['zoomInstalls'],
  evaluate(snapshot: Snapshot): Finding[] {
    const copies = zoomCopies(snapshot) ?? [];
    const findings: Finding[] = [];
    for (const c of copies) {
      if (!c.signature || !c.signer) {
        throw new CannotJudge('zoomInstalls', `the code signature of ${c.appPath} could not be read: ${c.problems.join('; ') || 'no codesign answer'}`);
      }
      const evidence: Evidence[] = [];
      if (!c.signature.valid) {
        evidence.push({
          section: 'zoomInstalls',
          detail: `codesign --verify --deep --strict ${c.appPath}: ${c.signature.reason}${c.signature.details.length ? ` (${c.signature.details.join('; ')})` : ''}.`,
          value: { appPath: c.appPath, ...c.signature },
        });
      }
      if (c.signer.teamId !== ZOOM_TEAM_ID) {
        evidence.push({
          section: 'zoomInstalls',
          detail: `${c.appPath} is signed by Team ID ${c.signer.teamId ?? 'none'}${c.signer.adhoc ? ' (ad-hoc signature)' : ''}, not Zoom's ${ZOOM_TEAM_ID}.`,
          value: { appPath: c.appPath, identifier: c.signer.identifier, teamId: c.signer.teamId, authorities: c.signer.authorities, adhoc: c.signer.adhoc },
        });
      }
      if (evidence.length > 0) findings.push(makeFinding('zoom.damaged', c.appPath, evidence, remedy(c, snapshot)));
    }
    return findings;
  },
};

function remedy(c: ZoomCopy, snapshot: Snapshot): Remedy {
  const why = c.signature?.valid === false
    ? `macOS says "${c.signature.reason}": files of the app itself are missing or modified, and clearing data cannot repair them`
    : `it is not signed by Zoom (Team ID ${ZOOM_TEAM_ID})`;
  const user = c.user ?? (snapshot.host.consoleUser && snapshot.host.consoleUser !== 'root' ? snapshot.host.consoleUser : null);
  const reinstall = `Reinstall Zoom at ${c.appPath} through ${DEPLOYMENT}: ${why}.`;
  if (!user) return { summary: `${reinstall} Then clear the user's Zoom caches and data (nobody is logged in to name).` };
  return {
    summary: `${reinstall} Clearing ${user}'s Zoom caches and data (offered here: quits Zoom, removes ${user}'s Caches/us.zoom.xos, `
      + 'Application Support/zoom.us and Logs/zoom.us) completes the clean reinstall; on its own it helps only when the app\'s signature is valid.',
    action: { type: 'zoom.clear-caches', params: { user, paths: zoomDataPaths(user) } },
  };
}
