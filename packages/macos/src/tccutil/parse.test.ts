import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseTccutilList, parseTccutilResult, type TccutilResult } from './parse.js';

/**
 * Every fixtures/tccutil capture -> outcome. Each capture is fed as the stream tccutil wrote it to (success lines on
 * stdout, errors and usage on stderr) with the exit code the sources record (64 no-such-bundle and usage, 70 failed).
 * Captures holding several runs (prompt lines "$ …") are noted; their lines all agree, so one outcome covers them.
 */
const RESULTS: Record<string, { stream: 'stdout' | 'stderr'; exit: number; want: Omit<TccutilResult, 'reason'>; reason: RegExp }> = {
  'aquaoss-no-such-bundle-short.txt': { stream: 'stderr', exit: 64, want: { outcome: 'no-such-bundle', copies: 0, osStatus: null }, reason: /"dev\.aquaoss\.nonexistent".*not registered with LaunchServices/ },
  // Two runs: with a bundle id and without.
  'blog2022-terminal-camera.txt': { stream: 'stdout', exit: 0, want: { outcome: 'reset', copies: 2, osStatus: null }, reason: /^reset Camera for com\.apple\.Terminal/ },
  // Two runs (with and without sudo), both refused: LocalNetwork is not a TCC service.
  'failed-reset-localnetwork.txt': { stream: 'stderr', exit: 70, want: { outcome: 'failed', copies: 0, osStatus: null }, reason: /could not reset LocalNetwork/ },
  // One run, one success line per LaunchServices-registered copy, after sudo's "Password:".
  'jetforme-reset-all-bundle-3lines.txt': { stream: 'stdout', exit: 0, want: { outcome: 'reset', copies: 3, osStatus: null }, reason: /^reset All for com\.exmaple\.AppBundleID \(3 registered copies/ },
  'june-no-such-bundle-stderr-osstatus.txt': { stream: 'stderr', exit: 64, want: { outcome: 'no-such-bundle', copies: 0, osStatus: -10814 }, reason: /"co\.opensoftware\.june" \(OSStatus -10814\)/ },
  'meetai-reset-no-such-bundle-10814.txt': { stream: 'stderr', exit: 64, want: { outcome: 'no-such-bundle', copies: 0, osStatus: -10814 }, reason: /"…" \(OSStatus -10814\)/ },
  'meetai-reset-success-x4.txt': { stream: 'stdout', exit: 0, want: { outcome: 'reset', copies: 4, osStatus: null }, reason: /^reset AudioCapture for pro\.saleschat\.meetai \(4 registered copies/ },
  // Not reset output at all: `tccutil list` — a reset parser must not read it as success.
  'meetai-tccutil-list-s.txt': { stream: 'stdout', exit: 0, want: { outcome: 'unknown', copies: 0, osStatus: null }, reason: /^tccutil exited 0: \$ tccutil list/ },
  // Three runs: bundle, no bundle, All.
  'signal-reset-single-all.txt': { stream: 'stdout', exit: 0, want: { outcome: 'reset', copies: 3, osStatus: null }, reason: /^reset Camera for org\.whispersystems\.signal-desktop/ },
  'usage-new-with-bundle-arg.txt': { stream: 'stderr', exit: 64, want: { outcome: 'usage', copies: 0, osStatus: null }, reason: /usage \(exit 64\)/ },
  'usage-old-no-bundle-arg.txt': { stream: 'stderr', exit: 64, want: { outcome: 'usage', copies: 0, osStatus: null }, reason: /usage \(exit 64\)/ },
};

describe('parseTccutilResult on every fixtures/tccutil capture', () => {
  it('covers every fixture file', () => expect(Object.keys(RESULTS).sort()).toEqual(listFixtures('tccutil')));

  it.each(Object.entries(RESULTS))('%s', (file, { stream, exit, want, reason }) => {
    const text = readFixture(`tccutil/${file}`);
    const r = stream === 'stdout' ? parseTccutilResult(text, '', exit) : parseTccutilResult('', text, exit);
    expect(r).toMatchObject(want);
    expect(r.reason).toMatch(reason);
  });
});

describe('parseTccutilResult edge cases', () => {
  it('the single-run forms', () => {
    expect(parseTccutilResult('Successfully reset Camera approval status for us.zoom.xos\n', '', 0)).toEqual({ outcome: 'reset', copies: 1, osStatus: null, reason: 'reset Camera for us.zoom.xos' });
    expect(parseTccutilResult('Successfully reset Camera\n', '', 0)).toEqual({ outcome: 'reset', copies: 1, osStatus: null, reason: 'reset Camera for every app' });
  });

  it('success words with a failing exit code, or mixed kinds, are unknown — never reset', () => {
    expect(parseTccutilResult('Successfully reset Camera approval status for us.zoom.xos\n', '', 1)).toMatchObject({ outcome: 'unknown', copies: 0 });
    expect(parseTccutilResult('Successfully reset Camera\n', 'tccutil: Failed to reset Camera\n', 70)).toMatchObject({ outcome: 'unknown', reason: expect.stringMatching(/^contradictory/) });
    expect(parseTccutilResult('', '', 0)).toEqual({ outcome: 'unknown', copies: 0, osStatus: null, reason: 'tccutil exited 0 and printed nothing' });
    // Homebrew's Python tccutil shadowing Apple's (WeChatTweak#695, INDEX.md): not Apple's wording -> unknown.
    expect(parseTccutilResult('', 'tccutil: error: unrecognized arguments: com.tencent.xinWeChat\n', 2)).toMatchObject({ outcome: 'unknown', reason: 'tccutil exited 2: tccutil: error: unrecognized arguments: com.tencent.xinWeChat' });
  });

  it('never throws and only counts copies on reset (property)', () => {
    const pieces = ['Successfully reset Camera approval status for us.zoom.xos', 'tccutil: Failed to reset X', 'tccutil: No such bundle identifier "a": OSStatus error -10814.', 'tccutil: Usage: tccutil reset SERVICE', 'Password:'];
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string())), fc.string(), fc.integer({ min: -1, max: 255 }), (lines, err, code) => {
      const r = parseTccutilResult(lines.join('\n'), err, code);
      expect(['reset', 'no-such-bundle', 'failed', 'usage', 'unknown']).toContain(r.outcome);
      if (r.outcome !== 'reset') expect(r.copies).toBe(0);
      else expect(code).toBe(0);
      expect(r.reason.length).toBeGreaterThan(0);
    }));
  });
});

