import type { Camera } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, listFixtures, readExtraCapture, readFixture } from '../testing/fixtures.js';
import { parseSpCameraJson, parseSpCameraText } from './parse.js';

const none = { vendorId: null, productId: null, locationId: null };

/** Text captures (shared fixtures camera/ and extra-captures) with every camera they list. */
const TEXT: Record<string, { cameras: Camera[]; problems: RegExp[] }> = {
  'camera/SPCameraDataType-text-mbp15,1-facetime-builtin.txt': {
    cameras: [{ name: 'FaceTime HD Camera (Built-in)', modelId: 'UVC Camera VendorID_1452 ProductID_34068', uniqueId: '0x8020000005ac8514', vendorId: 0x05ac, productId: 0x8514, locationId: '0x80200000' }],
    problems: [/skipped 1 line\(s\) that are neither a header nor "Key: value"/],
  },
  'camera/SPCameraDataType-text-usb-uvc-svbony.txt': {
    cameras: [{ name: 'SVBONY SV205', modelId: 'UVC Camera VendorID_3034 ProductID_22656', uniqueId: '0x1124300bda5880', vendorId: 0x0bda, productId: 0x5880, locationId: '0x00112430' }],
    problems: [],
  },
  'extra:SPCameraDataType-text-global-shutter-brio501.txt': {
    cameras: [
      { name: 'Global Shutter Camera', modelId: 'UVC Camera VendorID_13028 ProductID_5553', uniqueId: '0x211411132e415b1', vendorId: 0x32e4, productId: 0x15b1, locationId: '0x02114111' },
      { name: 'Brio 501', modelId: 'UVC Camera VendorID_1133 ProductID_2374', uniqueId: '0x1100000046d0946', vendorId: 0x046d, productId: 0x0946, locationId: '0x01100000' },
    ],
    problems: [],
  },
};

const JSON_CAPTURES: Record<string, Camera[]> = {
  'SPCameraDataType-json-apple-silicon-obs-continuity.json': [
    { name: 'MacBook Pro Camera', modelId: 'MacBook Pro Camera', uniqueId: '6C707041-05AC-0010-0006-000000000001', ...none },
    { name: 'OBS Virtual Camera', modelId: 'OBS Camera Extension', uniqueId: '7626645E-4425-469E-9D8B-97E0FA59AC75', ...none },
    { name: 'Harry’s iPhone (2) Camera', modelId: 'iPhone14,4', uniqueId: 'E46361EB-14D9-4A38-A639-3C2F00000001', ...none },
  ],
  'SPCameraDataType-json-facetime-builtin-intel-docstring.json': [
    { name: 'FaceTime HD Camera (Built-in)', modelId: 'UVC Camera VendorID_1452 ProductID_34304', uniqueId: '0x1420000005ac8600', vendorId: 0x05ac, productId: 0x8600, locationId: '0x14200000' },
  ],
  'SPCameraDataType-json-fr-macbookpro-continuity-no-unique-id.json': [
    { name: 'Caméra MacBook Pro', modelId: 'Caméra MacBook Pro', uniqueId: null, ...none },
    { name: 'Caméra de « iPhone de Baptiste »', modelId: 'iPhone18,3', uniqueId: null, ...none },
  ],
  'system_profiler-json-otmkit-m5-macbookpro.json': [{ name: 'MacBook Pro Camera', modelId: 'MacBook Pro Camera', uniqueId: null, ...none }],
  'system_profiler-json-otmkit-vm-26-no-camera.json': [],
};

const read = (key: string) => (key.startsWith('extra:') ? readExtraCapture(key.slice(6)) : readFixture(key));

describe('parseSpCameraText on every text capture', () => {
  it('covers every capture', () => {
    expect(Object.keys(TEXT).sort()).toEqual([
      ...listFixtures('camera').map((f) => `camera/${f}`),
      ...listExtraCaptures('SPCameraDataType-text-').map((f) => `extra:${f}`),
    ].sort());
  });
  it.each(Object.entries(TEXT))('%s', (key, { cameras, problems }) => {
    const r = parseSpCameraText(read(key));
    expect(r).toMatchObject({ ok: true, value: cameras });
    expect(r.problems).toHaveLength(problems.length);
    problems.forEach((re, i) => expect(r.problems[i]).toMatch(re));
  });
});

describe('parseSpCameraJson on every JSON capture', () => {
  it('covers every capture', () => expect(Object.keys(JSON_CAPTURES).sort()).toEqual([...listExtraCaptures('SPCameraDataType-json-'), ...listExtraCaptures('system_profiler-json-')].sort()));
  it.each(Object.entries(JSON_CAPTURES))('%s', (file, cameras) => {
    expect(parseSpCameraJson(readExtraCapture(file))).toEqual({ ok: true, value: cameras, problems: [] });
  });
});

describe('camera parsers on bad input', () => {
  it('an empty camera list is a Mac with no camera, not a failure', () => {
    expect(parseSpCameraJson('{ "SPCameraDataType" : [ ] }')).toEqual({ ok: true, value: [], problems: [] });
  });
  it('fails with a reason on non-JSON, a missing array, or text without a Camera: header', () => {
    expect(parseSpCameraJson('')).toMatchObject({ ok: false, error: /^not JSON/ });
    expect(parseSpCameraJson('{"SPUSBDataType":[]}')).toMatchObject({ ok: false, error: 'no "SPCameraDataType" array in system_profiler output' });
    expect(parseSpCameraText('')).toMatchObject({ ok: false, error: /no "Camera:" header/ });
  });
  it('keeps the location id only when the unique id ends in the model id\'s vendor and product ids', () => {
    const r = parseSpCameraJson('{"SPCameraDataType":[{"_name":"X","spcamera_model-id":"UVC Camera VendorID_1452 ProductID_34068","spcamera_unique-id":"0x80200000deadbeef"},{"spcamera_model-id":"y"}]}');
    expect(r).toEqual({ ok: true, value: [{ name: 'X', modelId: 'UVC Camera VendorID_1452 ProductID_34068', uniqueId: '0x80200000deadbeef', vendorId: 1452, productId: 34068, locationId: null }], problems: ['camera 2 has no _name: skipped'] });
  });
  it('never throws on arbitrary or mangled input (property)', () => {
    const base = readExtraCapture('SPCameraDataType-json-facetime-builtin-intel-docstring.json') + readFixture('camera/SPCameraDataType-text-usb-uvc-svbony.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled, fc.json()), (text) => {
      for (const r of [parseSpCameraJson(text), parseSpCameraText(text)]) if (r.ok) r.value.forEach((c) => expect(text).toContain(c.name));
    }));
  });
  it('parses 5,000 cameras of text without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const one = '    Cam:\n\n      Model ID: UVC Camera VendorID_1133 ProductID_2374\n      Unique ID: 0x1100000046d0946\n\n';
    expect(parseSpCameraText(`Camera:\n\n${one.repeat(5000)}`)).toMatchObject({ ok: true, value: { length: 5000 } });
  });
});
