import type { FirewallApp, Policy, Snapshot } from '@fleetmedic/protocol';
import { sectionData } from '../rule.js';

/** Process names the firewall shows for Zoom when it lists names instead of paths (SPFirewallDataType). */
const ZOOM_PROCESS_NAMES = ['zoom.us'];

/**
 * The Zoom app paths to recognise: the policy's, plus the one the zoom section looked at.
 * Lower-cased: APFS is case-insensitive by default ("/Applications/Zoom.app" is seen in the wild).
 */
function zoomPaths(snapshot: Snapshot, policy: Policy): string[] {
  const fromSection = sectionData(snapshot, 'zoom')?.appPath;
  return [policy.zoomAppPath, fromSection]
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\/+$/, '').toLowerCase());
}

/**
 * True when a firewall entry is Zoom: its path is a Zoom app path or inside it
 * (e.g. .../zoom.us.app/Contents/Frameworks/ZoomUpdater.app), or its name is the Zoom bundle id
 * or the zoom.us process name.
 */
export function isZoomFirewallEntry(app: FirewallApp, snapshot: Snapshot, policy: Policy): boolean {
  if (app.path) {
    const path = app.path.replace(/\/+$/, '').toLowerCase();
    if (zoomPaths(snapshot, policy).some((z) => path === z || path.startsWith(`${z}/`))) return true;
  }
  const name = app.name?.trim().toLowerCase();
  return !!name && [policy.zoomBundleId.toLowerCase(), ...ZOOM_PROCESS_NAMES].includes(name);
}