describe('parseTccutilList', () => {
  it('fixtures/tccutil/meetai-tccutil-list-s.txt: paths and bundle ids; the prompts and the author\'s notes are reported', () => {
    const r = parseTccutilList(readFixture('tccutil/meetai-tccutil-list-s.txt'));
    expect(r).toEqual({
      ok: true,
      value: [
        { client: '/Users/USER/apps/meet-ai/spikes/phase0a-tcc/build/meet-ai.app/Contents/MacOS/meet-ai', clientType: 'path' },
        { client: '/private/tmp/meet-ai-fresh-1790494489/meet-ai.app/Contents/MacOS/meet-ai', clientType: 'path' },
        { client: '/private/tmp/meet-ai-fresh2-1790494596/meet-ai.app/Contents/MacOS/meet-ai', clientType: 'path' },
        { client: 'pro.saleschat.meetai', clientType: 'bundle' },
        { client: '/Users/…/spikes/phase0a-tcc/build/meet-ai.app/Contents/MacOS/meet-ai', clientType: 'path' },
        { client: 'pro.saleschat.meetai', clientType: 'bundle' },
      ],
      problems: [
        'line 1: not a path or bundle id: "$ tccutil list -s kTCCServiceAudioCapture | grep -i meet"',
        'line 3: trailing note dropped',
        'line 4: trailing note dropped',
        'line 7: not a path or bundle id: "$ tccutil list -s kTCCServiceMicrophone | grep -i meet"',
        'line 8: trailing note dropped',
        'line 9: trailing note dropped',
      ],
    });
  });

  it('empty output is an empty list; only noise is a failure', () => {
    expect(parseTccutilList('')).toEqual({ ok: true, value: [], problems: [] });
    expect(parseTccutilList('tccutil: Usage: tccutil reset SERVICE [BUNDLE_ID]\n')).toMatchObject({ ok: false, error: 'no client in tccutil list output' });
  });

  it('keeps non-ASCII paths whole and never throws (property)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\r\n]|\s{2}|^\s|\s$/.test(s))), (names) => {
      const r = parseTccutilList(names.map((n) => `/Applications/${n}.app`).join('\n'));
      expect(r.ok && r.value.map((e) => e.client)).toEqual(names.map((n) => `/Applications/${n}.app`));
    }));
  });
});
