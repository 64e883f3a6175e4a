import { parseSpUsbJson, parseSpUsbXml } from '@fleetmedic/macos';
import { readFixture } from '@fleetmedic/macos/testing';
import { DEFAULT_POLICY, type UsbDevice, type UsbFacts } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, okSection, usbDevice, usbHub, usbSection, unavailableSection } from '../testing/snapshots.js';
import { usbPowerInsufficient } from './usb-power-insufficient.js';

const run = (devices: Parameters<typeof usbSection>[0]) => usbPowerInsufficient.evaluate(buildSnapshot({ usb: usbSection(devices) }), DEFAULT_POLICY);
const judge = (usb: UsbFacts) => usbPowerInsufficient.evaluate(buildSnapshot({ usb: okSection(usb, ['system_profiler SPUSBDataType']) }), DEFAULT_POLICY);
const details = (findings: ReturnType<typeof run>) => findings.map((f) => [f.key, f.evidence.map((e) => e.detail)]);

/** A real capture, parsed; throws on a parse failure so a test never passes on nothing. */
function capture(parse: typeof parseSpUsbJson, fixture: string): UsbFacts {
  const r = parse(readFixture(fixture));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The device at `locationId` anywhere in the tree (the facts are a fresh parse, so changing it is local to a test). */
function at(usb: UsbFacts, locationId: string): UsbDevice {
  const stack = usb.buses.flatMap((b) => b.devices as UsbDevice[]);
  for (let d = stack.pop(); d; d = stack.pop()) {
    if (d.locationId === locationId) return d;
    stack.push(...d.children);
  }
  throw new Error(`no device at ${locationId}`);
}

/** M1 Pro + Apple Thunderbolt Display: the display's USB 2.0 hub 0x40100000 holds its camera and Display Audio. */
const TB_DISPLAY = 'spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json';
/** OS X 10.10 XML: the only real failed power request (248 mA asked, 100 mA offered) and a real hub over budget. */
const OLD_STACK = 'spusb_xml/fusinv-SPUSBDataType3-prefixed-keys-reporter60.xml';

describe('usb.power.insufficient: one finding per hub over its budget', () => {
  it('a hub with two media devices is one finding: its budget, then one line per device', () => {
    // The real tree, with one fact changed: the display hub taken as bus-powered (a desk hub, not a monitor's).
    const usb = capture(parseSpUsbJson, TB_DISPLAY);
    at(usb, '0x40100000').selfPowered = false;
    expect(judge(usb)).toEqual([{
      id: 'usb.power.insufficient',
      key: 'usb.power.insufficient:0x40100000',
      severity: 'warning',
      title: 'USB camera or audio device lacks power',
      evidence: [
        {
          section: 'usb',
          detail: 'The bus-powered hub USB hub (0x40100000): its devices require 704 mA plus 100 mA for the hub itself but it can draw only 500 mA from its port.',
          value: { hub: 'USB hub', locationId: '0x40100000', companion: null, companionLocationId: null, budgetMa: 500, childrenRequiredMa: 704, ownMa: 100, selfPowered: false },
        },
        {
          section: 'usb',
          detail: 'FaceTime HD Camera (Display) (0x40150000), a camera: requires 500 mA through this hub. In Zoom the camera can drop out or video cannot start.',
          value: { device: 'FaceTime HD Camera (Display)', kind: 'camera', locationId: '0x40150000', power: at(usb, '0x40150000').power, overPort: false },
        },
        {
          section: 'usb',
          detail: 'Display Audio (0x40140000), an audio device: requires 2 mA through this hub. In Zoom the microphone or headset can cut out.',
          value: { device: 'Display Audio', kind: 'audio', locationId: '0x40140000', power: at(usb, '0x40140000').power, overPort: false },
        },
      ],
      remedy: { summary: 'Give the hub USB hub (0x40100000) its own power supply, or connect FaceTime HD Camera (Display), Display Audio directly to the Mac.' },
    }]);
  });

  it('a webcam over its own port behind an over-budget hub: the hub is the cause, the port shortfall its line', () => {
    const cam = usbDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, locationId: '0x01110000', speed: 'high', power: { availableMa: 100, requiredMa: 500 } });
    const headset = usbDevice({ name: 'Jabra EVOLVE 30', kind: 'audio', vendorId: 0x0b0e, productId: 0x030c, locationId: '0x01120000', speed: 'full', power: { availableMa: 100, requiredMa: 100 } });
    const hub = usbHub([cam, headset], { name: 'USB 2.0 Hub', vendorId: 0x1a40, productId: 0x0101, locationId: '0x01100000', speed: 'high', power: { availableMa: 500, requiredMa: 100 } });
    expect(details(run([hub]))).toEqual([[
      'usb.power.insufficient:0x01100000',
      [
        'The bus-powered hub USB 2.0 Hub (0x01100000): its devices require 600 mA plus 100 mA for the hub itself but it can draw only 500 mA from its port.',
        'HD Pro Webcam C920 (0x01110000), a camera: requires 500 mA but its port offers 100 mA. In Zoom the camera can drop out or video cannot start.',
        'Jabra EVOLVE 30 (0x01120000), an audio device: requires 100 mA through this hub. In Zoom the microphone or headset can cut out.',
      ],
    ]]);
  });

  it('nested over-budget hubs are one cause at the topmost; a self-powered hub ends the chain', () => {
    const webcam = usbDevice({ name: 'C922 Pro Stream Webcam', vendorId: 0x046d, productId: 0x085c, locationId: '0x01111000', speed: 'high', power: { availableMa: 100, requiredMa: 500 } });
    const inner = usbHub([webcam], { name: 'Inner Hub', locationId: '0x01110000', speed: 'high', selfPowered: false, power: { availableMa: 100, requiredMa: 100 } });
    const mic = usbDevice({ name: 'Yeti Stereo Microphone', kind: 'audio', vendorId: 0x046d, productId: 0x0ab7, locationId: '0x01121000', speed: 'full', power: { availableMa: 500, requiredMa: 500 } });
    const powered = usbHub([mic], { name: 'Powered Hub', locationId: '0x01120000', speed: 'high', selfPowered: true, power: { availableMa: 100, requiredMa: 100 } });
    const outer = usbHub([inner, powered], { name: 'Outer Hub', locationId: '0x01100000', speed: 'high', selfPowered: false, power: { availableMa: 500, requiredMa: 100 } });
    const findings = run([outer]);
    expect(details(findings)).toEqual([[
      'usb.power.insufficient:0x01100000',
      [
        'The bus-powered hub Outer Hub (0x01100000): its devices require 700 mA plus 100 mA for the hub itself but it can draw only 500 mA from its port.',
        'Below it, the bus-powered hub Inner Hub (0x01110000): its devices require 500 mA plus 100 mA for the hub itself but it can draw only 100 mA from its port.',
        'C922 Pro Stream Webcam (0x01111000), a camera: requires 500 mA but its port offers 100 mA. In Zoom the camera can drop out or video cannot start.',
      ],
    ]]);
    expect(findings[0]!.remedy.summary).toBe('Give the hub Outer Hub (0x01100000) its own power supply, or connect C922 Pro Stream Webcam directly to the Mac.');
  });

  it('both halves of a USB3 hub are one hub, keyed by its SuperSpeed half', () => {
    const cam = usbDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, locationId: '0x01110000', speed: 'high', power: { availableMa: 500, requiredMa: 500 } });
    const headset = usbDevice({ name: 'Jabra EVOLVE 30', kind: 'audio', vendorId: 0x0b0e, productId: 0x030c, locationId: '0x01120000', speed: 'full', power: { availableMa: 500, requiredMa: 100 } });
    const ssd = usbDevice({ name: 'Extreme SSD', kind: 'storage', vendorId: 0x0781, productId: 0x558c, locationId: '0x01510000', speed: 'super', power: { availableMa: 900, requiredMa: 896 } });
    const usb2 = usbHub([cam, headset], { name: '4-Port USB 2.0 Hub', vendorId: 0x0bda, productId: 0x5411, locationId: '0x01100000', speed: 'high', power: { availableMa: 500, requiredMa: 0 } });
    const usb3 = usbHub([ssd], { name: '4-Port USB 3.0 Hub', vendorId: 0x0bda, productId: 0x0411, locationId: '0x01500000', speed: 'super', power: { availableMa: 900, requiredMa: 0 } });
    const findings = run([usb2, usb3]);
    expect(findings.map((f) => [f.key, f.evidence.length])).toEqual([['usb.power.insufficient:0x01500000', 3]]);
    expect(findings[0]!.evidence[0]!.detail).toBe('The hub (no power supply detected) 4-Port USB 3.0 Hub (0x01500000) with its other half 4-Port USB 2.0 Hub (0x01100000): '
      + 'its devices require 1496 mA but it can draw only 900 mA from its port.');
  });

  it('keys a hub without a location id by its bus and name', () => {
    const cam = usbDevice({ locationId: null, power: { availableMa: 100, requiredMa: 500 } });
    const hub = usbHub([cam], { name: 'USB2.0 Hub ', locationId: null, speed: 'high', selfPowered: false, power: { availableMa: 100, requiredMa: 100 } });
    expect(run([hub]).map((f) => f.key)).toEqual(['usb.power.insufficient:USB31Bus/USB2.0 Hub']);
  });
});

