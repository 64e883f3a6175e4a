import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, unavailableSection, usbDevice, usbHub, usbSection } from '../testing/snapshots.js';
import { usbBandwidthShared } from './usb-bandwidth-shared.js';

const run = (devices: Parameters<typeof usbSection>[0]) => usbBandwidthShared.evaluate(buildSnapshot({ usb: usbSection(devices) }), DEFAULT_POLICY);
/** The Apple Thunderbolt Display's USB 2.0 hub with its camera and audio, as the real M1 Pro capture lists them. */
const displayCamera = usbDevice({ name: 'FaceTime HD Camera (Display)', vendorId: 0x05ac, productId: 0x1112, locationId: '0x40150000', speed: 'high' });
const displayAudio = usbDevice({ name: 'Display Audio', kind: 'audio', vendorId: 0x05ac, productId: 0x1107, locationId: '0x40140000', speed: 'full' });
const usb2Hub = (children: Parameters<typeof usbHub>[0], over: Parameters<typeof usbHub>[1] = {}) =>
  usbHub(children, { name: 'USB hub', vendorId: 0x05ac, productId: 0x9127, locationId: '0x40100000', speed: 'high', ...over });

describe('usb.bandwidth.shared', () => {
  it('warns when a camera and an audio device share one USB 2.0 hub, naming the hub and both devices', () => {
    expect(run([usb2Hub([displayCamera, displayAudio])])).toEqual([{
      id: 'usb.bandwidth.shared',
      key: 'usb.bandwidth.shared:0x40100000',
      severity: 'warning',
      title: 'Cameras or audio devices share one USB 2.0 hub',
      evidence: [{
        section: 'usb',
        detail: 'FaceTime HD Camera (Display) (0x40150000) (camera, high speed) and Display Audio (0x40140000) (audio, full speed)'
          + ' share the USB 2.0 hub USB hub (0x40100000): one 480 Mb/s link for all of them.',
        value: {
          hub: 'USB hub', locationId: '0x40100000',
          devices: [
            { name: 'FaceTime HD Camera (Display)', kind: 'camera', locationId: '0x40150000', speed: 'high' },
            { name: 'Display Audio', kind: 'audio', locationId: '0x40140000', speed: 'full' },
          ],
        },
      }],
      remedy: { summary: 'Connect Display Audio to another port of the Mac or a USB 3 hub, away from FaceTime HD Camera (Display).' },
    }]);
  });

  it('reports nested USB 2.0 hubs once, at the topmost hub, with every camera below it', () => {
    const inner = usb2Hub([displayCamera], { name: 'Inner Hub', locationId: '0x40110000' });
    const webcam = usbDevice({ name: 'C922 Pro Stream Webcam', vendorId: 0x046d, productId: 0x085c, locationId: '0x40120000', speed: 'high' });
    const findings = run([usb2Hub([inner, webcam])]);
    expect(findings.map((f) => f.key)).toEqual(['usb.bandwidth.shared:0x40100000']);
    expect(findings[0]!.evidence[0]!.value).toMatchObject({ devices: [{ name: 'FaceTime HD Camera (Display)' }, { name: 'C922 Pro Stream Webcam' }] });
  });

  it('raises nothing for one media device per USB 2.0 hub, media on a USB 3 (super speed) hub, or no USB section', () => {
    expect(run([usb2Hub([displayCamera, usbDevice({ name: 'PenDrive', kind: 'storage', locationId: '0x40120000' })])])).toEqual([]);
    expect(run([usbHub([displayCamera, displayAudio], { speed: 'super' })])).toEqual([]);
    expect(run([displayCamera, displayAudio])).toEqual([]);
    expect(usbBandwidthShared.evaluate(buildSnapshot({ usb: unavailableSection('system_profiler failed') }), DEFAULT_POLICY)).toEqual([]);
  });
});
