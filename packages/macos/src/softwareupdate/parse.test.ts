import type { SoftwareUpdateItem } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, listFixtures, readExtraCapture, readFixture } from '../testing/fixtures.js';
import { parseSoftwareUpdateList, pendingMacosUpdates } from './parse.js';

const item = (label: string, title: string, version: string, sizeKiB: number, restartRequired: boolean): SoftwareUpdateItem =>
  ({ label, title, version, sizeKiB, recommended: true, restartRequired });

/** Every softwareupdate capture (shared fixtures and extra-captures) with every update it lists. */
const CAPTURES: Record<string, SoftwareUpdateItem[]> = {
  'softwareupdate/fleet-updates-available-tahoe-26.7-and-27.txt': [
    item('Safari27.0TahoeAuto-27.0', 'Safari', '27.0', 249465, false),
    item('SFSymbolsAuto-27.0', 'SF Symbols', '27.0', 430826, false),
    item('macOS Tahoe 26.7-25G229', 'macOS Tahoe 26.7', '26.7', 2960352, true),
    item('macOS 27-26A428', 'macOS 27', '27', 11727573, true),
  ],
  'extra:softwareupdate-list-no-updates-fleet.txt': [],
};
const read = (key: string) => (key.startsWith('extra:') ? readExtraCapture(key.slice(6)) : readFixture(key));

describe('parseSoftwareUpdateList on every capture', () => {
  it('covers every capture', () => {
    expect(Object.keys(CAPTURES).sort()).toEqual([
      ...listExtraCaptures('softwareupdate-').map((f) => `extra:${f}`),
      ...listFixtures('softwareupdate').map((f) => `softwareupdate/${f}`),
    ].sort());
  });
  it.each(Object.entries(CAPTURES))('%s', (key, updates) => {
    expect(parseSoftwareUpdateList(read(key))).toEqual({ ok: true, value: updates, problems: [] });
  });
});

describe('parseSoftwareUpdateList on bad input', () => {
  it('fails on empty or foreign output', () => {
    expect(parseSoftwareUpdateList('')).toMatchObject({ ok: false, error: /no "\* Label:" line/ });
    expect(parseSoftwareUpdateList('softwareupdate: unrecognized option\n')).toMatchObject({ ok: false, problems: [/skipped 1 line/] });
  });
  it('keeps a label without its Title line, and says so', () => {
    expect(parseSoftwareUpdateList('* Label: X-1\n')).toEqual({
      ok: true, value: [{ label: 'X-1', title: null, version: null, sizeKiB: null, recommended: null, restartRequired: false }], problems: ['update "X-1" has no Title line'],
    });
  });
  it('never throws on arbitrary or mangled input (property)', () => {
    const base = readFixture('softwareupdate/fleet-updates-available-tahoe-26.7-and-27.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseSoftwareUpdateList(text);
      if (r.ok) r.value.forEach((u) => expect(text).toContain(u.label));
    }));
  });
  it('parses 20,000 updates without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const one = '* Label: X-1\n\tTitle: X, Version: 1, Size: 1KiB, Recommended: YES, Action: restart, \n';
    expect(parseSoftwareUpdateList(one.repeat(20_000))).toMatchObject({ ok: true, value: { length: 20_000 } });
  });
});

describe('pendingMacosUpdates on the Fleet capture (a macOS 26 Mac offered 26.7 and 27)', () => {
  const r = parseSoftwareUpdateList(readFixture('softwareupdate/fleet-updates-available-tahoe-26.7-and-27.txt'));
  const updates = r.ok ? r.value : [];
  it('names the recommended 26.x update and not the major upgrade, Safari or SF Symbols', () => {
    expect(pendingMacosUpdates(updates, '26.5.1').map((u) => u.label)).toEqual(['macOS Tahoe 26.7-25G229']);
  });
  it('finds nothing once the Mac runs 26.7, on macOS 27, or with an unreadable version', () => {
    expect(pendingMacosUpdates(updates, '26.7')).toEqual([]);
    expect(pendingMacosUpdates(updates, '27.0')).toEqual([]);
    expect(pendingMacosUpdates(updates, '')).toEqual([]);
  });
});
