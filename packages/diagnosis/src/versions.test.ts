import { describe, expect, it } from 'vitest';
import { isDottedVersion, isOlderThan, zoomComparableVersion } from './versions.js';

describe('isOlderThan', () => {
  it('compares part by part as numbers, not text', () => {
    expect(isOlderThan('5.9.6', '5.16.10')).toBe(true);
    expect(isOlderThan('5.16.10', '5.9.6')).toBe(false);
    expect(isOlderThan('10.15.7', '14.0')).toBe(true);
    expect(isOlderThan('26.3.1', '14.0')).toBe(false);
  });
  it('treats missing parts as zero and equal as not older', () => {
    expect(isOlderThan('14', '14.0.0')).toBe(false);
    expect(isOlderThan('5.16.10.25689', '5.16.10')).toBe(false);
    expect(isOlderThan('13.99', '14')).toBe(true);
  });
  it('gives null when the version holds no number', () => {
    expect(isOlderThan('', '14.0')).toBeNull();
    expect(isOlderThan('unknown', '14.0')).toBeNull();
  });
});

describe('zoomComparableVersion', () => {
  it('prefers the section version, else derives it from the Info.plist strings', () => {
    expect(zoomComparableVersion({ version: '5.16.10.25689', shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689' })).toBe('5.16.10.25689');
    expect(zoomComparableVersion({ version: null, shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689' })).toBe('5.16.10.25689');
    expect(zoomComparableVersion({ version: null, shortVersion: '4.5.0 (3261.0825)', bundleVersion: null })).toBe('4.5.0.3261.0825');
    expect(zoomComparableVersion({ version: 'garbage', shortVersion: null, bundleVersion: null })).toBeNull();
  });
});

describe('isDottedVersion', () => {
  it('accepts dotted digits only', () => {
    expect(['6', '6.0', '6.0.0', '7.1.5.84650'].map(isDottedVersion)).toEqual([true, true, true, true]);
    expect(['', 'v6.0', '6.0.0-beta', '6..0', '6.0 ', 'latest'].map(isDottedVersion)).toEqual([false, false, false, false, false, false]);
  });
});
