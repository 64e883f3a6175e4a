import type { AudioDevice } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, readExtraCapture, readFixture } from '../testing/fixtures.js';
import { defaultInputName, parseSpAudioJson, parseSpAudioText } from './parse.js';

const dev = (name: string, d: Partial<AudioDevice>): AudioDevice => ({
  name, inputChannels: null, outputChannels: null, transport: null, manufacturer: null, defaultInput: false, defaultOutput: false, ...d,
});

/** Every SPAudioDataType JSON capture with every device and the default input it names. */
const JSON_CAPTURES: Record<string, { devices: AudioDevice[]; defaultInput: string | null }> = {
  'SPAudioDataType-json-dell-inzone-c922-teams.json': {
    devices: [
      dev('DELL U2724DE', { outputChannels: 2, transport: 'displayport', manufacturer: 'DEL' }),
      dev('INZONE H3', { inputChannels: 1, outputChannels: 2, transport: 'usb', manufacturer: 'Sony', defaultInput: true, defaultOutput: true }),
      dev('C922 Pro Stream Webcam', { inputChannels: 2, transport: 'usb', manufacturer: 'Unknown Manufacturer' }),
      dev('MacBook Pro Microphone', { inputChannels: 1, transport: 'builtin', manufacturer: 'Apple Inc.' }),
      dev('MacBook Pro Speakers', { outputChannels: 2, transport: 'builtin', manufacturer: 'Apple Inc.' }),
      dev('Microsoft Teams Audio', { inputChannels: 1, outputChannels: 1, transport: 'virtual', manufacturer: 'Microsoft Corp.' }),
    ],
    defaultInput: 'INZONE H3',
  },
  'SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json': {
    devices: [
      dev('LG HDR WQHD', { outputChannels: 2, transport: 'displayport', manufacturer: 'Apple Inc.' }),
      dev('MacBook Pro Microphone', { inputChannels: 1, transport: 'builtin', manufacturer: 'Apple Inc.', defaultInput: true }),
      dev('MacBook Pro Speakers', { outputChannels: 2, transport: 'builtin', manufacturer: 'Apple Inc.', defaultOutput: true }),
      dev('iPhone (5) Microphone', { inputChannels: 1, transport: 'unknown', manufacturer: 'Apple Inc.' }),
    ],
    defaultInput: 'MacBook Pro Microphone',
  },
  'system_profiler-json-otmkit-m5-macbookpro.json': {
    devices: [
      dev('MacBook Pro Microphone', { inputChannels: 1, transport: 'builtin', manufacturer: 'Apple Inc.', defaultInput: true }),
      dev('MacBook Pro Speakers', { outputChannels: 2, transport: 'builtin', manufacturer: 'Apple Inc.', defaultOutput: true }),
    ],
    defaultInput: 'MacBook Pro Microphone',
  },
  // A virtual machine: an output-only default, its 2 input channels flagged as no one's default input.
  'system_profiler-json-otmkit-vm-26-no-camera.json': {
    devices: [dev('Apple Virtual Sound Device', { inputChannels: 2, outputChannels: 2, transport: 'builtin', defaultOutput: true })],
    defaultInput: null,
  },
};

describe('parseSpAudioJson on every JSON capture', () => {
  it('covers every capture', () => expect(Object.keys(JSON_CAPTURES).sort()).toEqual([...listExtraCaptures('SPAudioDataType-json-'), ...listExtraCaptures('system_profiler-json-')].sort()));
  it.each(Object.entries(JSON_CAPTURES))('%s', (file, { devices, defaultInput }) => {
    const r = parseSpAudioJson(readExtraCapture(file));
    expect(r).toEqual({ ok: true, value: devices, problems: [] });
    expect(r.ok && defaultInputName(r.value)).toBe(defaultInput);
  });
});

describe('parseSpAudioText on the text captures', () => {
  it('covers every extra text capture', () => expect(listExtraCaptures('SPAudioDataType-text-')).toEqual(['SPAudioDataType-text-foil-macmini-speakers-only.txt']));
  it('SPAudioDataType-text-foil-macmini-speakers-only.txt: a Mac mini with speakers and no input', () => {
    const r = parseSpAudioText(readExtraCapture('SPAudioDataType-text-foil-macmini-speakers-only.txt'));
    expect(r).toEqual({ ok: true, value: [dev('Mac mini Speakers', { manufacturer: 'Apple Inc.', defaultOutput: true })], problems: [] });
    expect(r.ok && defaultInputName(r.value)).toBe(null);
  });

  it('locale/SPAudioDataType-ru-RU-excerpt-carthing.txt', () => {
    const r = parseSpAudioText(readFixture('locale/SPAudioDataType-ru-RU-excerpt-carthing.txt'));
    expect(r).toEqual({
      ok: true,
      value: [
        dev('Capture Inactive', { inputChannels: 2, transport: 'usb', manufacturer: 'Spotify AB' }),
        dev('Микрофон MacBook Pro', { inputChannels: 1, transport: 'builtin', manufacturer: 'Apple Inc.', defaultInput: true }),
        dev('Динамики MacBook Pro', {}),
      ],
      problems: ['an excerpt starting inside a device: its 5 field(s) before the first device name skipped'],
    });
    expect(r.ok && defaultInputName(r.value)).toBe('Микрофон MacBook Pro');
  });
});

describe('audio parsers on bad input', () => {
  it('fails with a reason', () => {
    expect(parseSpAudioJson('nope')).toMatchObject({ ok: false, error: /^not JSON/ });
    expect(parseSpAudioJson('{}')).toMatchObject({ ok: false, error: 'no "SPAudioDataType" array in system_profiler output' });
    expect(parseSpAudioText('')).toMatchObject({ ok: false, error: /no audio device header/ });
  });
  it('walks two levels of _items, skips nameless devices, and finds no default when none is flagged', () => {
    const r = parseSpAudioJson('{"SPAudioDataType":[{"_items":[{"_items":[{"_name":"Mic","coreaudio_device_input":1},{"coreaudio_device_input":2}]}]}]}');
    expect(r).toEqual({ ok: true, value: [dev('Mic', { inputChannels: 1 })], problems: ['an audio device without _name: skipped'] });
    expect(r.ok && defaultInputName(r.value)).toBeNull();
  });
  it('never throws on arbitrary or mangled input (property)', () => {
    const base = readExtraCapture('SPAudioDataType-json-lg-display-macbookpro-iphone-2026.json') + readFixture('locale/SPAudioDataType-ru-RU-excerpt-carthing.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled, fc.json()), (text) => {
      for (const r of [parseSpAudioJson(text), parseSpAudioText(text)]) if (r.ok) r.value.forEach((d) => expect(text).toContain(d.name));
    }));
  });
  it('parses 5,000 devices without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const one = '        Mic:\n\n          Input Channels: 1\n          Transport: USB\n\n';
    expect(parseSpAudioText(`Audio:\n\n    Devices:\n\n${one.repeat(5000)}`)).toMatchObject({ ok: true, value: { length: 5000 } });
  });
});
