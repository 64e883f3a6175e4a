// Every USB capture in shared/fixtures/macos goes through its parser; each file has real expected values.
import { describe, expect, it } from 'vitest';
import { UsbFacts as UsbFactsSchema, validator, type UsbFacts, type UsbPower } from '@fleetmedic/protocol';
import type { ParseResult } from '../result.js';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseIoregUsb } from './ioreg.js';
import { countDevices } from './normalize.js';
import { parseSpUsbHostJson } from './sp-host-json.js';
import { parseSpUsbJson } from './sp-json.js';
import { parseSpUsbHostText, parseSpUsbText } from './sp-text.js';
import { parseSpUsbXml } from './sp-xml.js';
import { walkUsb, type UsbWalkEntry } from './walk.js';

type Parser = (s: string) => ParseResult<UsbFacts>;

/** Expected facts of one named device; only the listed fields are checked. */
interface Dev {
  name: string;
  vid?: number | null;
  pid?: number | null;
  loc?: string | null;
  kind?: string;
  depth?: number;
  vendor?: string | null;
  speed?: string | null;
  builtIn?: boolean | null;
  serial?: string | null;
  power?: Partial<UsbPower>;
  parent?: string | null;
  bus?: string;
}

interface Case {
  parser: Parser;
  /** ok: false with an error matching this. */
  error?: RegExp;
  buses?: number;
  devices?: number;
  /** Partial captures: a problem matching each regex. Complete captures: no problems. */
  problems?: RegExp[];
  expect?: Dev[];
}

