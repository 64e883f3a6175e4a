import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, usbDevice, usbHub, usbSection, unavailableSection } from '../testing/snapshots.js';
import { usbPowerInsufficient } from './usb-power-insufficient.js';

const run = (devices: Parameters<typeof usbSection>[0]) => usbPowerInsufficient.evaluate(buildSnapshot({ usb: usbSection(devices) }), DEFAULT_POLICY);

describe('usb.power.insufficient', () => {
  it('finds a camera that requires more than its port offers, with the mA figures and a physical fix', () => {
    const cam = usbDevice({ name: 'HD Pro Webcam C920', vendorId: 0x046d, productId: 0x082d, locationId: '0x14330000', speed: 'high', power: { availableMa: 100, requiredMa: 500 } });
    expect(run([usbHub([cam], { name: '4-Port USB 2.0 Hub', locationId: '0x14300000', power: { availableMa: 500, requiredMa: 0 } })])).toEqual([{
      id: 'usb.power.insufficient',
      key: 'usb.power.insufficient:0x14330000',
      severity: 'warning',
      title: 'USB camera or audio device lacks power',
      evidence: [{
        section: 'usb',
        detail: 'HD Pro Webcam C920 (0x14330000) requires 500 mA but its port offers 100 mA.',
        value: { device: 'HD Pro Webcam C920', locationId: '0x14330000', power: cam.power },
      }],
      remedy: { summary: 'Connect HD Pro Webcam C920 directly to the Mac or use a powered hub.' },
    }]);
  });

  it('finds an audio device macOS reports as a failed power request (kUSBFailedRequestedPower)', () => {
    const dac = usbDevice({ name: 'USB Audio', kind: 'audio', locationId: '0x01120000', power: { availableMa: null, requiredMa: null, allocatedMa: 0, failedRequest: true } });
    const findings = run([dac]);
    expect(findings.map((f) => [f.key, f.evidence.map((e) => e.detail)])).toEqual([[
      'usb.power.insufficient:0x01120000', ['macOS reports that the port could not supply the current USB Audio (0x01120000) requested.'],
    ]]);
    const withFigures = run([usbDevice({ power: { availableMa: 900, requiredMa: 896, failedRequest: true } })]);
    expect(withFigures[0]?.evidence[0]?.detail).toBe(
      'macOS reports that the port could not supply the current LG UltraFine Display Camera (0x02343000) requested (896 mA required, 900 mA available).',
    );
  });

  it('finds a camera behind a bus-powered hub whose devices need more than it can pass on', () => {
    const cam = usbDevice({ name: 'FaceTime HD Camera (Display)', locationId: '0x40150000', power: { availableMa: 500, requiredMa: 500 } });
    const drive = usbDevice({ name: 'PenDrive', kind: 'storage', locationId: '0x40120000', power: { availableMa: 500, requiredMa: 200 } });
    const hub = usbHub([cam, drive], { name: 'hub_device', locationId: '0x40100000', selfPowered: false, power: { availableMa: 500, requiredMa: 100 } });
    const findings = run([hub]);
    expect(findings.map((f) => [f.key, f.evidence.map((e) => e.detail)])).toEqual([[
      'usb.power.insufficient:0x40150000',
      ['FaceTime HD Camera (Display) (0x40150000) is behind the bus-powered hub hub_device (0x40100000), whose devices require 700 mA '
        + 'plus 100 mA for the hub itself but it can draw only 500 mA from its port.'],
    ]]);
  });

  it('infers a bus-powered hub from ports offering one unit load (100 mA) and judges its budget', () => {
    const port = { availableMa: 100, requiredMa: 100 };
    const children = [
      usbDevice({ name: 'USB Audio', kind: 'audio', speed: 'full', locationId: '0x14110000', power: port }),
      usbDevice({ name: 'Keyboard', kind: 'input', speed: 'low', locationId: '0x14120000', power: port }),
      usbDevice({ name: 'Mouse', kind: 'input', speed: 'low', locationId: '0x14130000', power: port }),
      usbDevice({ name: 'Flash Disk', kind: 'storage', speed: 'high', locationId: '0x14140000', power: port }),
    ];
    const hub = usbHub(children, { name: 'USB2.0 Hub', speed: 'high', locationId: '0x14100000', selfPowered: null, power: { availableMa: 500, requiredMa: 200 } });
    expect(run([hub]).map((f) => [f.key, f.evidence.map((e) => e.detail)])).toEqual([[
      'usb.power.insufficient:0x14110000',
      ['USB Audio (0x14110000) is behind the bus-powered hub USB2.0 Hub (0x14100000), whose devices require 400 mA '
        + 'plus 200 mA for the hub itself but it can draw only 500 mA from its port.'],
    ]]);
  });

  it('does not sum a hub of unknown or self power source (SPUSBDataType reports 500 mA on every port of a display hub)', () => {
    // Apple Thunderbolt Display as recorded on an M1 Pro: hub 500/100, camera 500, PenDrive 200, audio and controls 2 mA.
    const children = [
      usbDevice({ name: 'Apple Thunderbolt Display', kind: 'other', locationId: '0x40170000', power: { availableMa: 500, requiredMa: 2 } }),
      usbDevice({ name: 'FaceTime HD Camera (Display)', locationId: '0x40150000', power: { availableMa: 500, requiredMa: 500 } }),
      usbDevice({ name: 'Display Audio', kind: 'audio', locationId: '0x40140000', power: { availableMa: 500, requiredMa: 2 } }),
      usbDevice({ name: 'PenDrive', kind: 'storage', locationId: '0x40120000', power: { availableMa: 500, requiredMa: 200 } }),
    ];
    expect(run([usbHub(children, { name: 'hub_device', locationId: '0x40100000', selfPowered: null, power: { availableMa: 500, requiredMa: 100 } })])).toEqual([]);
    expect(run([usbHub(children, { name: 'hub_device', locationId: '0x40100000', selfPowered: true, power: { availableMa: 500, requiredMa: 100 } })])).toEqual([]);
  });

  it('combines reasons for one device into one finding, and judges only cameras and audio', () => {
    const cam = usbDevice({ locationId: '0x01110000', power: { availableMa: 100, requiredMa: 500 } });
    const storage = usbDevice({ name: 'Extreme SSD', kind: 'storage', locationId: '0x01120000', power: { availableMa: 100, requiredMa: 896 } });
    const hub = usbHub([cam, storage], { locationId: '0x01100000', selfPowered: false, power: { availableMa: 900, requiredMa: 0 } });
    const findings = run([hub]);
    expect(findings.map((f) => [f.key, f.evidence.length])).toEqual([['usb.power.insufficient:0x01110000', 2]]);
  });

  it('keys a device without a location id by its bus and hub path', () => {
    const cam = usbDevice({ locationId: null, power: { availableMa: 100, requiredMa: 500 } });
    expect(run([usbHub([cam], { name: 'USB3.0 Hub             ' })]).map((f) => f.key))
      .toEqual(['usb.power.insufficient:USB31Bus/USB3.0 Hub/LG UltraFine Display Camera']);
  });

  it('finds nothing on a healthy tree, with missing figures, or when the section is unavailable', () => {
    expect(usbPowerInsufficient.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    expect(run([usbDevice({ name: 'FaceTime HD Camera (Built-in)', builtIn: true, power: { availableMa: null, requiredMa: null } })])).toEqual([]);
    const gone = buildSnapshot({ usb: unavailableSection('SPUSBDataType is empty on macOS 26+ and SPUSBHostDataType failed') });
    expect(usbPowerInsufficient.evaluate(gone, DEFAULT_POLICY)).toEqual([]);
  });
});
