import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../policy.js';
import { buildSnapshot, osSection } from '../testing/snapshots.js';
import { macosOutdated } from './macos-outdated.js';

describe('macos.outdated', () => {
  it('finds Catalina 10.15.7 older than 14.0, numerically', () => {
    const findings = macosOutdated.evaluate(buildSnapshot({ os: osSection('10.15.7', '19H1417') }), DEFAULT_POLICY);
    expect(findings).toEqual([{
      id: 'macos.outdated',
      key: 'macos.outdated:system',
      severity: 'warning',
      title: 'macOS is older than the minimum version',
      evidence: [{
        section: 'os',
        detail: 'macOS 10.15.7 (19H1417) is older than the minimum 14.0.',
        value: { productVersion: '10.15.7', buildVersion: '19H1417', minMacosVersion: '14.0' },
      }],
      remedy: { summary: 'Update macOS to 14.0 or later (System Settings > General > Software Update, or your MDM).' },
    }]);
  });

  it('names a Rapid Security Response in the evidence', () => {
    const os = { status: 'ok' as const, sources: ['sw_vers'], data: { productName: 'macOS', productVersion: '13.3.1', productVersionExtra: '(a)', buildVersion: '22E772610a' } };
    expect(macosOutdated.evaluate(buildSnapshot({ os }), DEFAULT_POLICY)[0]?.evidence[0]?.detail)
      .toBe('macOS 13.3.1 (a) (22E772610a) is older than the minimum 14.0.');
  });

  it('finds nothing at or above the minimum, and follows the policy', () => {
    expect(macosOutdated.evaluate(buildSnapshot({ os: osSection('14.0', '23A344') }), DEFAULT_POLICY)).toEqual([]);
    expect(macosOutdated.evaluate(buildSnapshot({ os: osSection('26.3.1', '25D2128') }), DEFAULT_POLICY)).toEqual([]);
    expect(macosOutdated.evaluate(buildSnapshot({ os: osSection('10.15.7', '19H1417') }), resolvePolicy({ minMacosVersion: '10.15' }))).toEqual([]);
    expect(macosOutdated.evaluate(buildSnapshot(), resolvePolicy({ minMacosVersion: '15.4' }))).toHaveLength(1);
  });

  it('cannot judge a ProductVersion that is not a version', () => {
    expect(() => macosOutdated.evaluate(buildSnapshot({ os: osSection('', '24D70') }), DEFAULT_POLICY)).toThrow('sw_vers ProductVersion "" is not a version');
  });
});
