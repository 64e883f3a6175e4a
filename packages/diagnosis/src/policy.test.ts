import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './policy.js';

describe('resolvePolicy', () => {
  it('returns the defaults when given nothing', () => {
    expect(resolvePolicy()).toEqual({
      minZoomVersion: '6.0.0', minMacosVersion: '14.0', zoomBundleId: 'us.zoom.xos', zoomAppPath: '/Applications/zoom.us.app',
      zoomHosts: ['zoom.us', 'zoom.com'], zoomEndpoints: [{ host: 'zoom.us', port: 443 }],
      tccResetServices: ['Camera', 'Microphone', 'ScreenCapture'], tccResetClients: ['us.zoom.xos'],
    });
    expect(resolvePolicy()).not.toBe(DEFAULT_POLICY);
  });
  it('takes the Zoom probe targets as host names and host:port, and refuses anything else', () => {
    expect(resolvePolicy({ zoomHosts: ['zoom.us', 'us04web.zoom.us'], zoomEndpoints: [{ host: 'zoom.com', port: 443 }] })).toMatchObject({ zoomHosts: ['zoom.us', 'us04web.zoom.us'], zoomEndpoints: [{ host: 'zoom.com', port: 443 }] });
    expect(() => resolvePolicy({ zoomHosts: ['zoom.us; rm -rf /'] })).toThrow(/zoomHosts must be a list of host names/);
    expect(() => resolvePolicy({ zoomEndpoints: [{ host: 'zoom.us', port: 0 }] })).toThrow(/zoomEndpoints must be a list of \{ host, port \}/);
  });
  it('overrides the given fields and ignores undefined ones', () => {
    expect(resolvePolicy({ minZoomVersion: '5.0.0', minMacosVersion: undefined })).toEqual({ ...DEFAULT_POLICY, minZoomVersion: '5.0.0' });
  });
  it('rejects versions that are not dotted numeric, naming the field and value', () => {
    expect(() => resolvePolicy({ minZoomVersion: 'latest' })).toThrow('minZoomVersion "latest" is not a dotted numeric version');
    expect(() => resolvePolicy({ minMacosVersion: '14.0-beta' })).toThrow('minMacosVersion "14.0-beta"');
  });
  it('lists every problem at once, including unknown keys', () => {
    const bad = { minZoomVerison: '5.0.0', zoomBundleId: 'zoom', zoomAppPath: 'Applications/zoom.us.app' } as never;
    expect(() => resolvePolicy(bad)).toThrow(
      'invalid policy: unknown key "minZoomVerison" (known: minZoomVersion, minMacosVersion, zoomBundleId, zoomAppPath, zoomHosts, zoomEndpoints, tccResetServices, tccResetClients); '
      + 'zoomBundleId "zoom" is not a bundle id like us.zoom.xos; '
      + 'zoomAppPath "Applications/zoom.us.app" is not an absolute path to an .app bundle like /Applications/zoom.us.app',
    );
  });
  it('rejects non-string values and app paths with ..', () => {
    expect(() => resolvePolicy({ minZoomVersion: 6 } as never)).toThrow('minZoomVersion must be a string, got 6');
    expect(() => resolvePolicy({ zoomAppPath: '/Applications/../tmp/evil.app' })).toThrow('zoomAppPath "/Applications/../tmp/evil.app"');
  });
  it('widens the tcc.reset scope only to tccutil services and bundle ids, never the agent itself', () => {
    expect(resolvePolicy({ tccResetServices: ['Camera', 'Accessibility'], tccResetClients: ['us.zoom.xos', 'com.microsoft.teams2'] }))
      .toMatchObject({ tccResetServices: ['Camera', 'Accessibility'], tccResetClients: ['us.zoom.xos', 'com.microsoft.teams2'] });
    expect(() => resolvePolicy({ tccResetServices: ['Camera', 'kTCCServiceCamera'], tccResetClients: ['com.fleetmedic.agent', '/bin/sh'] })).toThrow(
      'invalid policy: tccResetServices: "kTCCServiceCamera" is not a TCC service tccutil resets (known: All, Camera, ');
    expect(() => resolvePolicy({ tccResetClients: ['com.fleetmedic.agent', '/bin/sh'] })).toThrow(
      'invalid policy: tccResetClients: "com.fleetmedic.agent" is the agent itself; tccResetClients: "/bin/sh" is not a bundle id like us.zoom.xos');
    expect(() => resolvePolicy({ tccResetServices: 'Camera' } as never)).toThrow('tccResetServices must be a list of strings, got "Camera"');
  });
  it('makes a changed Zoom bundle id the default tcc.reset client', () => {
    expect(resolvePolicy({ zoomBundleId: 'us.zoom.xos.gov' }).tccResetClients).toEqual(['us.zoom.xos.gov']);
  });
});
