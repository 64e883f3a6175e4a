import type { CodeSignatureCheck, CodeSignatureInfo } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, readExtraCapture } from '../testing/fixtures.js';
import { parseCodesignDisplay } from './display.js';
import { parseCodesignVerify } from './verify.js';

/** Every codesign-verify-* capture: the exit status codesign gives for it, and what it must read as. */
const VERIFY: Record<string, { exitCode: number; expected: CodeSignatureCheck | { error: RegExp } }> = {
  // The author cut the output with "[...]" before the verdict lines and the exit status is not shown.
  'codesign-verify-deep-strict-valid-iterm-elided.txt': { exitCode: -1, expected: { error: /^no verdict in codesign --verify output/ } },
  'codesign-verify-invalid-signature-kilo-arm64.txt': {
    exitCode: 1,
    expected: { valid: false, verdict: 'invalid-signature', reason: 'invalid signature (code or signature have been modified)', details: ['In architecture: arm64'] },
  },
  'codesign-verify-invalid-signature-tampered-ls-arm64e.txt': {
    exitCode: 1,
    expected: { valid: false, verdict: 'invalid-signature', reason: 'invalid signature (code or signature have been modified)', details: ['In architecture: arm64e'] },
  },
  'codesign-verify-not-signed-subcomponent-matraca.txt': {
    exitCode: 1,
    expected: { valid: false, verdict: 'not-signed', reason: 'code object is not signed at all', details: ['In subcomponent: .../Contents/MacOS/ggml-metal.metal'] },
  },
  'codesign-verify-sealed-resource-file-added-deeptutor.txt': {
    exitCode: 1,
    expected: {
      valid: false, verdict: 'sealed-resource', reason: 'a sealed resource is missing or invalid',
      details: ['file added: .../runtime/python/lib/python3.13/encodings/__pycache__/idna.cpython-313.pyc.4442832944'],
    },
  },
  'codesign-verify-sealed-resource-file-missing-xamarin.txt': {
    exitCode: 1,
    expected: {
      valid: false, verdict: 'sealed-resource', reason: 'a sealed resource is missing or invalid',
      details: ['file missing: /Users/macuser/Library/Caches/Xamarin/mtbs/builds/iPhoneApp1/cc530d20d6b19da63f6f1c6f67a0a254/old/Payload/iPhoneApp1.app/MyFile.png'],
    },
  },
  'codesign-verify-valid-mimic-test-requirement-failed.txt': {
    exitCode: 3,
    expected: { valid: false, verdict: 'requirement-failed', reason: 'code failed to satisfy specified code requirement(s)', details: [] },
  },
  'codesign-verify-valid-quick-lint-js.txt': { exitCode: 0, expected: { valid: true, verdict: 'valid', reason: null, details: [] } },
};

const BJ4 = 'Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)';
/** Every codesign-dv* capture with what it holds. */
const DISPLAY: Record<string, { info: CodeSignatureInfo; problems: RegExp[] }> = {
  'codesign-dv-zoom-airhost-sonoma.txt': { info: { identifier: 'us.zoom.airhost', teamId: 'BJ4HAAB9B3', authorities: [], adhoc: false }, problems: [] },
  // Zoom re-signed with another account; the author's placeholder is what the page shows.
  'codesign-dv-zoom-resigned-own-team-2020.txt': {
    info: { identifier: 'us.zoom.xos', teamId: '<YOUR TEAM ID>', authorities: [], adhoc: false },
    problems: [/TeamIdentifier "<YOUR TEAM ID>" is not a 10-character Team ID/],
  },
  'codesign-dvvv-zoom-objective-see-elided.txt': {
    info: { identifier: 'us.zoom.xos', teamId: 'BJ4HAAB9B3', authorities: [BJ4, 'Developer ID Certification Authority', 'Apple Root CA'], adhoc: false },
    problems: [/no TeamIdentifier= line: Team ID BJ4HAAB9B3 taken from the leaf Authority/],
  },
};

