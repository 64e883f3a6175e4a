/**
 * Snapshot builders for rule tests: a healthy Mac with realistic values (macOS 15.3.1 24D70,
 * Zoom 7.1.5 (84650), readable system and user TCC.db with Zoom allowed, firewall on with
 * zoom.us.app allowed, an LG UltraFine display hub with its camera and audio as
 * system_profiler SPUSBDataType reports them), plus small constructors to vary one fact.
 */
import { makeCamera } from '@fleetmedic/macos';
import { SNAPSHOT_SCHEMA_VERSION, type FirewallApp, type NetworkFacts, type Sections, type UsbBus, type Snapshot, type DevicesFacts, type SoftwareUpdateFacts, type TccDatabase, type TccEntry, type UsbDevice, type ZoomDataFolder, type ZoomInstall } from '@fleetmedic/protocol';

/** A section that was read: status ok (or partial with problems). */
export function okSection<T>(data: T, sources: string[], problems?: string[]) {
  return problems
    ? { status: 'partial' as const, sources, problems, data }
    : { status: 'ok' as const, sources, data };
}

/** A section that could not be read, with why. */
export const unavailableSection = (reason: string, sources: string[] = []) => ({ status: 'unavailable' as const, sources, reason });

/** A section whose signal does not exist on this platform. */
export const unsupportedSection = (reason: string) => ({ status: 'unsupported' as const, sources: [], reason });

/** A TCC.db `access` row (auth-17 layout, macOS 14+): defaults to Zoom's camera allowed by user consent. */
export function tccEntry(over: Partial<TccEntry> = {}): TccEntry {
  return {
    service: 'kTCCServiceCamera',
    client: 'us.zoom.xos',
    clientType: 'bundle',
    authValue: 2,
    authValueName: 'allowed',
    authReason: 2,
    authReasonName: 'user-consent',
    lastModified: '2024-05-01T09:12:44.000Z',
    indirectObject: null,
    ...over,
  };
}

/** A Zoom TCC row denied by the user (auth_value 0, auth_reason 3 user-set). */
export const zoomDenied = (service: string, over: Partial<TccEntry> = {}): TccEntry =>
  tccEntry({ service, authValue: 0, authValueName: 'denied', authReason: 3, authReasonName: 'user-set', lastModified: '2024-06-03T14:02:10.000Z', ...over });

export const USER_TCC_PATH = '/Users/alice/Library/Application Support/com.apple.TCC/TCC.db';
export const SYSTEM_TCC_PATH = '/Library/Application Support/com.apple.TCC/TCC.db';

const AUTH_17_COLUMNS = [
  'service', 'client', 'client_type', 'auth_value', 'auth_reason', 'auth_version', 'csreq', 'policy_id',
  'indirect_object_identifier_type', 'indirect_object_identifier', 'indirect_object_code_identity', 'flags',
  'last_modified', 'pid', 'pid_version', 'boot_uuid', 'last_reminded',
];

/** A readable per-user TCC.db of alice; pass `scope: 'system'` and the path for the system one. */
export function tccDb(entries: TccEntry[], over: Partial<TccDatabase> = {}): TccDatabase {
  return { path: USER_TCC_PATH, scope: 'user', user: 'alice', status: 'ok', layout: 'auth-17', columns: AUTH_17_COLUMNS, entries, ...over };
}

/** A TCC.db the agent could not open (no Full Disk Access). */
export const unreadableTccDb = (over: Partial<TccDatabase> = {}): TccDatabase =>
  tccDb([], { status: 'unreadable', reason: 'authorization denied (the agent has no Full Disk Access)', layout: null, columns: [], ...over });

/** A USB device with power figures in mA; defaults are an LG UltraFine Display Camera on a USB3 port. */
type UsbOverrides = Partial<Omit<UsbDevice, 'power'>> & { power?: Partial<UsbDevice['power']> };

export function usbDevice(over: UsbOverrides = {}): UsbDevice {
  const { power, ...rest } = over;
  return {
    name: 'LG UltraFine Display Camera',
    kind: 'camera',
    vendorId: 0x043e,
    productId: 0x9a4d,
    vendorName: 'LG Electronics Inc.',
    serialNumber: null,
    locationId: '0x02343000',
    speed: 'super',
    builtIn: false,
    selfPowered: null,
    children: [],
    ...rest,
    power: { availableMa: 900, requiredMa: 96, allocatedMa: null, extraMa: 0, sleepMa: null, failedRequest: false, ...power },
  };
}

