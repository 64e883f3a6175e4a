import type { Snapshot, ZoomInstall } from '@fleetmedic/protocol';
import { sectionData } from '../rule.js';

/** One Zoom copy with its version, joined across the zoom and zoomInstalls sections. */
export interface ZoomCopy extends ZoomInstall {
  /** Version as shown: CFBundleShortVersionString of the policy's copy (zoom section), the numeric version of others; null when unread. */
  shownVersion: string | null;
}

/**
 * Every Zoom copy of the zoomInstalls section (null when the section cannot be judged), the
 * policy's copy given the zoom section's version: the zoomInstalls section does not repeat it.
 */
export function zoomCopies(snapshot: Snapshot): ZoomCopy[] | null {
  const installs = sectionData(snapshot, 'zoomInstalls');
  if (!installs) return null;
  const zoom = sectionData(snapshot, 'zoom');
  return installs.installs.map((i) => ({
    ...i,
    shownVersion: i.version !== undefined ? i.version : zoom?.appPath === i.appPath ? (zoom.shortVersion ?? zoom.version) : null,
  }));
}
