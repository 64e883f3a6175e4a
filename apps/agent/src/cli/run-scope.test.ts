import { describe, expect, it } from 'vitest';
import { scopeFromOptions } from './run.js';

describe('run --tcc-reset-services / --tcc-reset-clients', () => {
  it('defaults to the video-call scope and widens only to what the options name', () => {
    expect(scopeFromOptions({})).toEqual({ tccResetServices: ['Camera', 'Microphone', 'ScreenCapture'], tccResetClients: ['us.zoom.xos'] });
    expect(scopeFromOptions({ tccResetServices: 'Camera, Accessibility', tccResetClients: 'us.zoom.xos,com.microsoft.teams2' }))
      .toEqual({ tccResetServices: ['Camera', 'Accessibility'], tccResetClients: ['us.zoom.xos', 'com.microsoft.teams2'] });
  });
  it('refuses unknown services, bad bundle ids and the agent itself before starting', () => {
    expect(() => scopeFromOptions({ tccResetServices: 'Camera,kTCCServiceCamera', tccResetClients: 'com.fleetmedic.agent' })).toThrow(
      /^invalid remediation scope: tccResetServices: "kTCCServiceCamera" is not a TCC service .*; tccResetClients: "com.fleetmedic.agent" is the agent itself$/);
  });
});