/** A hub holding `children`; defaults to a USB3 hub of unknown power source (as SPUSBDataType gives). */
export const usbHub = (children: UsbDevice[], over: UsbOverrides = {}): UsbDevice =>
  usbDevice({ name: 'USB3.1 Hub', kind: 'hub', vendorId: 0x043e, productId: 0x9a60, locationId: '0x02300000', children, power: { availableMa: 900, requiredMa: 0 }, ...over });

/** The firewall's entry for Zoom as `socketfilterfw --listapps` prints it. */
export const zoomFirewallApp = (allowIncoming: boolean | null, path: string | null = '/Applications/zoom.us.app'): FirewallApp =>
  ({ path, name: null, allowIncoming });

/** The sections of a healthy Mac. */
export function healthySections(): Sections {
  return {
    os: okSection({ productName: 'macOS', productVersion: '15.3.1', productVersionExtra: null, buildVersion: '24D70' }, ['sw_vers']),
    zoom: okSection({
      installed: true,
      appPath: '/Applications/zoom.us.app',
      bundleId: 'us.zoom.xos',
      shortVersion: '7.1.5 (84650)',
      bundleVersion: '7.1.5.84650',
      version: '7.1.5.84650',
    }, ['/Applications/zoom.us.app/Contents/Info.plist']),
    tcc: okSection({
      databases: [
        tccDb([tccEntry({ service: 'kTCCServiceScreenCapture', authReason: 3, authReasonName: 'user-set' })], { path: SYSTEM_TCC_PATH, scope: 'system', user: null }),
        tccDb([tccEntry(), tccEntry({ service: 'kTCCServiceMicrophone' }), tccEntry({ client: 'com.microsoft.teams2', authValue: 0, authValueName: 'denied' })]),
      ],
    }, [SYSTEM_TCC_PATH, USER_TCC_PATH]),
    firewall: okSection({
      globalState: 1,
      blockAll: false,
      stealthMode: false,
      allowSignedBuiltIn: true,
      allowSignedDownloaded: true,
      apps: [zoomFirewallApp(true), { path: '/Applications/Spotify.app', name: null, allowIncoming: false }],
    }, ['socketfilterfw --getglobalstate', 'socketfilterfw --getblockall', 'socketfilterfw --listapps']),
    usb: usbSection([usbHub([
      usbHub([usbDevice()], { name: 'hub_device', productId: null, locationId: '0x02340000' }),
      usbDevice({ name: 'Extreme SSD', kind: 'storage', vendorId: 0x0781, productId: 0x5588, locationId: '0x02320000', power: { requiredMa: 896 } }),
    ])]),
    power: okSection({
      source: 'ac', adapterConnected: true, adapterWatts: 96, adapterName: '96W USB-C Power Adapter',
      batteryPresent: true, batteryPercent: 80, batteryState: 'AC attached; not charging',
    }, ['pmset -g batt', 'pmset -g adapter']),
    network: networkSection(),
    zoomInstalls: zoomInstallsSection(),
    devices: devicesSection(),
    softwareUpdate: softwareUpdateSection(),
  };
}

/** Zoom's own signature of a healthy zoom.us.app (codesign -dvvv of Zoom, extra-captures/codesign-dvvv-zoom-objective-see-elided.txt). */
export const ZOOM_SIGNER = {
  identifier: 'us.zoom.xos',
  teamId: 'BJ4HAAB9B3',
  authorities: ['Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)', 'Developer ID Certification Authority', 'Apple Root CA'],
  adhoc: false,
};

/** One healthy copy of Zoom: valid signature, Zoom's team. `user` set: a ~/Applications copy with its own version. */
export function zoomInstall(over: Partial<ZoomInstall> = {}): ZoomInstall {
  return { appPath: '/Applications/zoom.us.app', user: null, signature: { valid: true, verdict: 'valid', reason: null, details: [] }, signer: ZOOM_SIGNER, problems: [], ...over };
}

/** The zoomInstalls section: these copies (default: the healthy /Applications one) and data folders. */
export const zoomInstallsSection = (installs: ZoomInstall[] = [zoomInstall()], dataFolders: ZoomDataFolder[] = []) =>
  okSection({ installs, dataFolders }, ['codesign --verify --deep --strict --verbose=2', 'codesign -dvvv']);

/** A healthy Mac's snapshot with some sections replaced. */
export function buildSnapshot(sections: Partial<Sections> = {}): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: '2024-06-04T08:30:00.000Z',
    agentVersion: '0.1.0',
    host: {
      hostname: 'alice-mbp', serialNumber: 'C02ZK0XXMD6R', hardwareModel: 'MacBookPro18,3',
      architecture: 'arm64', platform: 'darwin', consoleUser: 'alice',
    },
    sections: { ...healthySections(), ...sections },
  };
}

