import type { Snapshot } from '@fleetmedic/protocol';

/** Device columns taken from a snapshot. A field is absent when its section could not be read (the stored value stays). */
export interface DeviceSummary {
  hostname: string;
  serialNumber: string | null;
  hardwareModel: string | null;
  architecture: string;
  platform: string;
  consoleUser: string | null;
  /** sw_vers ProductVersion plus the Rapid Security Response suffix, e.g. "15.3.1" or "13.4.1 (a)" */
  osVersion?: string | null;
  /** CFBundleShortVersionString as written (e.g. "5.16.10 (25689)"), null when Zoom is not installed */
  zoomVersion?: string | null;
}

/** The host facts and the os/zoom versions of a snapshot, for the device list. */
export function deviceSummary(snapshot: Snapshot): DeviceSummary {
  const { host, sections } = snapshot;
  const summary: DeviceSummary = {
    hostname: host.hostname,
    serialNumber: host.serialNumber,
    hardwareModel: host.hardwareModel,
    architecture: host.architecture,
    platform: host.platform,
    consoleUser: host.consoleUser,
  };
  const os = sections.os.data;
  if (os) summary.osVersion = os.productVersionExtra ? `${os.productVersion} ${os.productVersionExtra}` : os.productVersion;
  else if (sections.os.status === 'unsupported') summary.osVersion = null;
  const zoom = sections.zoom.data;
  if (zoom) summary.zoomVersion = zoom.installed ? (zoom.shortVersion ?? zoom.version ?? zoom.bundleVersion) : null;
  return summary;
}
