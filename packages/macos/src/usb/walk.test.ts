import { describe, expect, it } from 'vitest';
import type { UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { readFixture } from '../testing/fixtures.js';
import { makeBus, makeDevice } from './normalize.js';
import { parseSpUsbJson } from './sp-json.js';
import { parseSpUsbText } from './sp-text.js';
import { parseSpUsbXml } from './sp-xml.js';
import { hubPowerSummary, usb3HubPairs, walkUsb } from './walk.js';

const facts = (r: ReturnType<typeof parseSpUsbJson>): UsbFacts => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const named = (f: UsbFacts, name: string): UsbDevice[] => [...walkUsb(f)].filter((e) => e.device.name === name).map((e) => e.device);

describe('walkUsb', () => {
  it('visits parents before children with depth, parent and bus', () => {
    const f = facts(parseSpUsbJson(readFixture('spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json')));
    const walk = [...walkUsb(f)];
    expect(walk.map((e) => `${e.depth}:${e.device.name}`).slice(1, 4)).toEqual(['0:USB3.1 Hub', '1:USB hub', '2:LG UltraFine Display Camera']);
    const cam = walk.find((e) => e.device.name === 'FaceTime HD Camera (Display)')!;
    expect(cam.parent?.locationId).toBe('0x40100000');
    expect(cam.bus.controller).toBe('AppleUSBEHCIPI7C9X440SL');
  });
});

describe('USB3 hub halves', () => {
  it('pairs the USB2 and USB3 halves of the LG UltraFine hub, and their inner hubs', () => {
    const f = facts(parseSpUsbJson(readFixture('spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json')));
    expect(usb3HubPairs(f).map((p) => [p.usb2.locationId, p.usb3.locationId])).toEqual([
      ['0x03100000', '0x03500000'],
      ['0x03140000', '0x03540000'],
    ]);
    const [usb2] = named(f, 'USB2.1 Hub');
    const merged = hubPowerSummary(usb2!, f);
    expect(merged.companion?.name).toBe('USB3.1 Hub');
    // A display's hub (LG UltraFine Display Camera below it): mains powered, no bus budget. The inner
    // display hubs are self-powered too, so only the Magic Keyboard's 500 mA is drawn through.
    expect(merged).toMatchObject({ childrenRequiredMa: 500, selfPowered: true, budgetMa: null, overBudget: false });
  });

  it('judges one physical hub against its USB3 port, counting both halves', () => {
    const cam = makeDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, speed: 'high', power: { availableMa: 500, requiredMa: 500 } });
    const ssd = makeDevice({ name: 'Extreme SSD', vendorId: 0x0781, productId: 0x558c, speed: 'super', power: { availableMa: 900, requiredMa: 896 } });
    const usb2 = makeDevice({ name: '4-Port USB 2.0 Hub', vendorId: 0x0bda, productId: 0x5411, speed: 'high', power: { availableMa: 500, requiredMa: 0 }, children: [cam] });
    const usb3 = makeDevice({ name: '4-Port USB 3.0 Hub', vendorId: 0x0bda, productId: 0x0411, speed: 'super', power: { availableMa: 900, requiredMa: 0 }, children: [ssd] });
    const f: UsbFacts = { source: 'SPUSBDataType', buses: [makeBus('USB31Bus', 'AppleT8103USBXHCI', '0x01000000', [usb2, usb3])] };
    // Each half alone looks fine (500 <= 500, 896 <= 900) ...
    expect(hubPowerSummary(usb2).overBudget).toBe(false);
    expect(hubPowerSummary(usb3).overBudget).toBe(false);
    // ... but the one hub draws 1396 mA through a 900 mA port.
    expect(hubPowerSummary(usb2, f)).toEqual({ budgetMa: 900, childrenRequiredMa: 1396, selfPowered: null, overBudget: true, companion: usb3 });
    expect(hubPowerSummary(usb3, f)).toMatchObject({ budgetMa: 900, childrenRequiredMa: 1396, overBudget: true, companion: usb2 });
    expect([...walkUsb(f)].map((e) => e.companion?.name ?? null)).toEqual(['4-Port USB 3.0 Hub', null, '4-Port USB 2.0 Hub', null]);
  });

  it('pairs halves on different controllers (T2 Mac) but not unrelated hubs', () => {
    const f = facts(parseSpUsbJson(readFixture('spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json')));
    const pairs = usb3HubPairs(f).map((p) => `${p.usb2.name}@${p.usb2.locationId}+${p.usb3.name}@${p.usb3.locationId}`);
    expect(pairs).toContain('4-Port USB 2.0 Hub@0x14300000+4-Port USB 3.0 Hub@0x00100000');
    expect(pairs).toContain('USB2.1 Hub@0x02200000+USB3.1 Hub@0x02300000');
    expect(pairs).toContain('USB2.0 Hub@0x02230000+USB3.0 Hub@0x02330000');
    expect(pairs).toHaveLength(5);
  });

  it('does not pair across vendors', () => {
    const f = facts(parseSpUsbJson(readFixture('spusb_json/mudita-m1pro-t6000-msc-lgmonitor-polish-size.json')));
    expect(usb3HubPairs(f)).toEqual([]);
  });
});

describe('hubPowerSummary', () => {
  it('flags the bus-powered keyboard hub whose port cannot give a device 248 mA (OS X 10.10 XML)', () => {
    const f = facts(parseSpUsbXml(readFixture('spusb_xml/fusinv-SPUSBDataType3-prefixed-keys-reporter60.xml')));
    const [hub] = named(f, 'Hub in Apple Extended USB Keyboard');
    const s = hubPowerSummary(hub!, f);
    expect(s).toMatchObject({ selfPowered: false, budgetMa: 500, childrenRequiredMa: 398 });
    expect(hub!.children.find((c) => c.name === 'Mass Storage Device')!.power.failedRequest).toBe(true);
  });

  it('treats built-in hubs as self-powered', () => {
    const f = facts(parseSpUsbText(readFixture('spusb_text/intel-mbp2012-ehci-facetime-hs.txt')));
    const s = hubPowerSummary(f.buses[0]!.devices[0] as unknown as UsbDevice, f);
    expect(s).toEqual({ budgetMa: null, childrenRequiredMa: 500, selfPowered: true, overBudget: false, companion: null });
  });

  it('flags a webcam and headset behind a bus-powered hub that needs more than its port gives', () => {
    const cam = makeDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, power: { availableMa: 100, requiredMa: 500 } });
    const headset = makeDevice({ name: 'Jabra EVOLVE 30', vendorId: 0x0b0e, productId: 0x030c, power: { availableMa: 100, requiredMa: 100 } });
    const hub = makeDevice({ name: 'USB 2.0 Hub', vendorId: 0x1a40, productId: 0x0101, power: { availableMa: 500, requiredMa: 100 }, children: [cam, headset] });
    const f: UsbFacts = { source: 'SPUSBDataType', buses: [makeBus('USB31Bus', 'AppleT8103USBXHCI', '0x01000000', [hub])] };
    expect(cam.kind).toBe('camera');
    expect(headset.kind).toBe('audio');
    expect(cam.power.failedRequest).toBe(true);
    expect(hubPowerSummary(hub, f)).toEqual({ budgetMa: 500, childrenRequiredMa: 600, selfPowered: false, overBudget: true, companion: null });
  });
});
