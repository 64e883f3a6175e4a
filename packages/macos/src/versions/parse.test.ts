import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures.js';
import { compareVersions, normalizeZoomVersion, versionParts } from './parse.js';

describe('compareVersions', () => {
  it.each([
    ['10.15.7', '11.0', -1],
    ['11', '11.0.0', 0],
    ['13.3.1', '13.3', 1],
    ['26.3.1', '26.5.1', -1],
    ['5.16.10 (25689)', '5.16.10.25689', 0], // osquery's version_compare says -1 here (FORMATS.md §5); we compare numerically
    ['7.1.7 (13891)', '7.1.7.13891', 0],
    ['5.16.10 (25689)', '5.16.10 (25690)', -1],
    ['5.9.6 (4993)', '5.16.10 (25689)', -1], // 9 < 16 numerically, not as text
    ['4.5.0 (3261.0825)', '4.5.0.3261.825', 0],
    ['13.3.1 (a)', '13.3.1', 0], // an RSR letter is not a build number
    ['v2.0', '2', 0],
    ['', '0', 0],
    ['abc', '1', -1],
    ['18446744073709551616.1', '18446744073709551616.0', 1], // beyond 2^64: still exact
  ] as const)('%s vs %s -> %i', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(-want || 0);
  });

  it('orders the sw_vers fixtures by their versions', () => {
    const versions = ['sierra-10.12.5-16F2073.txt', 'catalina-10.15.7-19H1417.txt', 'monterey-12.5.1-21G83.txt', 'ventura-13.3.1a-22E772610a-rsr-x86.txt']
      .map((f) => /ProductVersion:\s*(\S+)/.exec(readFixture(`sw_vers/${f}`))?.[1] ?? '');
    expect(versions).toEqual(['10.12.5', '10.15.7', '12.5.1', '13.3.1']);
    expect([...versions].reverse().sort((a, b) => compareVersions(a, b))).toEqual(versions);
  });

  const version = fc.array(fc.nat({ max: 99999 }), { minLength: 1, maxLength: 5 }).map((p) => p.join('.'));
  it('is reflexive, antisymmetric and transitive on dotted versions (property)', () => {
    fc.assert(fc.property(version, version, version, (a, b, c) => {
      expect(compareVersions(a, a)).toBe(0);
      expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
    }));
  });

  it('never throws on arbitrary text and always answers -1, 0 or 1 (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string(), (a, b) => {
      expect([-1, 0, 1]).toContain(compareVersions(a, b));
    }));
  });
});

describe('normalizeZoomVersion', () => {
  it.each([
    ['5.16.10 (25689)', '5.16.10.25689', '5.16.10.25689'], // osquery fixture: CFBundleVersion wins
    ['5.9.6 (4993)', null, '5.9.6.4993'], // Installomator log: short version only
    ['4.5.0 (3261.0825)', null, '4.5.0.3261.0825'], // homebysix fragment: dotted build kept as written
    ['5.16.10 (25689)', '25689', '5.16.10.25689'], // bundle version with another major: not trusted
    [null, '5.16.10.25689', '5.16.10.25689'],
    ['zoom', 'x', null],
    [null, null, null],
  ] as const)('(%s, %s) -> %s', (short, bundle, want) => {
    expect(normalizeZoomVersion(short, bundle)).toBe(want);
  });

  it('gives a value equal (by compareVersions) to the short version whenever one comes out (property)', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 9999 }), { minLength: 1, maxLength: 3 }), fc.nat({ max: 99999 }), (parts, build) => {
      const short = `${parts.join('.')} (${build})`;
      const v = normalizeZoomVersion(short, null);
      expect(v).not.toBeNull();
      expect(compareVersions(v ?? '', short)).toBe(0);
      expect(versionParts(short)).toEqual([...parts.map(String), String(build)]);
    }));
  });
});