describe('parseCodesignVerify on every codesign-verify capture', () => {
  it('covers every capture', () => expect(Object.keys(VERIFY).sort()).toEqual(listExtraCaptures('codesign-verify-')));
  it.each(Object.entries(VERIFY))('%s', (file, { exitCode, expected }) => {
    const r = parseCodesignVerify(readExtraCapture(file), exitCode);
    if ('error' in expected) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(expected.error) });
    else expect(r).toEqual({ ok: true, value: expected, problems: [] });
  });
});

describe('parseCodesignDisplay on every codesign -dv capture', () => {
  it('covers every capture', () => expect(Object.keys(DISPLAY).sort()).toEqual(listExtraCaptures('codesign-dv')));
  it.each(Object.entries(DISPLAY))('%s', (file, { info, problems }) => {
    const r = parseCodesignDisplay(readExtraCapture(file));
    expect(r).toMatchObject({ ok: true, value: info });
    expect(r.problems).toHaveLength(problems.length);
    problems.forEach((re, i) => expect(r.problems[i]).toMatch(re));
  });
});

describe('codesign parsers on bad input', () => {
  it('verify: no output with exit 0 is valid with a problem; with exit 1 it fails', () => {
    expect(parseCodesignVerify('', 0)).toMatchObject({ ok: true, value: { valid: true }, problems: [expect.stringMatching(/no verdict/)] });
    expect(parseCodesignVerify('', 1)).toEqual({ ok: false, error: 'no verdict in codesign --verify output (exit 1)', problems: [] });
  });
  it('verify: an unknown failure sentence on a non-zero exit is kept as "other"', () => {
    expect(parseCodesignVerify('/Applications/zoom.us.app: resource fork, Finder information, or similar detritus not allowed\n', 1))
      .toMatchObject({ ok: true, value: { valid: false, verdict: 'other', reason: 'resource fork, Finder information, or similar detritus not allowed' } });
  });
  it('verify: a failure sentence with exit 0 is still a failure, and says so', () => {
    expect(parseCodesignVerify('x.app: a sealed resource is missing or invalid', 0))
      .toMatchObject({ ok: true, value: { valid: false }, problems: ['codesign reported "a sealed resource is missing or invalid" but exited 0'] });
  });
  it('display: unsigned and empty inputs fail with a reason', () => {
    expect(parseCodesignDisplay('/Applications/zoom.us.app: code object is not signed at all\n')).toEqual({ ok: false, error: 'code object is not signed at all', problems: [] });
    expect(parseCodesignDisplay('')).toMatchObject({ ok: false, error: /no Identifier=/ });
  });
  it('display: "not set" and ad-hoc', () => {
    expect(parseCodesignDisplay('Identifier=a.b\nCodeDirectory v=20400 size=1 flags=0x2(adhoc) hashes=1+0\nSignature=adhoc\nTeamIdentifier=not set\n'))
      .toEqual({ ok: true, value: { identifier: 'a.b', teamId: null, authorities: [], adhoc: true }, problems: [] });
  });
  it('never throw on arbitrary or mangled input (property)', () => {
    const base = readExtraCapture('codesign-verify-sealed-resource-file-missing-xamarin.txt') + readExtraCapture('codesign-dvvv-zoom-objective-see-elided.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), fc.option(fc.integer({ min: -1, max: 3 })), (text, code) => {
      const v = parseCodesignVerify(text, code);
      if (v.ok && !v.value.valid) expect(text).toContain(v.value.reason);
      const d = parseCodesignDisplay(text);
      if (d.ok && d.value.identifier) expect(text).toContain(d.value.identifier);
    }));
  });
  it('reads 2 MB of nested-code lines without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const big = '--prepared:/Applications/zoom.us.app/Contents/Frameworks/x.dylib\n'.repeat(30_000) + '/Applications/zoom.us.app: valid on disk\n';
    expect(parseCodesignVerify(big, 0)).toMatchObject({ ok: true, value: { valid: true } });
  });
});