describe('usb.power.insufficient: a device over its own port is its own cause', () => {
  it('the real failed power request (248 mA of 100 mA) behind a bus-powered hub within its budget, on an audio device', () => {
    const usb = capture(parseSpUsbXml, OLD_STACK);
    // No real capture has a camera or audio device over its port: the real one is a Mass Storage Device.
    expect(judge(usb)).toEqual([]);
    at(usb, '0x1d120000').kind = 'audio';
    const findings = judge(usb);
    expect(details(findings)).toEqual([[
      'usb.power.insufficient:0x1d120000',
      ['Mass Storage Device (0x1d120000), an audio device: requires 248 mA but its port offers 100 mA. In Zoom the microphone or headset can cut out.'],
    ]]);
    expect(findings[0]!.remedy).toEqual({ summary: 'Connect Mass Storage Device directly to the Mac or use a powered hub.' });
  });

  it('a camera over its port behind a hub within budget, with the mA figures and a physical fix', () => {
    const cam = usbDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, locationId: '0x14330000', speed: 'high', power: { availableMa: 100, requiredMa: 500 } });
    expect(run([usbHub([cam], { name: '4-Port USB 2.0 Hub', locationId: '0x14300000', power: { availableMa: 500, requiredMa: 0 } })])).toEqual([{
      id: 'usb.power.insufficient',
      key: 'usb.power.insufficient:0x14330000',
      severity: 'warning',
      title: 'USB camera or audio device lacks power',
      evidence: [{
        section: 'usb',
        detail: 'HD Pro Webcam C920 (0x14330000), a camera: requires 500 mA but its port offers 100 mA. In Zoom the camera can drop out or video cannot start.',
        value: { device: 'HD Pro Webcam C920', kind: 'camera', locationId: '0x14330000', power: cam.power, overPort: true },
      }],
      remedy: { summary: 'Connect HD Pro Webcam C920 directly to the Mac or use a powered hub.' },
    }]);
  });

  it('an audio device macOS reports as a failed power request (kUSBFailedRequestedPower)', () => {
    const dac = usbDevice({ name: 'USB Audio', kind: 'audio', locationId: '0x01120000', power: { availableMa: null, requiredMa: null, allocatedMa: 0, failedRequest: true } });
    expect(details(run([dac]))).toEqual([[
      'usb.power.insufficient:0x01120000',
      ['USB Audio (0x01120000), an audio device: macOS reports that its port could not supply the current it requested. In Zoom the microphone or headset can cut out.'],
    ]]);
    const withFigures = run([usbDevice({ power: { availableMa: 900, requiredMa: 896, failedRequest: true } })]);
    expect(withFigures[0]?.evidence[0]?.detail).toBe('LG UltraFine Display Camera (0x02343000), a camera: macOS reports that its port could not supply the current it requested '
      + '(896 mA required, 900 mA available). In Zoom the camera can drop out or video cannot start.');
  });

  it('two cameras over their ports behind a hub within budget are two causes', () => {
    const a = usbDevice({ name: 'HD Pro Webcam C920', locationId: '0x14310000', speed: 'high', power: { availableMa: 100, requiredMa: 200 } });
    const b = usbDevice({ name: 'C922 Pro Stream Webcam', locationId: '0x14320000', speed: 'high', power: { availableMa: 100, requiredMa: 200 } });
    const hub = usbHub([a, b], { name: '4-Port USB 2.0 Hub', locationId: '0x14300000', power: { availableMa: 900, requiredMa: 0 } });
    expect(run([hub]).map((f) => f.key)).toEqual(['usb.power.insufficient:0x14310000', 'usb.power.insufficient:0x14320000']);
  });

  it('keys a device without a location id by its bus and hub path', () => {
    const cam = usbDevice({ locationId: null, power: { availableMa: 100, requiredMa: 500 } });
    expect(run([usbHub([cam], { name: 'USB3.0 Hub             ' })]).map((f) => f.key))
      .toEqual(['usb.power.insufficient:USB31Bus/USB3.0 Hub/LG UltraFine Display Camera']);
  });
});

