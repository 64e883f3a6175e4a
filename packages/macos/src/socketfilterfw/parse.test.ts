import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import {
  parseAllowSigned, parseBlockAll, parseGlobalState, parseListApps, parseLoggingMode, parseSocketfilterfwGetAll, parseSocketfilterfwWrite, parseStealthMode,
} from './parse.js';

// Each wording below is a line of a fixtures/firewall capture (named) or of FORMATS.md §3.
describe('per-flag parsers: every old and new wording', () => {
  it.each([
    ['Firewall is enabled. (State = 1)', 1], // kolide-combined-get-v1-state1.txt
    ['Firewall is disabled. (State = 0)', 0], // FORMATS.md §3
    ['Firewall is blocking all non-essential incoming connections. (State = 2)', 2], // machealthcheck-pr8-globalstate-2.txt: no word "enabled"
    ['Firewall is enabled. (State = 2)', 2], // kolide-combined-get-v2-state2.txt
    ['Firewall is enabled.', 1],
  ] as const)('--getglobalstate %j -> %i', (line, want) => {
    expect(parseGlobalState(`${line}\n`)).toEqual({ ok: true, value: want, problems: [] });
  });

  it.each([
    ['Firewall has block all state set to disabled.', false],
    ['Firewall has block all state set to enabled.', true],
    ['Block all DISABLED!', false], // pareto139-combined-get-with-stealth-error.txt
    ['Block all ENABLED!', true],
  ] as const)('--getblockall %j -> %s', (line, want) => expect(parseBlockAll(line)).toEqual({ ok: true, value: want, problems: [] }));

  it.each([
    ['Firewall stealth mode is on', true],
    ['Firewall stealth mode is off', false], // kolide v1
    ['Stealth mode enabled', true], // kolide v2, drduh
    ['Stealth mode disabled', false],
  ] as const)('--getstealthmode %j -> %s', (line, want) => expect(parseStealthMode(line)).toEqual({ ok: true, value: want, problems: [] }));

  it('--getallowsigned: new wording with periods, old wording without, one line missing', () => {
    expect(parseAllowSigned('Automatically allow built-in signed software ENABLED.\nAutomatically allow downloaded signed software DISABLED.\n'))
      .toEqual({ ok: true, value: { builtIn: true, downloaded: false }, problems: [] });
    expect(parseAllowSigned('Automatically allow signed built-in software ENABLED\nAutomatically allow downloaded signed software ENABLED\n'))
      .toEqual({ ok: true, value: { builtIn: true, downloaded: true }, problems: [] });
    expect(parseAllowSigned('Automatically allow signed built-in software DISABLED\n'))
      .toEqual({ ok: true, value: { builtIn: false, downloaded: null }, problems: ['no allow signed downloaded line in socketfilterfw output'] });
    expect(parseAllowSigned('')).toEqual({ ok: false, error: 'no allow signed built-in line in socketfilterfw output', problems: [] });
  });

  it('--getloggingmode "Log mode is on " (trailing space)', () => expect(parseLoggingMode('Log mode is on \n')).toEqual({ ok: true, value: true, problems: [] }));

  it('an ALF error line makes that flag unreadable, not false', () => {
    expect(parseStealthMode('ALF: Error, kStealthEnableKey does not return the correct type.\n')).toEqual({
      ok: false, error: 'stealth mode unreadable: socketfilterfw said "ALF: Error, kStealthEnableKey does not return the correct type."', problems: [],
    });
    expect(parseGlobalState('Password:\n')).toEqual({ ok: false, error: 'no global state line in socketfilterfw output', problems: [] });
    // Found by the firewall parser's property test (PGlite loop at 04b6aec, run 1): "State = 11" was read as state 11.
    expect(parseGlobalState('Firewall is enabled. (State = 11)\n')).toEqual({ ok: false, error: 'global state 11 not recognised: socketfilterfw prints 0 (off), 1 (on) or 2 (block all)', problems: [] });
  });

  it('a combined --get run: every value, with the unknown and error lines reported', () => {
    expect(parseSocketfilterfwGetAll(readFixture('firewall/kolide-combined-get-v1-state1.txt'))).toEqual({
      ok: true,
      value: { globalState: 1, blockAll: false, allowSignedBuiltIn: true, allowSignedDownloaded: true, stealthMode: false, logMode: true, logOption: 'throttled' },
      problems: [],
    });
    expect(parseSocketfilterfwGetAll(readFixture('firewall/pareto139-combined-get-with-stealth-error.txt'))).toEqual({
      ok: true,
      value: { globalState: 1, blockAll: false, allowSignedBuiltIn: true, allowSignedDownloaded: true },
      problems: ['socketfilterfw error: ALF: Error, kStealthEnableKey does not return the correct type.'],
    });
  });
});

