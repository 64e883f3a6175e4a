import { describe, expect, it } from 'vitest';
import { DemoMacsError, selectDemoMacs } from '../scripts/demo-macs.js';

const RECORDED = ['mbp-ok', 'mbp-camera-denied', 'mini-usb'];

describe('selectDemoMacs (FLEETMEDIC_DEMO_MACS)', () => {
  it('runs every recorded Mac when unset or empty, the named ones otherwise', () => {
    expect(selectDemoMacs(undefined, RECORDED)).toEqual(RECORDED);
    expect(selectDemoMacs('', RECORDED)).toEqual(RECORDED);
    expect(selectDemoMacs(' mini-usb , mbp-ok', RECORDED)).toEqual(['mini-usb', 'mbp-ok']);
  });

  // Found: "mbp-ok,mbp-ok" started two agents on one state folder and one device, and the demo
  // printed "1/2 Macs reported" forever.
  it('refuses a repeated name, naming it', () => {
    expect(() => selectDemoMacs('mbp-ok,mini-usb, mbp-ok', RECORDED)).toThrow(DemoMacsError);
    expect(() => selectDemoMacs('mbp-ok,mini-usb, mbp-ok', RECORDED)).toThrow('FLEETMEDIC_DEMO_MACS: repeated: mbp-ok');
  });

  // Found: "," silently ran all the Macs.
  it('refuses a value of only commas', () => {
    expect(() => selectDemoMacs(',', RECORDED)).toThrow('FLEETMEDIC_DEMO_MACS="," names no Mac');
    expect(() => selectDemoMacs(' , ,', RECORDED)).toThrow(DemoMacsError);
  });

  it('refuses an unknown name, listing the recorded ones', () => {
    expect(() => selectDemoMacs('mbp-ok,imac', RECORDED)).toThrow('not recorded Macs: imac (choose from: mbp-ok, mbp-camera-denied, mini-usb)');
  });
});
