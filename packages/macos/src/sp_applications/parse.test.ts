import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseSpApplicationsText, zoomApplications } from './parse.js';

/** Every apps/ capture: how many applications, what its Zoom entries hold, and the problems it reports. */
const CAPTURES: Record<string, { count: number; zoom: object[]; problems: RegExp[] }> = {
  'glpi-SPApplicationsDataType-text-zoom-5.16.10-macos13-14.txt': {
    count: 317,
    zoom: [{
      name: 'zoom', version: '5.16.10 (25689)', location: '/Applications/zoom.us.app', teamId: 'BJ4HAAB9B3', obtainedFrom: 'Identified Developer', lastModified: '18/12/2023 09:28',
      signedBy: ['Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)', 'Developer ID Certification Authority', 'Apple Root CA'],
    }],
    // The Tcl/Tk "Get Info String" wraps onto four unindented lines.
    problems: [/skipped 4 line\(s\) that are neither a header nor "Key: value"/],
  },
};

describe('parseSpApplicationsText on every apps capture', () => {
  it('covers every capture', () => expect(Object.keys(CAPTURES).sort()).toEqual(listFixtures('apps')));
  it.each(Object.entries(CAPTURES))('%s', (file, { count, zoom, problems }) => {
    const r = parseSpApplicationsText(readFixture(`apps/${file}`));
    if (!r.ok) throw new Error(r.error);
    expect(r.value).toHaveLength(count);
    expect(zoomApplications(r.value)).toEqual(zoom);
    expect(r.problems).toHaveLength(problems.length);
    problems.forEach((re, i) => expect(r.problems[i]).toMatch(re));
  });
});

describe('parseSpApplicationsText on bad input', () => {
  it('fails without an Applications: header', () => {
    expect(parseSpApplicationsText('')).toMatchObject({ ok: false, error: /no "Applications:" header/ });
  });
  it('never throws on arbitrary or mangled input (property)', () => {
    const base = readFixture('apps/glpi-SPApplicationsDataType-text-zoom-5.16.10-macos13-14.txt').slice(0, 3000);
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseSpApplicationsText(text);
      if (r.ok) r.value.forEach((a) => expect(text).toContain(a.name));
    }));
  });
  it('parses 20,000 applications without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const one = '    zoom:\n\n      Version: 6.0\n      Location: /Users/u/Applications/zoom.us.app\n\n';
    const r = parseSpApplicationsText(`Applications:\n\n${one.repeat(20_000)}`);
    expect(r.ok && zoomApplications(r.value).length).toBe(20_000);
  });
});
