import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { CannotJudge } from '../rule.js';
import { buildSnapshot, devicesSection, LG_CAMERA, osSection, softwareUpdateSection, usbDevice, usbHub, usbSection } from '../testing/snapshots.js';
import { devicesCameraNone } from './devices-camera-none.js';
import { devicesCameraUnlisted } from './devices-camera-unlisted.js';
import { devicesMicrophoneNone } from './devices-microphone-none.js';
import { macosUpdatePending } from './macos-update-pending.js';

const judge = (rule: { evaluate: typeof devicesCameraNone.evaluate }, sections: Parameters<typeof buildSnapshot>[0]) => rule.evaluate(buildSnapshot(sections), DEFAULT_POLICY);

describe('devices.camera.none', () => {
  it('is silent on a Mac with cameras', () => expect(judge(devicesCameraNone, {})).toEqual([]));
  it('raises a critical finding when the camera list is empty', () => {
    expect(judge(devicesCameraNone, { devices: devicesSection({ cameras: [] }) })).toEqual([expect.objectContaining({
      id: 'devices.camera.none', key: 'devices.camera.none:system', severity: 'critical',
      evidence: [{ section: 'devices', detail: 'system_profiler SPCameraDataType lists no camera.', value: { cameras: [] } }],
    })]);
  });
  it('cannot judge an unread camera list (null is never "no camera")', () => {
    expect(() => judge(devicesCameraNone, { devices: devicesSection({ cameras: null }) })).toThrow(CannotJudge);
  });
});

describe('devices.microphone.none', () => {
  it('is silent with a built-in microphone', () => expect(judge(devicesMicrophoneNone, {})).toEqual([]));
  it('counts a virtual input as no microphone, and names it', () => {
    const teams = { name: 'Microsoft Teams Audio', inputChannels: 1, outputChannels: 1, transport: 'virtual', manufacturer: 'Microsoft Corp.', defaultInput: true, defaultOutput: false };
    const [f] = judge(devicesMicrophoneNone, { devices: devicesSection({ audio: [teams], defaultInput: teams.name }) });
    expect(f).toMatchObject({ id: 'devices.microphone.none', severity: 'critical', key: 'devices.microphone.none:system' });
    expect(f!.evidence[0]!.detail).toBe('system_profiler SPAudioDataType lists no microphone (only the virtual input Microsoft Teams Audio); audio devices: Microsoft Teams Audio.');
  });
  it('cannot judge an unread audio list', () => {
    expect(() => judge(devicesMicrophoneNone, { devices: devicesSection({ audio: null }) })).toThrow(CannotJudge);
  });
});

describe('devices.camera.unlisted', () => {
  it('is silent when every USB camera is listed (joined by ids and location, not name)', () => {
    expect(judge(devicesCameraUnlisted, { devices: devicesSection({ cameras: [{ ...LG_CAMERA, name: 'Caméra LG' }] }) })).toEqual([]);
  });
  it('names the unlisted camera, the hub above it and the hub\'s power budget', () => {
    const cam = usbDevice({ name: 'C922 Pro Stream Webcam', vendorId: 0x046d, productId: 0x085c, locationId: '0x01120000', speed: 'high', power: { availableMa: 100, requiredMa: 500 } });
    const hub = usbHub([cam], { name: 'USB2.0 Hub', locationId: '0x01100000', speed: 'high', selfPowered: false, power: { availableMa: 500, requiredMa: 100 } });
    const findings = judge(devicesCameraUnlisted, { usb: usbSection([hub]), devices: devicesSection() });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'devices.camera.unlisted', key: 'devices.camera.unlisted:0x01120000', severity: 'warning' });
    expect(findings[0]!.evidence[0]!.detail).toBe('C922 Pro Stream Webcam (USB 046d:085c at 0x01120000, high speed, requires 500 mA of 100 mA available) is in the USB tree '
      + 'behind the hub USB2.0 Hub (0x01100000), high speed, bus-powered, budget 500 mA, its devices require 500 mA.');
    expect(findings[0]!.evidence[1]!.detail).toBe('macOS lists these cameras, none of them this device: MacBook Pro Camera, LG UltraFine Display Camera.');
    expect(findings[0]!.evidence[0]!.value).toMatchObject({ hub: 'USB2.0 Hub', budgetMa: 500, selfPowered: false });
  });
  it('cannot judge without a camera list', () => {
    expect(() => judge(devicesCameraUnlisted, { devices: devicesSection({ cameras: null }) })).toThrow(CannotJudge);
  });
});

describe('macos.update-pending', () => {
  const tahoe267 = { label: 'macOS Tahoe 26.7-25G229', title: 'macOS Tahoe 26.7', version: '26.7', sizeKiB: 2960352, recommended: true, restartRequired: true };
  const macos27 = { label: 'macOS 27-26A428', title: 'macOS 27', version: '27', sizeKiB: 11727573, recommended: true, restartRequired: true };
  it('raises an info finding for a recommended update of the installed major release', () => {
    const [f] = judge(macosUpdatePending, { os: osSection('26.5.1', '25F80'), softwareUpdate: softwareUpdateSection({ updates: [tahoe267, macos27] }) });
    expect(f).toMatchObject({ id: 'macos.update-pending', severity: 'info', key: 'macos.update-pending:system' });
    expect(f!.evidence[0]!.detail).toBe('macOS 26.5.1 is installed; softwareupdate offers macOS Tahoe 26.7 (macOS Tahoe 26.7-25G229, restart required) (list of 2024-06-04T08:30:00.000Z).');
  });
  it('does not count an upgrade to the next major release', () => {
    expect(judge(macosUpdatePending, { os: osSection('26.7', '25G229'), softwareUpdate: softwareUpdateSection({ updates: [macos27] }) })).toEqual([]);
  });
  it('cannot judge an unread list', () => {
    expect(() => judge(macosUpdatePending, { softwareUpdate: softwareUpdateSection({ updates: null }) })).toThrow(CannotJudge);
  });
});