describe('parseListApps: the three layouts', () => {
  const LISTAPPS = listFixtures('firewall').filter((f) => /listapps/.test(f));
  it.each([
    ['blog2020-listapps-old-format-excerpt.txt', 7, 1],
    ['darwin27-listapps-zoom-entry-measured.txt', 3, 1],
    ['kolide-listapps-macos15beta-state-format.txt', 6, 6],
    ['macos15.3.1-listapps-new-format-trimmed.txt', 4, 4],
    ['nixdarwin-1705-listapps-new-format.txt', 9, 9],
    ['osquery2322-listapps-old-format-2016.txt', 3, 3],
  ] as const)('%s: header %i, %i rows', (file, count, rows) => {
    const r = parseListApps(readFixture(`firewall/${file}`));
    expect(r.ok && r.value.count).toBe(count);
    expect(r.ok && r.value.apps).toHaveLength(rows);
    expect(r.problems).toEqual(count === rows ? [] : [`header says ${count} apps, ${rows} listed (output cut?)`]);
  });
  it('lists every listapps fixture above', () => expect(LISTAPPS).toHaveLength(6));

  it('a row without its Allow/Block line, an unknown state and garbage are reported', () => {
    expect(parseListApps('Total number of apps = 2\n1 : /Applications/zoom.us.app\nfoo (state: 9)\n(Allow incoming connections)\n(Block incoming connections)\nxyz\n')).toEqual({
      ok: true,
      value: { count: 2, apps: [{ path: '/Applications/zoom.us.app', name: null, allowIncoming: null }, { path: null, name: 'foo', allowIncoming: null }] },
      problems: ['foo: unknown app state 9', '"(Allow incoming connections)" without an application line before it', '"(Block incoming connections)" without an application line before it', 'unrecognised line: xyz', '/Applications/zoom.us.app: no Allow/Block line'],
    });
    expect(parseListApps('')).toMatchObject({ ok: false, error: 'no "total number of apps" line and no application rows' });
    expect(parseListApps('Firewall settings cannot be modified from command line on managed Mac computers.')).toMatchObject({ ok: false, error: expect.stringMatching(/cannot be modified/) });
  });
});

describe('parseSocketfilterfwWrite', () => {
  it('applied / refused (MDM-managed Mac) / failed / unknown', () => {
    expect(parseSocketfilterfwWrite('Password:\nStealth mode enabled\n', '', 0)).toEqual({ outcome: 'applied', reason: 'socketfilterfw confirmed: "Stealth mode enabled"' });
    // Wording quoted in several public notes on managed Macs (e.g. a macOS firewall README, find_string id 36003382137).
    expect(parseSocketfilterfwWrite('Firewall settings cannot be modified from command line on managed Mac computers.\n', '', 0)).toEqual({
      outcome: 'refused', reason: 'socketfilterfw refused the change: "Firewall settings cannot be modified from command line on managed Mac computers."',
    });
    expect(parseSocketfilterfwWrite('', 'ALF: Error, kStealthEnableKey does not return the correct type.\n', 1)).toMatchObject({ outcome: 'failed' });
    expect(parseSocketfilterfwWrite('Stealth mode enabled\n', '', 1)).toMatchObject({ outcome: 'unknown' });
    expect(parseSocketfilterfwWrite('', '', 0)).toEqual({ outcome: 'unknown', reason: 'socketfilterfw exited 0 and printed nothing' });
  });

  it('--add of an app already in the list is applied (recorded-macs/extra-captures/socketfilterfw-add-unblockapp-blog-nginx.txt)', () => {
    expect(parseSocketfilterfwWrite('The application is already a part of the firewall\n', '', 0)).toMatchObject({ outcome: 'applied' });
    expect(parseSocketfilterfwWrite('Incoming connection to the application is permitted\n', '', 0)).toMatchObject({ outcome: 'applied' });
  });
});

describe('never throws (property)', () => {
  it('on arbitrary text and on mangled captures', () => {
    const base = listFixtures('firewall').filter((f) => f.endsWith('.txt')).map((f) => readFixture(`firewall/${f}`)).join('\n');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(50), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mangled, fc.string({ unit: 'binary' })), fc.integer({ min: 0, max: 255 }), (text, code) => {
      for (const r of [parseGlobalState(text), parseBlockAll(text), parseStealthMode(text), parseAllowSigned(text), parseListApps(text), parseSocketfilterfwGetAll(text)]) {
        expect(r.ok || r.error.length > 0).toBe(true);
      }
      expect(['applied', 'refused', 'failed', 'unknown']).toContain(parseSocketfilterfwWrite(text, '', code).outcome);
    }), { numRuns: 300 });
  });
});
