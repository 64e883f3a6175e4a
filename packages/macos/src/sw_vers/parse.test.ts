import type { OsFacts } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseSwVers } from './parse.js';

/** Every fixtures/sw_vers file with the values it really holds, and the problems a partial capture must report. */
const EXPECTED: Record<string, { facts: OsFacts; problems: RegExp[] }> = {
  // sw_vers among prompt and uname lines: macOS 27 runs Darwin 27.0.0.
  '27.0-26A428-with-uname-darwin27.txt': { facts: { productName: 'macOS', productVersion: '27.0', productVersionExtra: null, buildVersion: '26A428' }, problems: [] },
  'bigsur-11.4-20F71-m1-air-truncated.txt': { facts: { productName: 'macOS', productVersion: '11.4', productVersionExtra: null, buildVersion: '20F71' }, problems: [] },
  'catalina-10.15.7-19H1417.txt': { facts: { productName: 'Mac OS X', productVersion: '10.15.7', productVersionExtra: null, buildVersion: '19H1417' }, problems: [] },
  'mojave-10.14.6-18G95-with-uname.txt': { facts: { productName: 'Mac OS X', productVersion: '10.14.6', productVersionExtra: null, buildVersion: '18G95' }, problems: [] },
  'monterey-12.5.1-21G83.txt': { facts: { productName: 'macOS', productVersion: '12.5.1', productVersionExtra: null, buildVersion: '21G83' }, problems: [] },
  'sierra-10.12.5-16F2073.txt': { facts: { productName: 'Mac OS X', productVersion: '10.12.5', productVersionExtra: null, buildVersion: '16F2073' }, problems: [] },
  // Partial: the author left out the ProductName line -> inferred, and said so.
  'tahoe-26.3.1a-25D771280a-partial.txt': {
    facts: { productName: 'macOS', productVersion: '26.3.1', productVersionExtra: '(a)', buildVersion: '25D771280a' },
    problems: [/no ProductName line: inferred "macOS"/],
  },
  // The author joined the lines with " / " after a uname line.
  'tahoe-26.3.1a-flattened-by-author-m3max.txt': { facts: { productName: 'macOS', productVersion: '26.3.1', productVersionExtra: '(a)', buildVersion: '25D771280a' }, problems: [] },
  // After a "=== System ===" header and uname -m's "arm64".
  'tahoe-26.4.1-25E253-with-header.txt': { facts: { productName: 'macOS', productVersion: '26.4.1', productVersionExtra: null, buildVersion: '25E253' }, problems: [] },
  'tahoe-26.5.1-25F80-m5pro-env-record.txt': { facts: { productName: 'macOS', productVersion: '26.5.1', productVersionExtra: null, buildVersion: '25F80' }, problems: [] },
  'ventura-13.0-22A380-single-tab.txt': { facts: { productName: 'macOS', productVersion: '13.0', productVersionExtra: null, buildVersion: '22A380' }, problems: [] },
  'ventura-13.3.1a-22E772610a-rsr-x86.txt': { facts: { productName: 'macOS', productVersion: '13.3.1', productVersionExtra: '(a)', buildVersion: '22E772610a' }, problems: [] },
};

describe('parseSwVers on every fixtures/sw_vers capture', () => {
  it('covers every fixture file', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(listFixtures('sw_vers'));
  });

  it.each(Object.entries(EXPECTED))('%s', (file, { facts, problems }) => {
    const r = parseSwVers(readFixture(`sw_vers/${file}`));
    expect(r).toMatchObject({ ok: true, value: facts });
    expect(r.problems).toHaveLength(problems.length);
    problems.forEach((re, i) => expect(r.problems[i]).toMatch(re));
  });
});

describe('parseSwVers on bad input', () => {
  it('fails with a reason when ProductVersion or BuildVersion is missing', () => {
    expect(parseSwVers('')).toEqual({ ok: false, error: 'no ProductVersion line in sw_vers output', problems: [] });
    expect(parseSwVers('ProductName:\tmacOS\nProductVersion:\t15.3.1\n')).toMatchObject({ ok: false, error: 'no BuildVersion line in sw_vers output' });
  });

  it('flags values that do not look like a version or a build, and two differing captures', () => {
    const r = parseSwVers('ProductName:\tmacOS\nProductVersion:\t15,3\nBuildVersion:\tXYZ\nProductVersion:\t14.1\n');
    expect(r).toMatchObject({ ok: true, value: { productVersion: '15,3', buildVersion: 'XYZ' } });
    expect(r.problems).toEqual([
      'ProductVersion appears twice ("15,3", "14.1"): kept the first',
      'ProductVersion "15,3" is not a dotted number',
      'BuildVersion "XYZ" does not look like a macOS build (e.g. 24D70)',
    ]);
  });

  it('accepts CRLF line ends and trailing spaces', () => {
    expect(parseSwVers('ProductName:\tmacOS \r\nProductVersion:\t\t15.3.1\r\nBuildVersion:\t\t24D70  \r\n')).toMatchObject({
      ok: true, value: { productName: 'macOS', productVersion: '15.3.1', buildVersion: '24D70' }, problems: [],
    });
  });

  it('never throws on arbitrary or mangled input and keeps values it returns inside the input (property)', () => {
    const base = readFixture('sw_vers/ventura-13.3.1a-22E772610a-rsr-x86.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseSwVers(text);
      if (r.ok) {
        expect(text).toContain(r.value.productVersion);
        expect(text).toContain(r.value.buildVersion);
      } else {
        expect(r.error).toMatch(/^no (ProductVersion|BuildVersion) line/);
      }
    }));
  });

  it('parses a 60 KB transcript, and refuses a 1 MB one by its size before scanning it', { timeout: 60_000 }, () => {
    const capture = readFixture('sw_vers/monterey-12.5.1-21G83.txt');
    const transcript = `${'noise line: with a colon\n'.repeat(2_400)}${capture}`;
    expect(parseSwVers(transcript)).toMatchObject({ ok: true, value: { productVersion: '12.5.1' } });
    const big = `${'noise line: with a colon\n'.repeat(40_000)}${capture}`;
    expect(parseSwVers(big)).toEqual({ ok: false, problems: [], error: `sw_vers output is ${big.length} characters, more than the 65536 any real one has: not parsed` });
  });
});
