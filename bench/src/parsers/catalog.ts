import * as macos from '@fleetmedic/macos';

/** One parser of packages/macos as the benchmark runs it: any text in, never a throw. */
export interface ParserEntry {
  /** the exported function's name, e.g. parseSwVers */
  name: string;
  /** fixture folders (under shared/fixtures/macos) holding its real inputs */
  folders: string[];
  run: (text: string) => unknown;
}

const cols = macos.ACCESS_READ_COLUMNS;

/**
 * Every text parser exported by @fleetmedic/macos, with the fixture folders of its format.
 * Parsers of several outputs (parseFirewall, parsePower) get the same text in every field.
 * catalog.test.ts checks that no exported parse* function is missing here.
 */
export const PARSERS: ParserEntry[] = [
  { name: 'parseSwVers', folders: ['sw_vers'], run: (t) => macos.parseSwVers(t) },
  { name: 'parseTccutilResult', folders: ['tccutil'], run: (t) => macos.parseTccutilResult(t, t, 1) },
  { name: 'parseTccutilList', folders: ['tccutil'], run: (t) => macos.parseTccutilList(t) },
  { name: 'parsePmsetBatt', folders: ['power'], run: (t) => macos.parsePmsetBatt(t) },
  { name: 'parsePmsetAdapter', folders: ['power'], run: (t) => macos.parsePmsetAdapter(t) },
  { name: 'parseSpPowerText', folders: ['power'], run: (t) => macos.parseSpPowerText(t) },
  { name: 'parseSpPowerJson', folders: ['power'], run: (t) => macos.parseSpPowerJson(t) },
  { name: 'parseIoregProperties', folders: ['power'], run: (t) => macos.parseIoregProperties(t) },
  { name: 'parseAppleSmartBattery', folders: ['power'], run: (t) => macos.parseAppleSmartBattery(t) },
  { name: 'parsePower', folders: ['power'], run: (t) => macos.parsePower({ pmsetBatt: t, pmsetAdapter: t, spPowerJson: t }) },
  { name: 'parseLocaleNumber', folders: ['locale'], run: (t) => macos.parseLocaleNumber(t) },
  { name: 'parseFirewall', folders: ['firewall'], run: (t) => macos.parseFirewall({ globalState: t, blockAll: t, stealthMode: t, allowSigned: t, listApps: t }) },
  { name: 'parseGlobalState', folders: ['firewall'], run: (t) => macos.parseGlobalState(t) },
  { name: 'parseBlockAll', folders: ['firewall'], run: (t) => macos.parseBlockAll(t) },
  { name: 'parseStealthMode', folders: ['firewall'], run: (t) => macos.parseStealthMode(t) },
  { name: 'parseLoggingMode', folders: ['firewall'], run: (t) => macos.parseLoggingMode(t) },
  { name: 'parseAllowSigned', folders: ['firewall'], run: (t) => macos.parseAllowSigned(t) },
  { name: 'parseSocketfilterfwGetAll', folders: ['firewall'], run: (t) => macos.parseSocketfilterfwGetAll(t) },
  { name: 'parseListApps', folders: ['firewall'], run: (t) => macos.parseListApps(t) },
  { name: 'parseSocketfilterfwWrite', folders: ['firewall'], run: (t) => macos.parseSocketfilterfwWrite(t, t, 1) },
  { name: 'parseSpFirewallJson', folders: ['firewall'], run: (t) => macos.parseSpFirewallJson(t) },
  { name: 'parseAlfPlist', folders: ['firewall'], run: (t) => macos.parseAlfPlist(t) },
  { name: 'parseManagedSettings', folders: ['firewall'], run: (t) => macos.parseManagedSettings(t) },
  { name: 'parseAccessRows', folders: ['tcc'], run: (t) => macos.parseAccessRows(t, cols) },
  { name: 'parseAccessRowsPipe', folders: ['tcc'], run: (t) => macos.parseAccessRowsPipe(t, cols) },
  { name: 'parseTableInfo', folders: ['tcc'], run: (t) => macos.parseTableInfo(t) },
  { name: 'parseZoomInfoPlist', folders: ['zoom'], run: (t) => macos.parseZoomInfoPlist(t, '/Applications/zoom.us.app') },
  { name: 'parseInfoPlistFragment', folders: ['zoom'], run: (t) => macos.parseInfoPlistFragment(t) },
  { name: 'parseInstallomatorZoomLog', folders: ['zoom'], run: (t) => macos.parseInstallomatorZoomLog(t) },
  { name: 'parseOsqueryZoomApps', folders: ['zoom'], run: (t) => macos.parseOsqueryZoomApps(t) },
  { name: 'parseFleetZoomVersions', folders: ['zoom'], run: (t) => macos.parseFleetZoomVersions(t) },
  { name: 'parseCodesignDisplay', folders: ['extra:codesign-d'], run: (t) => macos.parseCodesignDisplay(t) },
  { name: 'parseCodesignVerify', folders: ['extra:codesign-verify'], run: (t) => macos.parseCodesignVerify(t, 1) },
  { name: 'parseTccLog', folders: ['extra:log-tcc'], run: (t) => macos.parseTccLog(t, ['us.zoom.xos']) },
  { name: 'parseSoftwareUpdateList', folders: ['softwareupdate', 'extra:softwareupdate'], run: (t) => macos.parseSoftwareUpdateList(t) },
  { name: 'parseKernBoottime', folders: ['extra:sysctl-kern.boottime'], run: (t) => macos.parseKernBoottime(t) },
  { name: 'parseSpApplicationsText', folders: ['apps'], run: (t) => macos.parseSpApplicationsText(t) },
  { name: 'parseSpAudioJson', folders: ['extra:SPAudioDataType-json'], run: (t) => macos.parseSpAudioJson(t) },
  { name: 'parseSpAudioText', folders: ['locale'], run: (t) => macos.parseSpAudioText(t) },
  { name: 'parseSpCameraJson', folders: ['extra:SPCameraDataType-json'], run: (t) => macos.parseSpCameraJson(t) },
  { name: 'parseSpCameraText', folders: ['camera', 'extra:SPCameraDataType-text'], run: (t) => macos.parseSpCameraText(t) },
  { name: 'parseScutilProxy', folders: ['extra:scutil-proxy'], run: (t) => macos.parseScutilProxy(t) },
  { name: 'parseNcList', folders: ['extra:scutil-nc-list'], run: (t) => macos.parseNcList(t) },
  { name: 'parseSystemExtensions', folders: ['sysext', 'extra:sysextctl-list'], run: (t) => macos.parseSystemExtensions(t) },
  // No real PEM capture: the TLS error captures and the adversarial inputs exercise it.
  { name: 'parsePemCertificates', folders: ['extra:node-tls'], run: (t) => macos.parsePemCertificates(t) },
  { name: 'parseSpUsbXml', folders: ['spusb_xml'], run: (t) => macos.parseSpUsbXml(t) },
  { name: 'parseSpUsbJson', folders: ['spusb_json'], run: (t) => macos.parseSpUsbJson(t) },
  { name: 'parseSpUsbHostJson', folders: ['spusbhost'], run: (t) => macos.parseSpUsbHostJson(t) },
  { name: 'parseIoregUsb', folders: ['ioreg_usb'], run: (t) => macos.parseIoregUsb(t) },
  { name: 'parseSpUsbText', folders: ['spusb_text'], run: (t) => macos.parseSpUsbText(t) },
  { name: 'parseSpUsbHostText', folders: ['spusbhost', 'spusb_text'], run: (t) => macos.parseSpUsbHostText(t) },
  { name: 'parseMa', folders: ['spusb_text'], run: (t) => macos.parseMa(t) },
  { name: 'parseVendorId', folders: ['spusb_text'], run: (t) => macos.parseVendorId(t) },
  { name: 'parseLocationId', folders: ['spusb_text'], run: (t) => macos.parseLocationId(t) },
];
