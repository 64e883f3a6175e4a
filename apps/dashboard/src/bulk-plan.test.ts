// The bulk fix's words: a dry run counted by Mac, skipped Macs grouped by reason, the list's
// button, what to do after a batch and after an error. Plans are shaped as the server's
// POST /api/v1/remediations answers (the demo fleet's tcc.unreadable: 2 Macs, 3 findings).
import type { Action } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import type { BatchCommand, BatchCounts, RemediationAnswer, SkippedMac } from '../web/api/types.js';
import { batchNextStep, bulkButtonLabel, bulkErrorWords, groupSkipped, summarizePlan } from '../web/model/bulk.js';

const FDA = 'no automatic remedy for this finding: Grant the FleetMedic agent Full Disk Access (a PPPC profile allowing SystemPolicyAllFiles for the agent, or System Settings > Privacy & Security > Full Disk Access), then collect again.';
const MDM = 'no automatic remedy for this finding: A configuration profile from your MDM (PPPC payload, auth_reason mdm-policy) denies Zoom the camera.';
const CAMERA: Action = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
type RemediationTarget = RemediationAnswer['targets'][number];
const skip = (deviceId: string, hostname: string, findingKey: string, reason: string): SkippedMac => ({ deviceId, hostname, findingKey, reason });
const target = (deviceId: string, hostname: string, findingKey: string, action: Action = CAMERA): RemediationTarget => ({ deviceId, hostname, findingKey, action });
const counts = (c: Partial<BatchCounts>): BatchCounts => ({ total: 0, succeeded: 0, failed: 0, pending: 0, timedOut: 0, expired: 0, cancelled: 0, ...c });
const command = (hostname: string, status: BatchCommand['status'], action: Action = CAMERA): BatchCommand => ({
  id: `c-${hostname}`, deviceId: `d-${hostname}`, hostname, action, status, reason: null, exitCode: null, sentAt: null, ackedAt: null, finishedAt: null,
});

describe('summarizePlan', () => {
  it('counts Macs, not findings: one Mac with two causes (no Full Disk Access; a TCC.db not understood) is one skipped Mac, named once', () => {
    const summary = summarizePlan({
      targets: [],
      skipped: [
        skip('d1', 'macmini-m4-27', 'tcc.unreadable:full-disk-access', FDA),
        skip('d2', 'mbp-m5pro-26-nofda', 'tcc.unreadable:full-disk-access', FDA),
        skip('d2', 'mbp-m5pro-26-nofda', 'tcc.unreadable:unparseable', FDA),
      ],
    });
    expect(summary).toEqual({ targetMacs: 0, actions: [], skippedMacs: 2, skipped: [{ reason: FDA, hostnames: ['macmini-m4-27', 'mbp-m5pro-26-nofda'] }] });
  });

  it('names each distinct action with what it does and on how many Macs; a Mac that is also skipped counts as a target', () => {
    const summary = summarizePlan({
      targets: [target('a', 'anna-mbp', 'tcc.camera.denied:us.zoom.xos'), target('b', 'ben-mba', 'tcc.camera.denied:us.zoom.xos')],
      skipped: [skip('a', 'anna-mbp', 'tcc.camera.denied:mdm:us.zoom.xos', MDM), skip('c', 'carla-imac', 'tcc.camera.denied:mdm:us.zoom.xos', MDM)],
    });
    expect(summary.targetMacs).toBe(2);
    expect(summary.skippedMacs).toBe(1);
    expect(summary.actions).toEqual([{
      action: CAMERA,
      macs: 2,
      words: 'Reset the Camera permission (TCC) of us.zoom.xos on 2 Macs. macOS asks the user again the next time the app wants it.',
    }]);
    expect(summary.skipped).toEqual([{ reason: MDM, hostnames: ['anna-mbp', 'carla-imac'] }]);
    // One Mac: its hostname, not "1 Macs".
    expect(summarizePlan({ targets: [target('m', 'mbp-m2pro-26', 'firewall.blocks-zoom:/Applications/zoom.us.app', { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } })], skipped: [] }).actions[0]!.words)
      .toBe('Allow incoming connections to /Applications/zoom.us.app in the application firewall of mbp-m2pro-26.');
  });

  it('groups skipped findings by reason in first-seen order', () => {
    expect(groupSkipped([skip('a', 'a', 'k1', FDA), skip('b', 'b', 'k2', MDM), skip('c', 'c', 'k3', FDA)]))
      .toEqual([{ reason: FDA, hostnames: ['a', 'c'] }, { reason: MDM, hostnames: ['b'] }]);
    expect(groupSkipped([])).toEqual([]);
  });
});

describe('bulk fix words', () => {
  it('labels the list button by the rows shown, with + when more pages follow', () => {
    expect([bulkButtonLabel(1, false), bulkButtonLabel(2, false), bulkButtonLabel(50, true), bulkButtonLabel(1, true)])
      .toEqual(['Fix this Mac…', 'Fix all 2 Macs…', 'Fix all 50+ Macs…', 'Fix all 1+ Macs…']);
  });

  it('after a batch: nothing while running; where to look on failures; the user must still allow after a TCC reset', () => {
    expect(batchNextStep({ counts: counts({ total: 2, pending: 1, succeeded: 1 }), commands: [command('a', 'succeeded'), command('b', 'sent')] })).toBeNull();
    expect(batchNextStep({ counts: counts({ total: 1, succeeded: 1 }), commands: [command('a', 'succeeded', { type: 'agent.collect', params: {} })] })).toBeNull();
    expect(batchNextStep({ counts: counts({ total: 1, succeeded: 1 }), commands: [command('a', 'succeeded')] }))
      .toBe('macOS asks each user again the next time Zoom wants the permission; until they allow, the Mac shows “Fixed — waiting for the user to allow”.');
    expect(batchNextStep({ counts: counts({ total: 3, succeeded: 1, failed: 1, timedOut: 1 }), commands: [command('a', 'succeeded'), command('b', 'failed'), command('c', 'timed_out')] }))
      .toMatch(/^2 Macs did not succeed: open a Mac to read its command's output and the reason, then fix it there or run this again\. macOS asks each user again/);
  });

  it('errors say what to do: viewer token, server down, stale list (409), server failure, else the server\'s message', () => {
    expect(bulkErrorWords({ status: 403, message: 'forbidden' }, 'send')).toBe('Your token is a viewer token: it may look but not send commands. Ask an admin for an operator token.');
    expect(bulkErrorWords({ status: 0, message: 'fetch failed' }, 'list')).toBe('Could not list the Macs to fix: the server could not be reached. Check that it is running, then try again.');
    expect(bulkErrorWords({ status: 409, message: 'no Mac to remediate for tcc.camera.denied: 1 with the finding open, all skipped; nothing was queued' }, 'send'))
      .toMatch(/^Nothing was queued: by now every Mac is skipped \(a fix may already be on its way to them\)\. The list above is fresh/);
    expect(bulkErrorWords({ status: 503, message: 'database unavailable' }, 'send')).toBe('Nothing was queued: the server failed (database unavailable). Try again; if it keeps failing, the server\'s log says why.');
    expect(bulkErrorWords({ status: 400, message: 'unknown finding id "nope"' }, 'list')).toBe('Could not list the Macs to fix: unknown finding id "nope"');
  });
});
