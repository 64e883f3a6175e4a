import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/fixtures.js';
import { latestTccDecisions, parseTccLog } from './tcc.js';

/** Real tccd log captures kept in the repo (sources in recorded-macs/extra-captures/SOURCES.md). */
const capture = (name: string): string => readFileSync(path.join(REPO_ROOT, 'recorded-macs/extra-captures', name), 'utf8');
const MACMINI = capture('log-tcc-compact-macmini-2026-10-06-prompt-denied.txt');
const ATERM = capture('log-tcc-compact-aterm-2026-08-31-lines.txt');
const BLOG = capture('log-tcc-default-blog-2025-09-12-ctx-subject.txt');

describe('parseTccLog on real captures', () => {
  it('compact style (Mac mini, 2026-10-06): the prompt and its "Don\'t Allow" join into one decision by tccd pid and msgID', () => {
    const lines = MACMINI.trimEnd().split('\n');
    expect(parseTccLog(MACMINI, ['/private/tmp/opendir'])).toEqual({
      ok: true,
      value: {
        tccdLines: 3,
        decisions: [{
          service: 'kTCCServiceSystemPolicyDesktopFolder',
          client: '/private/tmp/opendir',
          authValue: 0,
          authValueName: 'denied',
          authReason: 2,
          authReasonName: 'user-consent',
          preflight: null,
          observedAt: '2026-10-06 11:58:10.001',
          lines: [lines[2], lines[3]],
        }],
      },
      problems: [],
    });
  });

  it('keeps nothing about apps it was not asked about (the unanswered prompt and the other app are dropped)', () => {
    expect(parseTccLog(MACMINI, ['us.zoom.xos'])).toEqual({ ok: true, value: { tccdLines: 3, decisions: [] }, problems: [] });
    expect(parseTccLog(MACMINI, ['com.anthropic.claude-code'])).toMatchObject({ ok: true, value: { decisions: [] } });
  });

  it('compact style (aterm, 2026-08-31): one msgID in two tccd processes is two requests, not one decision', () => {
    expect(parseTccLog(ATERM, ['/usr/bin/mdfind'])).toEqual({ ok: true, value: { tccdLines: 3, decisions: [] }, problems: [] });
  });

  it('default style (2025-09-12 write-up): CTX, ATTRIBUTION and SUBJECT read; no RESULT, so no decision', () => {
    expect(parseTccLog(BLOG, ['com.apple.systempreferences'])).toEqual({ ok: true, value: { tccdLines: 3, decisions: [] }, problems: [] });
  });

  it('default style: with its AUTHREQ_RESULT (written here in the same layout) the CTX service, preflight and SUBJECT join', () => {
    const result = '2025-09-12 08:35:25.590000-0300 0x22e5 Default 0x14359 152 0 tccd: [com.apple.TCC:access] AUTHREQ_RESULT: msgID=159.126, authValue=2, authReason=4, authVersion=1, desired_auth=0, error=(null),';
    const r = parseTccLog(`${BLOG}${result}\n`, ['com.apple.systempreferences']);
    expect(r.ok && r.value.decisions).toEqual([expect.objectContaining({
      service: 'kTCCServiceListenEvent', client: 'com.apple.systempreferences', authValueName: 'allowed', authReasonName: 'system-set', preflight: true, observedAt: '2025-09-12 08:35:25.590000-0300',
    })]);
    expect(r.ok && r.value.decisions[0]?.lines).toHaveLength(3);
  });
});

describe('parseTccLog edge cases', () => {
  const [header = '', , prompt = '', result = ''] = MACMINI.trimEnd().split('\n');

  it('no event: empty output or the compact header alone is zero decisions, not an error', () => {
    expect(parseTccLog('', ['us.zoom.xos'])).toEqual({ ok: true, value: { tccdLines: 0, decisions: [] }, problems: [] });
    expect(parseTccLog(`${header}\n`, ['us.zoom.xos'])).toEqual({ ok: true, value: { tccdLines: 0, decisions: [] }, problems: [] });
  });

  it('text that is no tccd log at all fails with a reason', () => {
    expect(parseTccLog('log: Could not open local log store\n', ['us.zoom.xos'])).toMatchObject({ ok: false, error: expect.stringMatching(/no tccd line/) });
  });

  it('a <private> subject names nothing; an AUTHREQ line that no longer reads is a problem, never a decision', () => {
    const hidden = prompt.replace('Sub:{/private/tmp/opendir}', 'Sub:{<private>}');
    expect(parseTccLog([hidden, result].join('\n'), ['<private>'])).toEqual({ ok: true, value: { tccdLines: 2, decisions: [] }, problems: [] });
    const changed = result.replace('authValue=0, authReason=2', 'auth=denied');
    const r = parseTccLog([prompt, changed].join('\n'), ['/private/tmp/opendir']);
    expect(r).toMatchObject({ ok: true, value: { decisions: [] }, problems: [expect.stringMatching(/^line 2: unreadable AUTHREQ_RESULT line/)] });
  });

  it('latestTccDecisions keeps the last decision per app and service', () => {
    const again = result.replace('11:58:10.001', '12:00:00.000').replace('authValue=0', 'authValue=2');
    const r = parseTccLog([prompt, result, prompt, again].join('\n'), ['/private/tmp/opendir']);
    expect(r.ok && r.value.decisions).toHaveLength(2);
    expect(r.ok && latestTccDecisions(r.value.decisions).map((d) => [d.authValueName, d.observedAt])).toEqual([['allowed', '2026-10-06 12:00:00.000']]);
  });

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(header, prompt, result, 'AUTHREQ_RESULT: x'), fc.string())), (lines) => {
      const r = parseTccLog(lines.join('\n'), ['/private/tmp/opendir']);
      expect(typeof r.ok).toBe('boolean');
    }));
  });
});