const CASES: Record<string, Case> = {
  'spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json': {
    parser: parseSpUsbJson,
    buses: 5,
    devices: 28,
    expect: [
      { name: 'Black Magic Probe  v1.8.2', vid: 0x1d50, pid: 0x6018, loc: '0x14330000', depth: 1, vendor: 'Black Magic Debug', speed: 'full', power: { availableMa: 500, requiredMa: 100, extraMa: 0 } },
      { name: 'Android', vid: 0x05c6, vendor: 'Qualcomm, Inc', loc: '0x14313000', depth: 2, speed: 'high' },
      { name: 'AirPods Max', vid: 0x05ac, pid: 0x1109, vendor: 'Apple Inc.', kind: 'audio', depth: 0, power: { availableMa: 500, requiredMa: 500, extraMa: 1600, sleepMa: 2100 } },
      { name: 'USB3.0 Hub', vid: 0x2109, pid: 0x0817, vendor: 'VIA Labs, Inc.', kind: 'hub', loc: '0x02330000', speed: 'super' },
      { name: 'Extreme SSD', kind: 'storage', power: { availableMa: 900, requiredMa: 896 }, loc: '0x02320000' },
      { name: 'LG UltraFine Display Camera', vid: 0x043e, pid: 0x9a68, kind: 'camera', loc: '0x02343000', depth: 2, parent: 'USB hub', power: { requiredMa: 96, failedRequest: false } },
      { name: 'LG UltraFine Display Audio', kind: 'audio', loc: '0x02241000', depth: 2 },
      { name: 'USB Billboard Device', power: { availableMa: 500, requiredMa: null } },
      { name: 'FaceTime HD Camera (Built-in)', vid: 0x05ac, pid: 0x8514, kind: 'camera', builtIn: true, loc: '0x80200000', bus: 'T2Bus', speed: null, power: { availableMa: null, requiredMa: null } },
      { name: 'Headset', kind: 'audio', bus: 'T2Bus' },
      { name: 'Apple Internal Keyboard / Trackpad', kind: 'input', pid: 0x027c },
    ],
  },
  'spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json': {
    parser: parseSpUsbJson,
    buses: 5,
    devices: 14,
    expect: [
      { name: 'YubiKey OTP+FIDO+CCID', vid: 0x1050, pid: 0x0407, loc: '0x00100000', kind: 'other', power: { requiredMa: 30 } },
      { name: 'USB3.1 Hub', vid: 0x043e, pid: 0x9a44, loc: '0x03500000', kind: 'hub', speed: 'super', bus: 'USB30Bus' },
      { name: 'USB2.1 Hub', pid: 0x9a46, loc: '0x03100000', kind: 'hub', speed: 'high', power: { availableMa: 500, requiredMa: 100 } },
      { name: 'LG UltraFine Display Camera', pid: 0x9a4d, kind: 'camera', depth: 2, loc: '0x03543000' },
      { name: 'Magic Keyboard', kind: 'input', serial: 'SERIAL-REDACTED-1', power: { extraMa: 1000, sleepMa: 1500 } },
      { name: 'USB Audio', pid: 0x9a4b, kind: 'audio', depth: 2 },
      { name: 'FaceTime HD Camera (Display)', pid: 0x1112, kind: 'camera', builtIn: true, parent: 'USB hub', power: { availableMa: 500, requiredMa: 500, failedRequest: false } },
      { name: 'Display Audio', kind: 'audio', builtIn: true },
      { name: 'PenDrive', vid: 0x1f75, vendor: 'Innostor Co., Ltd.', kind: 'storage', builtIn: null, power: { requiredMa: 200 } },
    ],
  },
  'spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json': {
    parser: parseSpUsbJson,
    buses: 3,
    devices: 3,
    expect: [
      { name: 'Mudita Harmony (MSC mode)', vid: 0x3310, pid: 0x0103, kind: 'storage', loc: '0x02100000', serial: '0123456789ABCDEF', power: { availableMa: 500, requiredMa: 100 } },
      { name: 'USB2.1 Hub', vid: 0x0bda, pid: 0x5411, kind: 'hub', vendor: 'Realtek Semiconductor Corp.' },
      { name: 'LG Monitor Controls', pid: 0x9a39, depth: 1, kind: 'other', loc: '0x00130000' },
    ],
  },
  'spusb_json/palmsync-m2-t8112-palm-handheld.json': {
    parser: parseSpUsbJson,
    buses: 3,
    devices: 1,
    expect: [{ name: 'Palm Handheld', vid: 0x0830, pid: 0x0060, vendor: 'Palm Inc.', loc: '0x00100000', speed: 'full', power: { availableMa: 500, requiredMa: 2 } }],
  },
  'spusb_text/fusinv-10.6-intel-SPUSBDataType.txt': {
    parser: parseSpUsbText,
    buses: 5,
    devices: 4,
    expect: [
      { name: 'Built-in iSight', vid: 0x05ac, pid: 0x8501, kind: 'camera', loc: '0xfd400000', speed: 'high', bus: 'USB High-Speed Bus', power: { availableMa: 500, requiredMa: 100, extraMa: null } },
      { name: 'Bluetooth USB Host Controller', pid: 0x8205, speed: 'full', loc: '0x7d100000' },
      { name: 'IR Receiver', kind: 'input', power: { requiredMa: 100 } },
    ],
  },
  'spusb_text/intel-mbp2012-ehci-facetime-hs.txt': {
    parser: parseSpUsbText,
    buses: 3,
    devices: 8,
    expect: [
      { name: 'FaceTime HD Camera (Built-in)', vid: 0x05ac, pid: 0x8509, kind: 'camera', builtIn: true, depth: 1, parent: 'Hub', loc: '0x1a110000', serial: 'XXXXXXXXXXXXXXXX', power: { availableMa: 500, requiredMa: 500, extraMa: 0 } },
      { name: 'IR Receiver', speed: 'low', depth: 2, loc: '0x1d182000' },
      { name: 'BRCM20702 Hub', kind: 'hub', vid: 0x0a5c, vendor: 'Broadcom Corp.', depth: 2 },
      { name: 'Bluetooth USB Host Controller', depth: 3, loc: '0x1d181300', speed: null, power: { availableMa: null } },
    ],
  },
  'spusb_text/libusb924-m1-bigsur-t8103-realtek-hubs-partial.txt': {
    parser: parseSpUsbText,
    buses: 3,
    devices: 3,
    problems: [/prompt or stray/, /"4-Port USB 2\.0 Hub".*no Location ID/],
    expect: [
      { name: '4-Port USB 3.0 Hub', vid: 0x0bda, pid: 0x0411, loc: '0x02500000', speed: 'super', depth: 0, power: { availableMa: 900 } },
      { name: '4-Port USB 2.0 Hub', pid: 0x5411, loc: null, speed: 'high', power: { availableMa: null } },
    ],
  },
  'spusb_text/m3-t8122-mudita-msc-polish-locale.txt': {
    parser: parseSpUsbText,
    buses: 3,
    devices: 1,
    expect: [{ name: 'Mudita Harmony (MSC mode)', vid: 0x3310, kind: 'storage', loc: '0x00100000', speed: 'high', power: { availableMa: 500, requiredMa: 100, extraMa: 0 } }],
  },
  'spusb_text/stderr-noise-IOCreatePlugInInterfaceForService.txt': {
    parser: parseSpUsbText,
    error: /no USB tree/,
    problems: [/stderr line/],
  },
  'spusb_text/uhubctl201-catalina-dymo-apple-keyboard-partial.txt': {
    parser: parseSpUsbText,
    buses: 1,
    devices: 3,
    problems: [/does not start with "USB:"/, /starts inside a device/, /without their bus header/],
    expect: [
      { name: '(unnamed: output starts inside this device)', loc: '0x02143300', power: { requiredMa: 300 } },
      { name: 'Apple Keyboard', vid: 0x05ac, pid: 0x0250, kind: 'input', speed: 'low', depth: 1, loc: '0x02143320' },
      { name: 'DYMO LabelWriter 450', vid: 0x0922, vendor: 'Dymo Corporation', depth: 0, serial: 'SERIAL-REDACTED', power: { requiredMa: 2 } },
    ],
  },
  'spusb_text/whatcable291-m4-macmini-t8132-iphone-sleepcurrent-partial.txt': {
    parser: parseSpUsbText,
    buses: 1,
    devices: 3,
    problems: [/does not start with "USB:"/],
    expect: [
      { name: 'USB3 Gen2 Hub', vid: 0x05ac, pid: 0x800c, kind: 'hub', builtIn: true, speed: 'super-plus' },
      { name: 'iPhone', pid: 0x12a8, depth: 1, power: { availableMa: 900, requiredMa: 896, extraMa: 600, sleepMa: 1500 } },
      { name: 'USB2 Hub', pid: 0x800b, loc: '0x02100000', speed: 'high' },
    ],
  },
  'spusb_xml/fusinv-SPUSBDataType-elcapitan+-reporter900.4.1.xml': {
    parser: parseSpUsbXml,
    buses: 7,
    devices: 8,
    expect: [
      { name: 'BRCM2046 Hub', kind: 'hub', builtIn: true, power: { availableMa: 1000 } },
      { name: 'External USB 3.0', vid: 0x0480, kind: 'storage', loc: '0xfa200000', power: { requiredMa: 500 } },
      { name: 'Built-in iSight', pid: 0x8502, kind: 'camera', builtIn: true, loc: '0xfd400000' },
      { name: 'Apple Optical USB Mouse', kind: 'input', speed: 'low', depth: 1 },
    ],
  },
  'spusb_xml/fusinv-SPUSBDataType2-prefixed-keys-reporter60.xml': {
    parser: parseSpUsbXml,
    buses: 5,
    devices: 9,
    expect: [
      { name: 'JumpDrive', vid: 0x05dc, pid: 0xa202, vendor: 'Lexar Media, Inc.', kind: 'storage', loc: '0xfd500000', speed: 'high', power: { availableMa: 500, requiredMa: 200 } },
      { name: 'Built-in iSight', vid: 0x05ac, pid: 0x8501, kind: 'camera', bus: 'EHCI Root Hub Simulation' },
      { name: 'UDisk 2.0', depth: 1, parent: 'Hub in Apple Extended USB Keyboard', power: { availableMa: 100, requiredMa: 100 } },
    ],
  },
  'spusb_xml/fusinv-SPUSBDataType3-prefixed-keys-reporter60.xml': {
    parser: parseSpUsbXml,
    buses: 5,
    devices: 13,
    expect: [
      // bus_power_desired 248 mA behind a bus-powered keyboard hub port offering 100 mA: the failed request.
      { name: 'Mass Storage Device', vid: 0x14cd, pid: 0x121c, depth: 1, loc: '0x1d120000', power: { availableMa: 100, requiredMa: 248, failedRequest: true } },
      { name: 'Generic USB Hub', vid: 0x058f, kind: 'hub', loc: '0x5d100000' },
    ],
  },
  'spusb_xml/glpi-SPUSBDataType-reporter705.4.1-dvd.xml': {
    // The third XML generation (SPUSBReporter 705.4.1): unprefixed keys, an SS bus and a USB 2.0 bus.
    parser: parseSpUsbXml,
    buses: 2,
    devices: 4,
    expect: [
      { name: 'Internal Memory Card Reader', vid: 0x05ac, pid: 0x8406, kind: 'storage', builtIn: true, loc: '0x15300000', speed: 'super', bus: 'XHCI Root Hub SS Simulation', power: { availableMa: 900, requiredMa: 896 } },
      { name: 'Optical USB 2.0', vid: 0x059b, pid: 0x0252, vendor: 'Iomega Corporation', kind: 'storage', loc: '0x14200000', speed: 'high', power: { availableMa: 500, requiredMa: 0 } },
      { name: 'BRCM20702 Hub', vid: 0x0a5c, pid: 0x4500, vendor: 'Broadcom Corp.', kind: 'hub', builtIn: true, speed: 'full', power: { availableMa: 500, requiredMa: 94 } },
      { name: 'Bluetooth USB Host Controller', vid: 0x05ac, pid: 0x828f, depth: 1, parent: 'BRCM20702 Hub', loc: '0x14330000' },
    ],
  },
  'spusb_xml/satsmart-kext-stdout-pollution-before-xml.txt': {
    parser: parseSpUsbXml,
    error: /truncated plist/,
    problems: [/skipped 20 line\(s\) printed before the XML/],
  },
  'spusbhost/px1-m-series-t8142-usbserial-hub.txt': {
    parser: parseSpUsbHostText,
    buses: 4,
    devices: 3,
    expect: [
      { name: 'USB Serial', vid: 0x1a86, pid: 0x7523, loc: '0x01100000', builtIn: false, serial: null, speed: 'full', power: { allocatedMa: 104, availableMa: null, requiredMa: null } },
      { name: 'USB3.2 Hub', vid: 0x2717, kind: 'hub', speed: 'super', loc: '0x02200000' },
    ],
  },
  'spusbhost/px1-m4-macmini-hub-rapoo-redmi.txt': {
    parser: parseSpUsbHostText,
    buses: 4,
    devices: 6,
    expect: [
      { name: 'USB3 Gen2 Hub', builtIn: true, speed: 'super-plus', serial: 'XXXXXXX', vendor: 'Apple' },
      { name: 'Bluetooth Keyboard', vid: 0x05ac, pid: 0x024f, kind: 'input', depth: 1, power: { allocatedMa: 500 } },
      { name: 'Redmi 电脑音箱', vid: 0x2717, pid: 0x5086, kind: 'audio', depth: 1, loc: '0x03130000' },
    ],
  },
  'spusbhost/testfixture-trimmed-m2pro-empty-spusb.json': {
    parser: parseSpUsbHostJson,
    buses: 1,
    devices: 0,
  },
  'spusbhost/testfixture-trimmed-m5-t6050-sandisk.json': {
    parser: parseSpUsbHostJson,
    buses: 2,
    devices: 1,
    expect: [{ name: 'SanDisk 3.2 Gen1', vid: 0x0781, pid: 0x55fd, vendor: 'USB', kind: 'storage', speed: 'super', builtIn: false, power: { allocatedMa: 896 } }],
  },
  'ioreg_usb/carthing-m2-t8112-IOUSB-device-block.txt': {
    parser: parseIoregUsb,
    buses: 2,
    devices: 1,
    problems: [/does not start at the IORegistry root/, /no host controller/],
    expect: [{ name: 'Car Thing', vid: 0x0525, pid: 0xa4a1, vendor: 'Spotify AB', loc: '0x01100000', speed: 'high', bus: '(controller not in capture)', power: { allocatedMa: 250, failedRequest: false } }],
  },
  'ioreg_usb/cynthion-docs-ioreg-b-p-IOUSB-truncated.txt': {
    parser: parseIoregUsb,
    buses: 3,
    devices: 7,
    problems: [/9 line\(s\) cut at terminal width/],
    expect: [
      { name: 'Cynthion Apollo Debugger', loc: '0x00144000', depth: 2, vid: null },
      { name: 'Billboard', loc: '0x01100000', depth: 0 },
    ],
  },
  'ioreg_usb/fusinv-IOUSBDevice1-oldstack.txt': {
    parser: parseIoregUsb,
    buses: 5,
    devices: 5,
    expect: [
      // Old stack: 2 mA units (50 -> 100 mA, 250 -> 500 mA); locationID sign-extended to 64 bits.
      { name: 'Built-in iSight', vid: 0x05ac, pid: 0x8501, kind: 'camera', loc: '0xfd400000', speed: 'high', builtIn: true, power: { requiredMa: 100, availableMa: 500 } },
      { name: 'Flash Disk', vid: 6518, kind: 'storage', loc: '0xfd300000', serial: 'SERIAL-REDACTED' },
      { name: 'Apple Internal Keyboard / Trackpad', kind: 'input', loc: '0x1d200000', power: { requiredMa: 40 } },
    ],
  },
  'ioreg_usb/fusinv-IOUSBDevice2-oldstack.txt': {
    parser: parseIoregUsb,
    buses: 7,
    devices: 7,
    expect: [
      { name: 'Keyboard Hub', kind: 'hub', loc: '0xfa400000', power: { requiredMa: 300, availableMa: 500 } },
      { name: 'Apple Keyboard', parent: 'Keyboard Hub', depth: 1, loc: '0xfa420000', power: { availableMa: 100, requiredMa: 20 } },
      { name: 'LaCie Device', kind: 'storage', loc: '0xfd100000' },
    ],
  },
  'ioreg_usb/m1-ioreg-p-IOUSB-w0-hubs-ds9490.txt': {
    parser: parseIoregUsb,
    buses: 2,
    devices: 3,
    expect: [
      { name: 'USB3.0 Hub', kind: 'hub', loc: '0x01200000', depth: 0 },
      { name: 'USB device (no product name)', loc: '0x01130000', depth: 1, parent: 'USB2.0 Hub' },
    ],
  },
  'ioreg_usb/m1max-macos27-ioreg-p-IOUSB-w0-no-devices.txt': {
    parser: parseIoregUsb,
    buses: 2,
    devices: 0,
  },
  'ioreg_usb/px1-m4-macmini-ioreg-IOUSB-grep-excerpt.txt': {
    parser: parseIoregUsb,
    buses: 2,
    devices: 6,
    problems: [/does not start at the IORegistry root/],
    expect: [
      { name: 'USB3 Gen2 Hub', vid: 0x05ac, pid: 0x800c, loc: '0x02200000', bus: '(controller not in capture)' },
      // "USB Product Name" prints empty for non-ASCII names: the node name is used.
      { name: 'Redmi 电脑音箱', vid: 0x2717, pid: 0x5086, kind: 'audio', vendor: 'MV-SILICON', depth: 1, parent: 'USB 2.0 Hub' },
    ],
  },
};

