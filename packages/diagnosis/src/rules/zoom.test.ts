import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../policy.js';
import { buildSnapshot, zoomSection } from '../testing/snapshots.js';
import { zoomNotInstalled } from './zoom-not-installed.js';
import { zoomOutdated } from './zoom-outdated.js';

const zoom516 = zoomSection({ shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689', version: '5.16.10.25689' });

describe('zoom.outdated', () => {
  it('finds Zoom 5.16.10 older than the default 6.0.0, with both versions in the evidence', () => {
    expect(zoomOutdated.evaluate(buildSnapshot({ zoom: zoom516 }), DEFAULT_POLICY)).toEqual([{
      id: 'zoom.outdated',
      key: 'zoom.outdated:/Applications/zoom.us.app',
      severity: 'warning',
      title: 'Zoom is older than the minimum version',
      evidence: [{
        section: 'zoom',
        detail: 'Zoom 5.16.10 (25689) at /Applications/zoom.us.app is older than the minimum 6.0.0.',
        value: { version: '5.16.10.25689', shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689', minZoomVersion: '6.0.0' },
      }],
      remedy: { summary: 'Update Zoom to 6.0.0 or later through your software deployment (or zoom.us > Check for Updates).' },
    }]);
  });

  it('accepts 5.16.10 when the policy minimum is 5.0.0, and compares numerically (5.9.6 < 5.16.10)', () => {
    expect(zoomOutdated.evaluate(buildSnapshot({ zoom: zoom516 }), resolvePolicy({ minZoomVersion: '5.0.0' }))).toEqual([]);
    const zoom596 = zoomSection({ shortVersion: '5.9.6 (4993)', bundleVersion: '5.9.6.4993', version: '5.9.6.4993' });
    const policy = resolvePolicy({ minZoomVersion: '5.16.10' });
    expect(zoomOutdated.evaluate(buildSnapshot({ zoom: zoom596 }), policy)[0]?.evidence[0]?.detail)
      .toBe('Zoom 5.9.6 (4993) at /Applications/zoom.us.app is older than the minimum 5.16.10.');
    expect(zoomOutdated.evaluate(buildSnapshot({ zoom: zoom516 }), policy)).toEqual([]);
  });

  it('falls back to CFBundleShortVersionString when no numeric version was derived', () => {
    const snap = buildSnapshot({ zoom: zoomSection({ shortVersion: '4.5.0 (3261.0825)', bundleVersion: null, version: null }) });
    expect(zoomOutdated.evaluate(snap, DEFAULT_POLICY)[0]?.evidence[0]?.value).toMatchObject({ version: '4.5.0.3261.0825' });
  });

  it('finds nothing for the current Zoom or when Zoom is not installed', () => {
    expect(zoomOutdated.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    const absent = zoomSection({ installed: false, bundleId: null, shortVersion: null, bundleVersion: null, version: null });
    expect(zoomOutdated.evaluate(buildSnapshot({ zoom: absent }), DEFAULT_POLICY)).toEqual([]);
  });

  it('cannot judge an installed Zoom without a readable version', () => {
    const snap = buildSnapshot({ zoom: zoomSection({ shortVersion: 'unknown', bundleVersion: null, version: null }) });
    expect(() => zoomOutdated.evaluate(snap, DEFAULT_POLICY))
      .toThrow('Zoom is installed at /Applications/zoom.us.app but its version could not be read (CFBundleShortVersionString "unknown")');
  });
});

describe('zoom.not-installed', () => {
  const absent = { installed: false, bundleId: null, shortVersion: null, bundleVersion: null, version: null };

  it('finds Zoom missing at the app path, critical, with no action', () => {
    const findings = zoomNotInstalled.evaluate(buildSnapshot({ zoom: zoomSection(absent) }), DEFAULT_POLICY);
    expect(findings).toEqual([{
      id: 'zoom.not-installed',
      key: 'zoom.not-installed:/Applications/zoom.us.app',
      severity: 'critical',
      title: 'Zoom is not installed',
      evidence: [{ section: 'zoom', detail: 'No Zoom app was found at /Applications/zoom.us.app.', value: { appPath: '/Applications/zoom.us.app', installed: false } }],
      remedy: { summary: 'Install Zoom (us.zoom.xos) at /Applications/zoom.us.app through your software deployment.' },
    }]);
  });

  it('finds nothing when Zoom is installed or the section could not be read', () => {
    expect(zoomNotInstalled.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    expect(zoomNotInstalled.evaluate(buildSnapshot({ zoom: { status: 'unavailable', sources: [], reason: 'Info.plist unreadable' } }), DEFAULT_POLICY)).toEqual([]);
  });

  it('cannot judge a partial section that says not installed', () => {
    const partial = { status: 'partial' as const, sources: ['Info.plist'], problems: ['Info.plist: not a plist'], data: { ...zoomSection(absent).data } };
    expect(() => zoomNotInstalled.evaluate(buildSnapshot({ zoom: partial }), DEFAULT_POLICY)).toThrow('Info.plist: not a plist');
  });
});
