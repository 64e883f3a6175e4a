import { DEFAULT_POLICY, type TccLog, type TccLogDecision } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, okSection, unreadableTccDb } from '../testing/snapshots.js';
import { tccCameraDenied } from './tcc-camera-denied.js';
import { tccMicrophoneDenied } from './tcc-microphone-denied.js';
import { tccScreenCaptureDenied } from './tcc-screen-capture-denied.js';

/** A macOS 27 user TCC.db out of reach: no per-user database was read. */
const missingUserDb = unreadableTccDb({ status: 'missing', reason: 'no TCC.db at this path' });

/** Lines in the layout of the real compact capture (recorded-macs/extra-captures/log-tcc-compact-macmini-2026-10-06-prompt-denied.txt). */
const PROMPT = '2026-10-06 11:57:48.683 Df tccd[75697:5ad68f1] [com.apple.TCC:access] AUTHREQ_PROMPTING: msgID=75841.27701, service=kTCCServiceCamera, subject=Sub:{us.zoom.xos}Resp:{TCCDProcess: identifier=us.zoom.xos, pid=84654}';
const RESULT = '2026-10-06 11:58:10.001 Df tccd[75697:5ad68f1] [com.apple.TCC:access] AUTHREQ_RESULT: msgID=75841.27701, authValue=0, authReason=2, authVersion=1, desired_auth=0, error=(null),';

const decision = (over: Partial<TccLogDecision> = {}): TccLogDecision => ({
  service: 'kTCCServiceCamera', client: 'us.zoom.xos', authValue: 0, authValueName: 'denied', authReason: 2, authReasonName: 'user-consent',
  preflight: null, observedAt: '2026-10-06 11:58:10.001', lines: [PROMPT, RESULT], ...over,
});
const log = (decisions: TccLogDecision[], over: Partial<TccLog> = {}): TccLog => ({ status: 'ok', windowDays: 30, clients: ['us.zoom.xos'], decisions, ...over });
const snap = (l?: TccLog) => buildSnapshot({ tcc: okSection({ databases: [missingUserDb], ...(l ? { log: l } : {}) }, ['log show (com.apple.TCC)']) });

describe('TCC rules on macOS 27: the unified log answers when no per-user TCC.db can be read', () => {
  it('a camera denial seen in the log raises tcc.camera.denied with the log line as evidence and a tcc.reset', () => {
    const [finding, ...rest] = tccCameraDenied.evaluate(snap(log([decision()])), DEFAULT_POLICY);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      id: 'tcc.camera.denied',
      key: 'tcc.camera.denied:log:us.zoom.xos',
      severity: 'critical',
      evidence: [{ section: 'tcc', detail: `kTCCServiceCamera for us.zoom.xos: denied (user-consent) seen in the unified log at 2026-10-06 11:58:10.001: ${RESULT}` }],
      remedy: { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } },
    });
  });

  it('an allowed (or limited) latest decision raises nothing; the microphone is judged on its own decision', () => {
    expect(tccCameraDenied.evaluate(snap(log([decision({ authValue: 2, authValueName: 'allowed' })])), DEFAULT_POLICY)).toEqual([]);
    expect(tccMicrophoneDenied.evaluate(snap(log([decision({ service: 'kTCCServiceMicrophone' })])), DEFAULT_POLICY).map((f) => f.key)).toEqual(['tcc.microphone.denied:log:us.zoom.xos']);
  });

  it('no decision in the window is "could not check" with the reason, never "allowed"', () => {
    expect(() => tccCameraDenied.evaluate(snap(log([])), DEFAULT_POLICY)).toThrow(/tccd logged no kTCCServiceCamera decision about us\.zoom\.xos in the last 30 days/);
    expect(() => tccMicrophoneDenied.evaluate(snap(log([decision()])), DEFAULT_POLICY)).toThrow(/no kTCCServiceMicrophone decision/);
  });

  it('"not asked yet" (authValue 1), an unreadable log, a log of another app and an older agent without a log cannot judge either', () => {
    expect(() => tccCameraDenied.evaluate(snap(log([decision({ authValue: 1, authValueName: 'unknown' })])), DEFAULT_POLICY)).toThrow(/latest kTCCServiceCamera decision about us\.zoom\.xos in the unified log is unknown/);
    expect(() => tccCameraDenied.evaluate(snap(log([], { status: 'unreadable', reason: 'log show: exited 1' })), DEFAULT_POLICY)).toThrow(/the unified log could not be read: log show: exited 1/);
    expect(() => tccCameraDenied.evaluate(snap(log([decision()], { clients: ['us.zoom.videomeetings'] })), DEFAULT_POLICY)).toThrow(/read for us\.zoom\.videomeetings, not us\.zoom\.xos/);
    expect(() => tccCameraDenied.evaluate(snap(), DEFAULT_POLICY)).toThrow(/no unified log/);
  });

  it('an MDM-set denial (authReason 6) in the log offers no reset', () => {
    const [finding] = tccCameraDenied.evaluate(snap(log([decision({ authReason: 6, authReasonName: 'mdm-policy' })])), DEFAULT_POLICY);
    expect(finding?.remedy.action).toBeUndefined();
    expect(finding?.remedy.summary).toMatch(/PPPC payload for us\.zoom\.xos \(kTCCServiceCamera\)/);
  });

  it('screen recording (system TCC.db unread): a logged denial raises the warning; without one, nothing as before', () => {
    const system = unreadableTccDb({ path: '/Library/Application Support/com.apple.TCC/TCC.db', scope: 'system', user: null });
    const s = (l: TccLog) => buildSnapshot({ tcc: okSection({ databases: [system, missingUserDb], log: l }, []) });
    expect(tccScreenCaptureDenied.evaluate(s(log([decision({ service: 'kTCCServiceScreenCapture' })])), DEFAULT_POLICY).map((f) => f.key)).toEqual(['tcc.screen-capture.denied:log:us.zoom.xos']);
    expect(tccScreenCaptureDenied.evaluate(s(log([])), DEFAULT_POLICY)).toEqual([]);
  });

  it('a tcc.reset the agent ran after the logged denial stands for the deleted row (no finding); an older one does not', () => {
    const reset = (at: string, service = 'kTCCServiceCamera') => log([decision()], { resets: [{ service, client: 'us.zoom.xos', at }] });
    expect(tccCameraDenied.evaluate(snap(reset('2026-10-06 12:00:00.000')), DEFAULT_POLICY)).toEqual([]);
    expect(tccCameraDenied.evaluate(snap(reset('2026-10-06 12:00:00.000', 'kTCCServiceAll')), DEFAULT_POLICY)).toEqual([]);
    expect(tccCameraDenied.evaluate(snap(reset('2026-10-06 11:00:00.000')), DEFAULT_POLICY).map((f) => f.key)).toEqual(['tcc.camera.denied:log:us.zoom.xos']);
    expect(tccCameraDenied.evaluate(snap(reset('2026-10-06 12:00:00.000', 'kTCCServiceMicrophone')), DEFAULT_POLICY).map((f) => f.key)).toEqual(['tcc.camera.denied:log:us.zoom.xos']);
  });
});
