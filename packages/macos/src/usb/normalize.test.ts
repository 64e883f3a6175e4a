import { describe, expect, it } from 'vitest';
import { classifyKind, normaliseName, normaliseSpeed, parentLocationId, parseLocationId, parseMa, parseVendorId } from './normalize.js';

describe('USB value normalisation', () => {
  it('reads vendor ids with and without names', () => {
    expect(parseVendorId('0x0bda  (Realtek Semiconductor Corp.)')).toEqual({ id: 0x0bda, name: 'Realtek Semiconductor Corp.' });
    expect(parseVendorId('0x05ac (Apple Inc.)')).toEqual({ id: 0x05ac, name: 'Apple Inc.' });
    expect(parseVendorId('apple_vendor_id')).toEqual({ id: 0x05ac, name: 'Apple Inc.' });
    expect(parseVendorId('0x1d50')).toEqual({ id: 0x1d50, name: null });
    expect(parseVendorId('vendor?')).toEqual({ id: null, name: null });
  });

  it('reads current in mA from strings, W (mA) pairs and decimal commas', () => {
    expect(parseMa('500')).toBe(500);
    expect(parseMa('4.48 W (896 mA)')).toBe(896);
    expect(parseMa('0,52 W (104 mA)')).toBe(104);
    expect(parseMa('2.5 W')).toBe(500);
    expect(parseMa('n/a')).toBeNull();
  });

  it('normalises location ids from every source', () => {
    expect(parseLocationId('0x14330000 / 6')).toBe('0x14330000');
    expect(parseLocationId('0xfd400000')).toBe('0xfd400000');
    expect(parseLocationId('17825792')).toBe('0x01100000');
    expect(parseLocationId('18446744073663414272')).toBe('0xfd400000'); // old stack, sign-extended
    expect(parseLocationId('garbage')).toBeNull();
    expect(parentLocationId('0x14313000')).toBe('0x14310000');
    expect(parentLocationId('0x14300000')).toBe('0x14000000');
    expect(parentLocationId('0x14000000')).toBeNull();
  });

  it('maps every speed spelling to one token', () => {
    expect(normaliseSpeed('full_speed')).toBe('full');
    expect(normaliseSpeed('super_speed_plus')).toBe('super-plus');
    expect(normaliseSpeed('Up to 480 Mb/sec')).toBe('high');
    expect(normaliseSpeed('Up to 1.5 Mb/s')).toBe('low');
    expect(normaliseSpeed('Up to 10 Gb/s')).toBe('super-plus');
    expect(normaliseSpeed('up_to_480_Mb_per_sec')).toBe('high');
    expect(normaliseSpeed('5 Gb/s')).toBe('super');
    expect(normaliseSpeed(480_000_000)).toBe('high');
    expect(normaliseSpeed('40 Gb/s')).toBe('40 Gb/s');
  });

  it('trims names and names the untranslated hub key', () => {
    expect(normaliseName('USB3.0 Hub             ')).toBe('USB3.0 Hub');
    expect(normaliseName('hub_device')).toBe('USB hub');
    expect(normaliseName('IOUSBHostDevice')).toBe('USB device (no product name)');
  });

  it('classifies conferencing devices by name, VID:PID, vendor and class', () => {
    expect(classifyKind('HD Pro Webcam C920', 0x046d, 0x082d)).toBe('camera');
    expect(classifyKind('Logitech BRIO', 0x046d, 0x085e)).toBe('camera');
    expect(classifyKind('Some Device', 0x046d, 0x085e)).toBe('camera');
    expect(classifyKind('Jabra Link 380', 0x0b0e, 0x2456)).toBe('audio');
    expect(classifyKind('Yeti Stereo Microphone', 0xb58e, 0x9e84)).toBe('audio');
    expect(classifyKind('Device', 0x1234, 0x1, { interfaceClasses: [14] })).toBe('camera');
    expect(classifyKind('Device', 0x1234, 0x1, { deviceClass: 9 })).toBe('hub');
    expect(classifyKind('Card', 0x1234, 0x1, { storage: true })).toBe('storage');
    expect(classifyKind('Gadget', 0x1234, 0x1)).toBe('other');
  });
});
