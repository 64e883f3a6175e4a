import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../policy.js';
import { buildSnapshot, SYSTEM_TCC_PATH, tccDb, tccEntry, tccSection, unreadableTccDb, USER_TCC_PATH, zoomDenied } from '../testing/snapshots.js';
import { tccCameraDenied } from './tcc-camera-denied.js';
import { tccMicrophoneDenied } from './tcc-microphone-denied.js';
import { tccScreenCaptureDenied } from './tcc-screen-capture-denied.js';

const systemDb = (entries = [tccEntry({ service: 'kTCCServiceScreenCapture' })]) =>
  tccDb(entries, { path: SYSTEM_TCC_PATH, scope: 'system', user: null });

describe('tcc.camera.denied', () => {
  it('finds Zoom denied the camera in the user TCC.db, with the row in words and a tcc.reset', () => {
    const snap = buildSnapshot({ tcc: tccSection([systemDb(), tccDb([zoomDenied('kTCCServiceCamera')])]) });
    expect(tccCameraDenied.evaluate(snap, DEFAULT_POLICY)).toEqual([{
      id: 'tcc.camera.denied',
      key: 'tcc.camera.denied:us.zoom.xos',
      severity: 'critical',
      title: 'Zoom is denied the camera',
      evidence: [{
        section: 'tcc',
        detail: `kTCCServiceCamera for us.zoom.xos: denied (user-set) on 2024-06-03T14:02:10.000Z in the user alice TCC.db ${USER_TCC_PATH}`,
        value: expect.objectContaining({ path: USER_TCC_PATH, scope: 'user', user: 'alice' }),
      }],
      remedy: {
        summary: "Reset Zoom's camera permission (tccutil reset Camera us.zoom.xos); macOS asks again at the next Zoom launch and the user clicks Allow.",
        action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } },
      },
    }]);
  });

  it('gives one finding per cause: two users who denied the camera are one finding with two pieces of evidence', () => {
    const snap = buildSnapshot({
      tcc: tccSection([
        tccDb([zoomDenied('kTCCServiceCamera')]),
        tccDb([zoomDenied('kTCCServiceCamera')], { user: 'bob', path: '/Users/bob/Library/Application Support/com.apple.TCC/TCC.db' }),
      ]),
    });
    const findings = tccCameraDenied.evaluate(snap, DEFAULT_POLICY);
    expect(findings.map((f) => [f.key, f.evidence.map((e) => (e.value as { user: string }).user)])).toEqual([
      ['tcc.camera.denied:us.zoom.xos', ['alice', 'bob']],
    ]);
  });

  it('keeps a user\'s decision and an MDM profile apart: two causes, two remedies', () => {
    const snap = buildSnapshot({
      tcc: tccSection([
        tccDb([zoomDenied('kTCCServiceCamera')]),
        tccDb([zoomDenied('kTCCServiceCamera', { authReason: 6, authReasonName: 'mdm-policy' })], { user: 'bob', path: '/Users/bob/Library/Application Support/com.apple.TCC/TCC.db' }),
      ]),
    });
    expect(tccCameraDenied.evaluate(snap, DEFAULT_POLICY).map((f) => [f.key, f.remedy.action?.type ?? null, f.evidence.length])).toEqual([
      ['tcc.camera.denied:us.zoom.xos', 'tcc.reset', 1],
      ['tcc.camera.denied:mdm:us.zoom.xos', null, 1],
    ]);
  });

  it('finds nothing when Zoom is allowed, another app is denied, or the row is a path client', () => {
    const snap = buildSnapshot({
      tcc: tccSection([tccDb([
        tccEntry(),
        zoomDenied('kTCCServiceCamera', { client: 'com.microsoft.teams2' }),
        zoomDenied('kTCCServiceCamera', { client: 'us.zoom.xos', clientType: 'path' }),
        zoomDenied('kTCCServiceMicrophone'),
      ])]),
    });
    expect(tccCameraDenied.evaluate(snap, DEFAULT_POLICY)).toEqual([]);
    expect(tccCameraDenied.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
  });

  it('offers no action when an MDM PPPC profile set the denial (auth_reason 6)', () => {
    const snap = buildSnapshot({
      tcc: tccSection([tccDb([zoomDenied('kTCCServiceCamera', { authReason: 6, authReasonName: 'mdm-policy' })])]),
    });
    const [finding] = tccCameraDenied.evaluate(snap, DEFAULT_POLICY);
    expect(finding?.evidence[0]?.detail).toContain('denied (mdm-policy)');
    expect(finding?.remedy.action).toBeUndefined();
    expect(finding?.remedy.summary).toBe(
      'A configuration profile from your MDM (PPPC payload, auth_reason mdm-policy) denies Zoom the camera. '
      + 'A local reset cannot override it: change or remove the PPPC payload for us.zoom.xos (kTCCServiceCamera) in your MDM.',
    );
  });

  it('follows the policy bundle id', () => {
    const snap = buildSnapshot({ tcc: tccSection([tccDb([zoomDenied('kTCCServiceCamera', { client: 'us.zoom.videomeetings' })])]) });
    expect(tccCameraDenied.evaluate(snap, DEFAULT_POLICY)).toEqual([]);
    const policy = resolvePolicy({ zoomBundleId: 'us.zoom.videomeetings' });
    const [finding] = tccCameraDenied.evaluate(snap, policy);
    expect(finding?.remedy.action).toEqual({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.videomeetings' } });
  });

  it('describes a pre-macOS 11 row that has no auth_reason or last_modified', () => {
    const row = zoomDenied('kTCCServiceCamera', { authReason: null, authReasonName: null, lastModified: null });
    const snap = buildSnapshot({ tcc: tccSection([tccDb([row], { layout: 'allowed-12' })]) });
    expect(tccCameraDenied.evaluate(snap, DEFAULT_POLICY)[0]?.evidence[0]?.detail)
      .toBe(`kTCCServiceCamera for us.zoom.xos: denied (no auth_reason) in the user alice TCC.db ${USER_TCC_PATH}`);
  });

  it('judges no unreadable database and no unavailable section', () => {
    // The only user TCC.db is unreadable: camera decisions live there, so the rule cannot judge.
    expect(() => tccCameraDenied.evaluate(buildSnapshot({ tcc: tccSection([unreadableTccDb()]) }), DEFAULT_POLICY)).toThrow(/no per-user TCC.db could be read/);
    expect(tccScreenCaptureDenied.evaluate(buildSnapshot({ tcc: tccSection([unreadableTccDb()]) }), DEFAULT_POLICY)).toEqual([]);
    expect(tccCameraDenied.evaluate(buildSnapshot({ tcc: { status: 'unavailable', sources: [], reason: 'no Full Disk Access' } }), DEFAULT_POLICY)).toEqual([]);
  });
});

describe('tcc.microphone.denied', () => {
  it('finds Zoom denied the microphone, critical, with a Microphone reset', () => {
    const snap = buildSnapshot({ tcc: tccSection([tccDb([tccEntry(), zoomDenied('kTCCServiceMicrophone', { authReason: 2, authReasonName: 'user-consent' })])]) });
    const findings = tccMicrophoneDenied.evaluate(snap, DEFAULT_POLICY);
    expect(findings.map((f) => [f.key, f.severity, f.remedy.action])).toEqual([[
      'tcc.microphone.denied:us.zoom.xos', 'critical', { type: 'tcc.reset', params: { service: 'Microphone', bundleId: 'us.zoom.xos' } },
    ]]);
    expect(findings[0]?.evidence[0]?.detail).toContain('kTCCServiceMicrophone for us.zoom.xos: denied (user-consent) on 2024-06-03T14:02:10.000Z');
  });
  it('finds nothing when the microphone is allowed', () => {
    expect(tccMicrophoneDenied.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
  });
});

describe('tcc.screen-capture.denied', () => {
  it('finds Zoom denied screen recording in the system TCC.db, as a warning', () => {
    const snap = buildSnapshot({ tcc: tccSection([systemDb([zoomDenied('kTCCServiceScreenCapture')]), tccDb([tccEntry()])]) });
    const findings = tccScreenCaptureDenied.evaluate(snap, DEFAULT_POLICY);
    expect(findings.map((f) => [f.key, f.severity, f.remedy.action])).toEqual([[
      'tcc.screen-capture.denied:us.zoom.xos', 'warning', { type: 'tcc.reset', params: { service: 'ScreenCapture', bundleId: 'us.zoom.xos' } },
    ]]);
    expect(findings[0]?.evidence[0]?.detail).toBe(
      `kTCCServiceScreenCapture for us.zoom.xos: denied (user-set) on 2024-06-03T14:02:10.000Z in the system TCC.db ${SYSTEM_TCC_PATH}`,
    );
  });
  it('finds nothing when screen recording is allowed', () => {
    expect(tccScreenCaptureDenied.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
  });
});
