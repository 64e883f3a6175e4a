import { devicesSection, networkSection, softwareUpdateSection, zoomInstallsSection } from '@fleetmedic/diagnosis/testing';
/**
 * Snapshots for server tests, built from the protocol types (no recorded Mac was available when
 * these tests were written): a MacBook Pro on macOS 15.3.1 (24D70) with Zoom 6.3.11 (51090),
 * a readable per-user TCC.db (auth-17 layout), the firewall on with zoom.us.app allowed, and a
 * Logitech BRIO on a direct USB port. `zoomCamera` sets the Zoom camera row of that TCC.db.
 */
import { SNAPSHOT_SCHEMA_VERSION, type Sections, type Snapshot, type TccEntry, type UsbBus } from '@fleetmedic/protocol';

export const USER_TCC_PATH = '/Users/alice/Library/Application Support/com.apple.TCC/TCC.db';

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

const zoomRow = (service: string, authValue: 0 | 2): TccEntry => ({
  service,
  client: 'us.zoom.xos',
  clientType: 'bundle',
  authValue,
  authValueName: authValue === 2 ? 'allowed' : 'denied',
  authReason: authValue === 2 ? 2 : 3,
  authReasonName: authValue === 2 ? 'user-consent' : 'user-set',
  lastModified: '2024-05-01T09:12:44.000Z',
  indirectObject: null,
});

const AUTH_17_COLUMNS = [
  'service', 'client', 'client_type', 'auth_value', 'auth_reason', 'auth_version', 'csreq', 'policy_id',
  'indirect_object_identifier_type', 'indirect_object_identifier', 'indirect_object_code_identity', 'flags',
  'last_modified', 'pid', 'pid_version', 'boot_uuid', 'last_reminded',
];

function tccSection(opts: SnapshotOptions): Sections['tcc'] {
  if (opts.tccUnavailable) {
    return { status: 'unavailable', sources: [USER_TCC_PATH], reason: 'authorization denied (the agent has no Full Disk Access)' };
  }
  const entries = [zoomRow('kTCCServiceMicrophone', 2)];
  const camera = opts.zoomCamera ?? 'allowed';
  if (camera !== 'absent') entries.unshift(zoomRow('kTCCServiceCamera', camera === 'allowed' ? 2 : 0));
  return {
    status: 'ok',
    sources: [USER_TCC_PATH],
    data: { databases: [{ path: USER_TCC_PATH, scope: 'user', user: 'alice', status: 'ok', layout: 'auth-17', columns: AUTH_17_COLUMNS, entries }] },
  };
}

const usbBus: UsbBus = {
  name: 'USB31Bus',
  controller: 'AppleT6000USBXHCI',
  locationId: '0x01000000',
  devices: [{
    name: 'Logitech BRIO', kind: 'camera', vendorId: 0x046d, productId: 0x085e, vendorName: 'Logitech Inc.', serialNumber: null,
    locationId: '0x01100000', speed: 'super', builtIn: false, selfPowered: false,
    power: { availableMa: 900, requiredMa: 896, allocatedMa: null, extraMa: 0, sleepMa: null, failedRequest: false },
    children: [],
  }] as unknown as UsbBus['devices'], // protocol's Static types UsbDevice.kind as never (union from a mapped array)
};

/** A whole snapshot; every option has a healthy default. */
export function buildSnapshot(opts: SnapshotOptions = {}): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: opts.collectedAt ?? new Date().toISOString(),
    agentVersion: '0.1.0',
    host: {
      hostname: opts.hostname ?? 'alice-mbp',
      serialNumber: opts.serialNumber === undefined ? 'C02ZK0XXMD6R' : opts.serialNumber,
      hardwareModel: 'MacBookPro18,3',
      architecture: 'arm64',
      platform: 'darwin',
      consoleUser: opts.consoleUser === undefined ? 'alice' : opts.consoleUser,
    },
    sections: {
      os: { status: 'ok', sources: ['sw_vers'], data: { productName: 'macOS', productVersion: '15.3.1', productVersionExtra: null, buildVersion: '24D70' } },
      zoom: {
        status: 'ok',
        sources: ['/Applications/zoom.us.app/Contents/Info.plist'],
        data: {
          installed: true, appPath: '/Applications/zoom.us.app', bundleId: 'us.zoom.xos',
          shortVersion: opts.zoomShortVersion ?? '6.3.11 (51090)', bundleVersion: '6.3.11.51090', version: (opts.zoomShortVersion ?? '6.3.11').split(' ')[0]!,
        },
      },
      tcc: tccSection(opts),
      firewall: {
        status: 'ok',
        sources: ['socketfilterfw --getglobalstate', 'socketfilterfw --getblockall', 'socketfilterfw --listapps'],
        data: {
          globalState: 1, blockAll: false, stealthMode: false, allowSignedBuiltIn: true, allowSignedDownloaded: true,
          apps: [{ path: '/Applications/zoom.us.app', name: null, allowIncoming: true }],
        },
      },
      usb: { status: 'ok', sources: ['system_profiler -json SPUSBDataType'], data: { source: 'SPUSBDataType', buses: [usbBus] } },
      power: {
        status: 'ok',
        sources: ['pmset -g batt', 'pmset -g adapter'],
        data: {
          source: 'ac', adapterConnected: true, adapterWatts: 96, adapterName: '96W USB-C Power Adapter',
          batteryPresent: true, batteryPercent: opts.batteryPercent ?? 80, batteryState: 'AC attached; not charging',
        },
      },
      network: networkSection(),
      zoomInstalls: zoomInstallsSection(),
      // The BRIO above as SPCameraDataType lists it (UVC ids 1133/2142, unique id = location << 32 | vendor << 16 | product).
      devices: devicesSection({ cameras: [{ name: 'Logitech BRIO', modelId: 'UVC Camera VendorID_1133 ProductID_2142', uniqueId: '0x1100000046d085e', vendorId: 0x046d, productId: 0x085e, locationId: '0x01100000' }] }),
      softwareUpdate: softwareUpdateSection(), // booted 2024-06-03T07:00:00Z, nothing pending
    },
  };
}
