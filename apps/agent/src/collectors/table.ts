import type { SectionName, SectionOfName, TccLogReset } from '@fleetmedic/protocol';
import { openProber } from '../probes/open.js';
import type { CommandRunner } from '../runner/types.js';
import { collectNetwork, type NetworkPlans } from './network.js';
import { collectDevices } from './devices.js';
import { collectFirewall } from './firewall.js';
import { collectPower } from './power.js';
import { collectSoftwareUpdate } from './software-update.js';
import type { SoftwareUpdateCache } from './software-update-cache.js';
import { collectTcc } from './tcc.js';
import { collectUsb } from './usb.js';
import { collectZoom } from './zoom.js';
import { collectZoomInstalls } from './zoom-installs.js';

/** What every section collector may use: the runner, the macOS version `os` read (null when unread), the policy's Zoom path. */
export interface CollectContext {
  runner: CommandRunner;
  /** sw_vers ProductVersion, e.g. "26.5.1"; null when sw_vers could not be read. */
  productVersion: string | null;
  /** Where Zoom is looked for (DEFAULT_POLICY.zoomAppPath unless configured). */
  zoomAppPath: string;
  /** tcc.reset runs the agent completed, reported beside the unified log's TCC decisions. */
  tccResets: readonly TccLogReset[];
  /** What the network section probes: the policy's Zoom targets and the FleetMedic server. */
  network: NetworkPlans;
  /** Where `softwareupdate --list` is kept between collections (the daemon's state dir); none: run every time. */
  softwareUpdateCache?: SoftwareUpdateCache;
  /** The collection's time (the snapshot's collectedAt). */
  now: Date;
}

/** A section collector: never throws, answers "could not read" as `unavailable` with a reason. */
export type SectionCollector<N extends SectionName> = (ctx: CollectContext) => Promise<SectionOfName<N>>;

/**
 * The collector of every section but `os` (read first: the others are gated on its version), run
 * side by side. Typed over the registry's SectionName: a section registered in
 * packages/protocol without a collector here fails the build.
 */
export const SECTION_COLLECTORS: { [N in Exclude<SectionName, 'os'>]: SectionCollector<N> } = {
  zoom: (c) => collectZoom(c.runner, c.zoomAppPath),
  tcc: (c) => collectTcc(c.runner, c.tccResets),
  firewall: (c) => collectFirewall(c.runner, c.productVersion),
  usb: (c) => collectUsb(c.runner, c.productVersion),
  power: (c) => collectPower(c.runner, c.productVersion),
  network: async (c) => collectNetwork(c.runner, await openProber(c.runner), c.network),
  zoomInstalls: (c) => collectZoomInstalls(c.runner, c.zoomAppPath),
  devices: (c) => collectDevices(c.runner),
  softwareUpdate: (c) => collectSoftwareUpdate(c.runner, c.softwareUpdateCache, c.now),
};
