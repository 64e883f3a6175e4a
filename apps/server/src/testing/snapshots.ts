import {
  buildSnapshot as healthyMacSnapshot, devicesSection, firewallSection, healthySections, okSection, tccDb, tccEntry, tccSection,
  unavailableSection, USER_TCC_PATH, usbDevice, usbSection, zoomDenied, zoomFirewallApp, zoomSection,
} from '@fleetmedic/diagnosis/testing';
import type { Sections, Snapshot, TccEntry } from '@fleetmedic/protocol';
/**
 * Snapshots for server tests: the diagnosis package's healthy Mac (`@fleetmedic/diagnosis/testing`,
 * macOS 15.3.1 24D70) with the few facts server tests vary set by options, and these defaults:
 * Zoom 6.3.11 (51090), one readable per-user TCC.db (auth-17 layout) with Zoom's camera and
 * microphone rows, the firewall on with zoom.us.app allowed, and a Logitech BRIO on a direct USB
 * port. `zoomCamera` sets the Zoom camera row of that TCC.db.
 */

export { USER_TCC_PATH };

/** Zoom's kTCCServiceCamera row: allowed (auth_value 2, user-consent), denied (0, user-set), or absent (after tccutil reset). */
export type CameraRow = 'allowed' | 'denied' | 'absent';

export interface SnapshotOptions {
  hostname?: string;
  serialNumber?: string | null;
  consoleUser?: string | null;
  collectedAt?: string;
  zoomCamera?: CameraRow;
  /** pmset -g batt state of charge, % */
  batteryPercent?: number;
  /** make the tcc section unavailable (no Full Disk Access) */
  tccUnavailable?: boolean;
  zoomShortVersion?: string;
}

// A denied row is zoomDenied's, dated like the allowed one.
const zoomRow = (service: string, authValue: 0 | 2): TccEntry => (authValue === 2
  ? tccEntry({ service })
  : zoomDenied(service, { lastModified: tccEntry().lastModified }));

function tcc(opts: SnapshotOptions): Sections['tcc'] {
  if (opts.tccUnavailable) return unavailableSection('authorization denied (the agent has no Full Disk Access)', [USER_TCC_PATH]);
  const entries = [zoomRow('kTCCServiceMicrophone', 2)];
  const camera = opts.zoomCamera ?? 'allowed';
  if (camera !== 'absent') entries.unshift(zoomRow('kTCCServiceCamera', camera === 'allowed' ? 2 : 0));
  return tccSection([tccDb(entries)]);
}

/** A Logitech BRIO 4K (046d:085e) as SPUSBDataType reports it: 896 mA required of a 900 mA port. */
const BRIO = usbDevice({
  name: 'Logitech BRIO', vendorId: 0x046d, productId: 0x085e, vendorName: 'Logitech Inc.', locationId: '0x01100000', selfPowered: false,
  power: { requiredMa: 896 },
});

/** A whole snapshot; every option has a healthy default. */
export function buildSnapshot(opts: SnapshotOptions = {}): Snapshot {
  const zoomShortVersion = opts.zoomShortVersion ?? '6.3.11 (51090)';
  const snapshot = healthyMacSnapshot({
    zoom: zoomSection({ shortVersion: zoomShortVersion, bundleVersion: '6.3.11.51090', version: zoomShortVersion.split(' ')[0]! }),
    tcc: tcc(opts),
    firewall: firewallSection({ apps: [zoomFirewallApp(true)] }),
    usb: usbSection([BRIO], { locationId: '0x01000000' }),
    power: okSection({ ...healthySections().power.data!, batteryPercent: opts.batteryPercent ?? 80 }, ['pmset -g batt', 'pmset -g adapter']),
    // The BRIO above as SPCameraDataType lists it (UVC ids 1133/2142, unique id = location << 32 | vendor << 16 | product).
    devices: devicesSection({ cameras: [{ name: 'Logitech BRIO', modelId: 'UVC Camera VendorID_1133 ProductID_2142', uniqueId: '0x1100000046d085e', vendorId: 0x046d, productId: 0x085e, locationId: '0x01100000' }] }),
  });
  return {
    ...snapshot,
    collectedAt: opts.collectedAt ?? new Date().toISOString(),
    host: {
      ...snapshot.host,
      hostname: opts.hostname ?? snapshot.host.hostname,
      serialNumber: opts.serialNumber === undefined ? snapshot.host.serialNumber : opts.serialNumber,
      consoleUser: opts.consoleUser === undefined ? snapshot.host.consoleUser : opts.consoleUser,
    },
  };
}