const FOLDERS = ['spusb_json', 'spusb_text', 'spusb_xml', 'spusbhost', 'ioreg_usb'];
const ALL = FOLDERS.flatMap((f) => listFixtures(f).map((name) => `${f}/${name}`));

const validUsbFacts = validator(UsbFactsSchema);

function entry(facts: UsbFacts, name: string): UsbWalkEntry {
  const found = [...walkUsb(facts)].filter((e) => e.device.name === name);
  expect(found.length, `device "${name}"`).toBeGreaterThan(0);
  return found[0]!;
}

describe('USB parsers on every fixture', () => {
  it('has an expectation for every USB fixture file', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(26);
    expect(ALL.filter((f) => !CASES[f])).toEqual([]);
  });

  it.each(ALL)('%s', (file) => {
    const c = CASES[file]!;
    const r = c.parser(readFixture(file));
    const partial = /partial|truncated|excerpt|pollution|noise|device-block/.test(file);
    if (c.error) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(c.error);
    } else {
      if (!r.ok) throw new Error(`${file}: ${r.error}`);
      expect(validUsbFacts(r.value)).toEqual({ ok: true, value: r.value });
      expect(r.value.buses).toHaveLength(c.buses!);
      expect(countDevices(r.value)).toBe(c.devices);
      for (const d of c.expect ?? []) {
        const e = entry(r.value, d.name);
        const dev = e.device;
        if (d.vid !== undefined) expect(dev.vendorId, `${d.name} vendorId`).toBe(d.vid);
        if (d.pid !== undefined) expect(dev.productId, `${d.name} productId`).toBe(d.pid);
        if (d.loc !== undefined) expect(dev.locationId, `${d.name} locationId`).toBe(d.loc);
        if (d.kind !== undefined) expect(dev.kind, `${d.name} kind`).toBe(d.kind);
        if (d.depth !== undefined) expect(e.depth, `${d.name} depth`).toBe(d.depth);
        if (d.vendor !== undefined) expect(dev.vendorName, `${d.name} vendorName`).toBe(d.vendor);
        if (d.speed !== undefined) expect(dev.speed, `${d.name} speed`).toBe(d.speed);
        if (d.builtIn !== undefined) expect(dev.builtIn, `${d.name} builtIn`).toBe(d.builtIn);
        if (d.serial !== undefined) expect(dev.serialNumber, `${d.name} serial`).toBe(d.serial);
        if (d.parent !== undefined) expect(e.parent?.name ?? null, `${d.name} parent`).toBe(d.parent);
        if (d.bus !== undefined) expect(e.bus.name, `${d.name} bus`).toBe(d.bus);
        if (d.power) expect(dev.power, `${d.name} power`).toMatchObject(d.power);
      }
    }
    if (c.problems) for (const p of c.problems) expect(r.problems.some((x) => p.test(x)), `problem ${p} in ${JSON.stringify(r.problems)}`).toBe(true);
    else expect(r.problems).toEqual([]);
    // A capture named partial/truncated/excerpt must say so.
    if (/partial|truncated|excerpt/.test(file)) expect(r.problems.length).toBeGreaterThan(0);
    if (!partial && !c.error) expect(r.problems).toEqual([]);
  });
});
