import type { UsbFacts } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { parseSpCameraJson, parseSpCameraText } from '../sp_camera/parse.js';
import { readExtraCapture, readFixture } from '../testing/fixtures.js';
import { joinCamerasWithUsb } from './camera-join.js';
import { parseSpUsbJson } from './sp-json.js';
import { parseSpUsbText } from './sp-text.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
/** An Intel MacBook Pro with T2 (cyme capture) and the camera list of a MacBookPro15,1 (T2): same built-in camera hardware. */
const t2Usb = () => ok(parseSpUsbJson(readFixture('spusb_json/cyme-intel-t2-mbp-lg-ultrafine.json')));
const t2Cameras = () => ok(parseSpCameraText(readFixture('camera/SPCameraDataType-text-mbp15,1-facetime-builtin.txt')));
const summary = (j: ReturnType<typeof joinCamerasWithUsb>) => ({
  matched: j.matched.map((m) => [m.camera.name, m.usb.device.name, m.usb.device.locationId]),
  usbOnly: j.usbOnly.map((e) => [e.device.name, e.device.locationId, e.parent?.name ?? null]),
  cameraOnly: j.cameraOnly.map((c) => c.name),
});

describe('joinCamerasWithUsb on real captures', () => {
  it('T2 MacBook Pro: the built-in camera joins by 05ac:8514 at 0x80200000; the LG UltraFine camera is a USB camera macOS does not list', () => {
    expect(summary(joinCamerasWithUsb(t2Usb(), t2Cameras()))).toEqual({
      matched: [['FaceTime HD Camera (Built-in)', 'FaceTime HD Camera (Built-in)', '0x80200000']],
      usbOnly: [['LG UltraFine Display Camera', '0x02343000', 'USB hub']],
      cameraOnly: [],
    });
  });

  it('a 2012 MacBook Pro tree against another Intel Mac\'s camera list: different ids, nothing joins', () => {
    const usb = ok(parseSpUsbText(readFixture('spusb_text/intel-mbp2012-ehci-facetime-hs.txt')));
    const cameras = ok(parseSpCameraJson(readExtraCapture('SPCameraDataType-json-facetime-builtin-intel-docstring.json')));
    expect(summary(joinCamerasWithUsb(usb, cameras))).toEqual({
      matched: [],
      usbOnly: [['FaceTime HD Camera (Built-in)', '0x1a110000', 'Hub']],
      cameraOnly: ['FaceTime HD Camera (Built-in)'],
    });
  });

  it('Apple silicon, virtual and Continuity cameras have no USB ids and never join', () => {
    const cameras = ok(parseSpCameraJson(readExtraCapture('SPCameraDataType-json-apple-silicon-obs-continuity.json')));
    expect(summary(joinCamerasWithUsb({ source: 'SPUSBDataType', buses: [] }, cameras)).cameraOnly).toHaveLength(3);
  });
});

describe('joinCamerasWithUsb keys', () => {
  it('never joins by name: a renamed USB device still joins, a same-named camera elsewhere does not', () => {
    const usb: UsbFacts = JSON.parse(JSON.stringify(t2Usb()).replace('"FaceTime HD Camera (Built-in)"', '"USB Device"'));
    expect(summary(joinCamerasWithUsb(usb, t2Cameras())).matched).toEqual([['FaceTime HD Camera (Built-in)', 'USB Device', '0x80200000']]);
    const moved = t2Cameras().map((c) => ({ ...c, locationId: '0x80300000' }));
    expect(summary(joinCamerasWithUsb(t2Usb(), moved))).toMatchObject({ matched: [], cameraOnly: ['FaceTime HD Camera (Built-in)'] });
  });

  it('without a location id, joins only when one USB device has the ids', () => {
    const noLocation = t2Cameras().map((c) => ({ ...c, uniqueId: null, locationId: null }));
    expect(summary(joinCamerasWithUsb(t2Usb(), noLocation)).matched).toHaveLength(1);
    const twice = JSON.parse(JSON.stringify(t2Usb())) as UsbFacts;
    twice.buses.push(JSON.parse(JSON.stringify(twice.buses.find((b) => b.devices.some((d) => d.productId === 0x8514)))));
    expect(summary(joinCamerasWithUsb(twice, noLocation)).matched).toHaveLength(0);
  });
});