describe('usb.power.insufficient: nothing to report', () => {
  it('a real hub over its budget with no camera or audio behind it (OS X 10.10 Generic USB Hub, 600 of 500 mA)', () => {
    const usb = capture(parseSpUsbXml, OLD_STACK);
    expect(judge(usb)).toEqual([]);
  });

  it('a display hub (SPUSBDataType reports 500 mA on its ports) with its camera at 500 of 500 mA: self-powered, as recorded', () => {
    expect(judge(capture(parseSpUsbJson, TB_DISPLAY))).toEqual([]);
    const usb = capture(parseSpUsbJson, TB_DISPLAY);
    at(usb, '0x40100000').selfPowered = true;
    expect(judge(usb)).toEqual([]);
  });

  it('a healthy tree, missing figures, or an unavailable section', () => {
    expect(usbPowerInsufficient.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    expect(run([usbDevice({ name: 'FaceTime HD Camera (Built-in)', builtIn: true, power: { availableMa: null, requiredMa: null } })])).toEqual([]);
    const gone = buildSnapshot({ usb: unavailableSection('SPUSBDataType is empty on macOS 26+ and SPUSBHostDataType failed') });
    expect(usbPowerInsufficient.evaluate(gone, DEFAULT_POLICY)).toEqual([]);
  });
});