/** Healthy TCC section with these databases instead. */
export const tccSection = (databases: TccDatabase[]) => okSection({ databases }, databases.map((d) => d.path));

/** Healthy firewall section with some fields replaced. */
export function firewallSection(over: Partial<NonNullable<Sections['firewall']['data']>>) {
  const base = healthySections().firewall.data!;
  return okSection({ ...base, ...over }, ['socketfilterfw --getglobalstate', 'socketfilterfw --getblockall', 'socketfilterfw --listapps']);
}

/** A USB section with one bus holding `devices`; `over` sets the bus's own fields. */
export function usbSection(devices: UsbDevice[], over: Partial<Omit<UsbBus, 'devices'>> = {}) {
  // The cast: protocol's Static UsbDevice types `kind` as never (union built from a mapped array).
  const bus: UsbBus = { name: 'USB31Bus', controller: 'AppleT6000USBXHCI', locationId: null, ...over, devices: devices as UsbBus['devices'] };
  return okSection({ source: 'SPUSBDataType', buses: [bus] }, ['system_profiler -json SPUSBDataType']);
}

/** Healthy zoom section with some fields replaced. */
export function zoomSection(over: Partial<NonNullable<Sections['zoom']['data']>>) {
  return okSection({ ...healthySections().zoom.data!, ...over }, ['/Applications/zoom.us.app/Contents/Info.plist']);
}

/** os section for a given sw_vers ProductVersion and build. */
export const osSection = (productVersion: string, buildVersion: string) =>
  okSection({ productName: 'macOS', productVersion, productVersionExtra: null, buildVersion }, ['sw_vers']);

/** The network facts of a Mac that reaches Zoom and the server, with no proxy, VPN or extension. */
export function healthyNetwork(): NetworkFacts {
  return {
    zoom: {
      dns: [{ host: 'zoom.us', verdict: 'resolved', code: null, sinkholeAddress: null }, { host: 'zoom.com', verdict: 'resolved', code: null, sinkholeAddress: null }],
      endpoints: [{ host: 'zoom.us', port: 443, tcp: 'connected', tcpCode: null, tls: 'valid', tlsCode: null, issuer: 'DigiCert Global Root G2' }],
    },
    server: {
      dns: [{ host: 'fleet.example.com', verdict: 'resolved', code: null, sinkholeAddress: null }],
      endpoints: [{ host: 'fleet.example.com', port: 443, tcp: 'connected', tcpCode: null, tls: 'not-tried', tlsCode: null, issuer: null }],
    },
    proxy: { proxies: [], pacUrl: null, autoDiscovery: false, exceptions: ['*.local', '169.254/16'] },
    vpnServices: [],
    systemExtensions: [],
  };
}

export const networkSection = (over: Partial<NetworkFacts> = {}) =>
  okSection({ ...healthyNetwork(), ...over }, ['dns.lookup', 'tcp/tls connect', 'scutil --proxy', 'scutil --nc list', 'systemextensionsctl list']);

/** The LG UltraFine Display Camera of healthySections' USB tree as SPCameraDataType would list it (UVC ids, location 0x02343000). */
export const LG_CAMERA = makeCamera('LG UltraFine Display Camera', 'UVC Camera VendorID_1086 ProductID_39501', '0x02343000043e9a4d');

/** The cameras and microphones of a MacBook Pro (the real M5 Pro capture's lists) plus the LG display's camera, with some fields replaced. */
export const devicesSection = (over: Partial<DevicesFacts> = {}) => okSection<DevicesFacts>({
  cameras: [{ name: 'MacBook Pro Camera', modelId: 'MacBook Pro Camera', uniqueId: null, vendorId: null, productId: null, locationId: null }, LG_CAMERA],
  audio: [
    { name: 'MacBook Pro Microphone', inputChannels: 1, outputChannels: null, transport: 'builtin', manufacturer: 'Apple Inc.', defaultInput: true, defaultOutput: false },
    { name: 'MacBook Pro Speakers', inputChannels: null, outputChannels: 2, transport: 'builtin', manufacturer: 'Apple Inc.', defaultInput: false, defaultOutput: true },
  ],
  defaultInput: 'MacBook Pro Microphone',
  ...over,
}, ['system_profiler -json SPCameraDataType', 'system_profiler -json SPAudioDataType']);

/** No update pending, checked at the snapshot's time, booted the day before; some fields replaced. */
export const softwareUpdateSection = (over: Partial<SoftwareUpdateFacts> = {}) => okSection<SoftwareUpdateFacts>({
  updates: [], checkedAt: '2024-06-04T08:30:00.000Z', lastBootAt: '2024-06-03T07:00:00.000Z', ...over,
}, ['softwareupdate --list', 'sysctl -n kern.boottime']);
