import type { FirewallFacts } from '@fleetmedic/protocol';
import fc from 'fast-check';
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { parseSocketfilterfwWrite, parseStealthMode } from '../socketfilterfw/parse.js';
import { parseManagedSettings } from '../profiles/managed-settings.js';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseAlfPlist, parseFirewall, parseSpFirewallJson } from './parse.js';

const NONE: FirewallFacts = { globalState: null, blockAll: null, stealthMode: null, allowSignedBuiltIn: null, allowSignedDownloaded: null, apps: null };
const GETS = ['--getglobalstate', '--getblockall', '--getstealthmode', '--getallowsigned'];
const notRead = (...flags: string[]) => flags.map((f) => `${f}: not read`);
/** A combined `--get…` capture passed for every --get flag it answers, as the agent may do with one invocation. */
const allGets = (text: string) => ({ globalState: text, blockAll: text, stealthMode: text, allowSigned: text });
const allow = (path: string, allowIncoming: boolean | null = true) => ({ path, name: null, allowIncoming });

/** Every fixtures/firewall file, what it is fed to, and the real values in it. */
const FIXTURES: Record<string, () => void> = {
  'SPFirewallDataType-json-macos27-vm-firewall-off.json': () => {
    // The first real SPFirewallDataType JSON (a macOS 27 VM, firewall off): apps keyed by bundle id, services ignored.
    const bundle = (name: string) => ({ path: null, name, allowIncoming: true });
    expect(parseSpFirewallJson(readFixture('firewall/SPFirewallDataType-json-macos27-vm-firewall-off.json'))).toEqual({
      ok: true,
      value: {
        globalState: 0, blockAll: false, stealthMode: false, allowSignedBuiltIn: null, allowSignedDownloaded: null,
        apps: ['com.apple.CoreDevice.remotepairingdeviced', 'com.apple.cupsd', 'com.apple.dt.xcode_select.tool-shim-public', 'com.apple.remoted',
          'com.apple.ruby', 'com.apple.sharingd', 'com.apple.smbd', 'com.apple.sshd-keygen-wrapper'].map(bundle),
      },
      problems: ['allow-signed switches: not reported by SPFirewallDataType'],
    });
  },
  'blog2020-listapps-old-format-excerpt.txt': () => {
    // Partial by nature (1 of 7 entries shown): the rows read, the gap reported.
    expect(parseFirewall({ listApps: readFixture('firewall/blog2020-listapps-old-format-excerpt.txt') })).toEqual({
      ok: true,
      value: { ...NONE, apps: [allow('/Library/Java/JavaVirtualMachines/amazon-corretto-8.jdk/Contents/Home/bin/java')] },
      problems: [...notRead(...GETS), '--listapps: header says 7 apps, 1 listed (output cut?)'],
    });
  },
  'darwin27-listapps-zoom-entry-measured.txt': () => {
    // Partial by nature (the test kept 1 of 3 entries). Trailing space after the path is trimmed.
    expect(parseFirewall({ listApps: readFixture('firewall/darwin27-listapps-zoom-entry-measured.txt') })).toEqual({
      ok: true, value: { ...NONE, apps: [allow('/Applications/Zoom.app')] }, problems: [...notRead(...GETS), '--listapps: header says 3 apps, 1 listed (output cut?)'],
    });
  },
  'drduh-2018-set-commands.txt': () => {
    // Five `sudo socketfilterfw --set…` runs: each confirmation is a success.
    const runs = readFixture('firewall/drduh-2018-set-commands.txt').split(/\n(?=\$ )/);
    expect(runs.map((r) => parseSocketfilterfwWrite(r, '', 0))).toEqual([
      { outcome: 'applied', reason: 'socketfilterfw confirmed: "Firewall is enabled. (State = 1)"' },
      { outcome: 'applied', reason: 'socketfilterfw confirmed: "Turning on log mode"' },
      { outcome: 'applied', reason: 'socketfilterfw confirmed: "Stealth mode enabled"' },
      { outcome: 'applied', reason: 'socketfilterfw confirmed: "Disabled allow signed built-in applications automatically"' },
      { outcome: 'applied', reason: 'socketfilterfw confirmed: "Disabled allow signed downloaded applications automatically"' },
    ]);
  },
  'fleet21802-SPConfigurationProfile-managed-firewall-macos15-PARTIAL.txt': () => {
    // An SPExtensionsDataType item (ALF.kext) then the MDM-managed firewall keys; the capture is cut mid-Source.
    const text = readFixture('firewall/fleet21802-SPConfigurationProfile-managed-firewall-macos15-PARTIAL.txt');
    const both = ['com.apple.security.firewall (Computer)', 'com.apple.security.firewall (Computer)'];
    const always = (value: string) => ({ value, state: 'always', sources: both });
    expect(parseManagedSettings(text)).toEqual({
      ok: true,
      value: {
        'com.apple.security.firewall': {
          EnableLogging: always('1'), AllowSigned: always('1'), LoggingOption: always('detail'), EnableStealthMode: always('0'),
          EnableFirewall: { value: '1', state: 'always', sources: ['com.apple.security.firewall (Computer)', 'com.apple.secu'] },
        },
      },
      problems: ['output ends without a newline: the last line may be cut'],
    });
    // Not socketfilterfw output: read as nothing, never as "off".
    expect(parseFirewall({ globalState: text })).toMatchObject({ ok: false, error: 'no firewall setting could be read' });
  },
  'kolide-combined-get-v1-state1.txt': () => {
    expect(parseFirewall(allGets(readFixture('firewall/kolide-combined-get-v1-state1.txt')))).toEqual({
      ok: true, value: { ...NONE, globalState: 1, blockAll: false, stealthMode: false, allowSignedBuiltIn: true, allowSignedDownloaded: true }, problems: notRead('--listapps'),
    });
  },
  'kolide-combined-get-v2-state2.txt': () => {
    // State 2 with block-all "disabled" and the old stealth wording (semi-real per INDEX.md): values kept as printed.
    expect(parseFirewall(allGets(readFixture('firewall/kolide-combined-get-v2-state2.txt')))).toEqual({
      ok: true, value: { ...NONE, globalState: 2, blockAll: false, stealthMode: true, allowSignedBuiltIn: true, allowSignedDownloaded: true }, problems: notRead('--listapps'),
    });
  },
  'kolide-listapps-macos15beta-state-format.txt': () => {
    const named = (name: string, allowIncoming: boolean) => ({ path: null, name, allowIncoming });
    expect(parseFirewall({ listApps: readFixture('firewall/kolide-listapps-macos15beta-state-format.txt') })).toEqual({
      ok: true,
      value: { ...NONE, apps: [named('replicatord', true), named('Pop Helper.app', false), named('Google Chrome', false), named('rtadvd', true), named('com.docker.backend', true), named('sshd-keygen-wrapper', true)] },
      problems: notRead(...GETS),
    });
  },
  'machealthcheck-pr8-globalstate-2.txt': () => {
    expect(parseFirewall({ globalState: readFixture('firewall/machealthcheck-pr8-globalstate-2.txt') })).toEqual({
      ok: true, value: { ...NONE, globalState: 2 }, problems: notRead(...GETS.slice(1), '--listapps'),
    });
  },
  'macos15.3.1-listapps-new-format-trimmed.txt': () => {
    expect(parseFirewall({ listApps: readFixture('firewall/macos15.3.1-listapps-new-format-trimmed.txt') })).toEqual({
      ok: true,
      value: { ...NONE, apps: [allow('/usr/bin/python3'), allow('/usr/sbin/smbd'), allow('/opt/ava/bin/postgres', false), allow('/usr/libexec/sharingd')] },
      problems: notRead(...GETS),
    });
  },
  'nixdarwin-1705-listapps-new-format.txt': () => {
    // Includes the prompt line and sudo's "Password:".
    const r = parseFirewall({ listApps: readFixture('firewall/nixdarwin-1705-listapps-new-format.txt') });
    expect(r.ok && r.value.apps).toEqual([
      allow('/usr/libexec/sshd-session', false), allow('/usr/libexec/sshd-auth', false), allow('/usr/libexec/remoted'), allow('/usr/bin/python3'),
      allow('/usr/bin/ruby'), allow('/usr/sbin/cupsd'), allow('/usr/libexec/sharingd'), allow('/usr/libexec/sshd-keygen-wrapper'), allow('/usr/sbin/smbd'),
    ]);
    expect(r.problems).toEqual(notRead(...GETS));
  },
  'osquery-testutil-com.apple.alf-1.0a25.plist': () => {
    const text = readFixture('firewall/osquery-testutil-com.apple.alf-1.0a25.plist');
    const want = { ok: true, value: { ...NONE, apps: [], globalState: 0, blockAll: false, stealthMode: false, allowSignedBuiltIn: true }, problems: ['allowdownloadsignedenabled not in this plist version'] };
    expect(parseAlfPlist(text)).toEqual(want);
    // On disk the file is usually binary: the same content as bplist00 bytes.
    expect(parseAlfPlist(plist.buildBinary(plist.parse(text)))).toEqual(want);
  },
  'osquery2322-listapps-old-format-2016.txt': () => {
    // Old format: "ALF:" prefix, two spaces after the colon, trailing spaces, paths with spaces.
    expect(parseFirewall({ listApps: readFixture('firewall/osquery2322-listapps-old-format-2016.txt') })).toEqual({
      ok: true,
      value: { ...NONE, apps: [allow('/Users/USER/Library/Application Support/Dropbox/Dropbox.app'), allow('/System/Library/CoreServices/RemoteManagement/ARDAgent.app'), allow('/Library/Application Support/Citrix/NetScaler Gateway.app')] },
      problems: notRead(...GETS),
    });
  },
  'pareto139-combined-get-with-stealth-error.txt': () => {
    // Old wordings; the stealth flag printed an error line: null + the error, never "off".
    expect(parseFirewall(allGets(readFixture('firewall/pareto139-combined-get-with-stealth-error.txt')))).toEqual({
      ok: true,
      value: { ...NONE, globalState: 1, blockAll: false, stealthMode: null, allowSignedBuiltIn: true, allowSignedDownloaded: true },
      problems: ['--getstealthmode: stealth mode unreadable: socketfilterfw said "ALF: Error, kStealthEnableKey does not return the correct type."', ...notRead('--listapps')],
    });
  },
  'pareto139-setstealth-then-get-error.txt': () => {
    // A set that printed "Stealth mode enabled", then a get that failed: the later error wins.
    const text = readFixture('firewall/pareto139-setstealth-then-get-error.txt');
    expect(parseStealthMode(text)).toEqual({
      ok: false,
      error: 'stealth mode unreadable: socketfilterfw said "ALF: Error, kStealthEnableKey does not return the correct type."',
      problems: ['an earlier line gave stealth mode = true; the later error wins'],
    });
    const [set] = text.split(/\n(?=\/usr\/libexec)/);
    expect(parseSocketfilterfwWrite(set ?? '', '', 0)).toEqual({ outcome: 'applied', reason: 'socketfilterfw confirmed: "Stealth mode enabled"' });
  },
};

describe('every fixtures/firewall capture', () => {
  it('covers every fixture file', () => expect(Object.keys(FIXTURES).sort()).toEqual(listFixtures('firewall')));
  it.each(Object.keys(FIXTURES))('%s', (file) => FIXTURES[file]?.());
});

describe('parseFirewall', () => {
  it('nothing read, or nothing readable, fails — never "disabled"', () => {
    expect(parseFirewall({})).toEqual({ ok: false, error: 'no firewall setting could be read', problems: notRead(...GETS, '--listapps') });
    const r = parseFirewall({ globalState: 'Firewall settings cannot be modified from command line on managed Mac computers.\n' });
    expect(r).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.stringMatching(/^--getglobalstate: global state unreadable: socketfilterfw said "Firewall settings cannot be modified/)]) });
  });

  it('a global state macOS does not have ("State = 11", from a mangled capture) is unreadable, never a state', () => {
    const text = readFixture('firewall/pareto139-combined-get-with-stealth-error.txt').replace('(State = 1)', '(State = 11)');
    const r = parseFirewall({ ...allGets(text), listApps: text });
    expect(r).toMatchObject({ ok: true, value: { globalState: null, blockAll: false }, problems: expect.arrayContaining(['--getglobalstate: global state 11 not recognised: socketfilterfw prints 0 (off), 1 (on) or 2 (block all)']) });
  });

  it('never throws on arbitrary or mangled captures; booleans stay booleans or null (property)', () => {
    const base = readFixture('firewall/pareto139-combined-get-with-stealth-error.txt') + readFixture('firewall/osquery2322-listapps-old-format-2016.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(30), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mangled, fc.string({ unit: 'binary' })), (text) => {
      const r = parseFirewall({ ...allGets(text), listApps: text });
      if (r.ok) {
        expect([null, 0, 1, 2]).toContain(r.value.globalState);
        for (const v of [r.value.blockAll, r.value.stealthMode, r.value.allowSignedBuiltIn]) expect([null, true, false]).toContain(v);
      } else {
        expect(r.error).toBe('no firewall setting could be read');
      }
    }), { numRuns: 300 });
  });

  it('keeps non-ASCII app paths with spaces whole (property)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\r\n]/.test(s) && s.trim() === s), { minLength: 1, maxLength: 5 }), (names) => {
      const out = [`Total number of apps = ${names.length}`, ...names.flatMap((n, i) => [`${i + 1} : /Applications/${n} App.app `, '             (Block incoming connections)'])].join('\n');
      const r = parseFirewall({ listApps: out });
      expect(r.ok && r.value.apps).toEqual(names.map((n) => ({ path: `/Applications/${n} App.app`, name: null, allowIncoming: false })));
    }));
  });
});

describe('parseSpFirewallJson (system_profiler -json SPFirewallDataType, macOS 15+)', () => {
  // No capture of this command exists in fixtures/: the document below uses the keys and values FORMATS.md §3 lists
  // (and osquery's alf reader maps): spfirewall_globalstate_*, "Yes"/"No", applications keyed by bundle id.
  const doc = (item: Record<string, unknown>) => JSON.stringify({ SPFirewallDataType: [{ _name: 'firewall_settings_entry', ...item }] }, null, 2);

  it.each([
    ['spfirewall_globalstate_allow_all', 0],
    ['spfirewall_globalstate_limit_connections', 1],
    ['spfirewall_globalstate_block_all', 2],
  ] as const)('%s -> global state %i', (state, want) => {
    const r = parseSpFirewallJson(doc({
      spfirewall_globalstate: state, spfirewall_stealthenabled: 'Yes', spfirewall_loggingenabled: 'No',
      spfirewall_applications: { 'us.zoom.xos': 'spfirewall_allow_all', 'com.example.blocked': 'spfirewall_block_all' },
    }));
    expect(r).toEqual({
      ok: true,
      value: {
        globalState: want, blockAll: want === 2, stealthMode: true, allowSignedBuiltIn: null, allowSignedDownloaded: null,
        apps: [{ path: null, name: 'us.zoom.xos', allowIncoming: true }, { path: null, name: 'com.example.blocked', allowIncoming: false }],
      },
      problems: ['allow-signed switches: not reported by SPFirewallDataType'],
    });
  });

  it('unknown values are null with a problem; empty or non-JSON output fails', () => {
    expect(parseSpFirewallJson(doc({ spfirewall_globalstate: 'spfirewall_globalstate_weird' }))).toMatchObject({
      ok: true, value: { globalState: null, blockAll: null, stealthMode: null }, problems: expect.arrayContaining(['spfirewall_globalstate "spfirewall_globalstate_weird" not recognised']),
    });
    expect(parseSpFirewallJson('')).toEqual({ ok: false, error: 'empty SPFirewallDataType output', problems: [] });
    expect(parseSpFirewallJson('{"SPFirewallDataType" : [ ]}')).toEqual({ ok: false, error: 'SPFirewallDataType is empty', problems: [] });
    expect(parseSpFirewallJson('{"SPFirewallDataType" : [')).toMatchObject({ ok: false, error: expect.stringMatching(/^SPFirewallDataType output is not JSON/) });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(typeof parseSpFirewallJson(s).ok).toBe('boolean');
    }));
  });
});

describe('parseManagedSettings bad input', () => {
  it('fails with a reason on output without a managed domain; a key without a Value line is a problem', () => {
    expect(parseManagedSettings('')).toEqual({ ok: false, error: 'no managed preference domain with settings in SPConfigurationProfileDataType output', problems: [] });
    expect(parseManagedSettings('ALF:\n   Version: 5.0\n')).toMatchObject({ ok: false });
    expect(parseManagedSettings('com.apple.security.firewall:\n    EnableFirewall:\n     State: always\n')).toEqual({
      ok: true, value: { 'com.apple.security.firewall': { EnableFirewall: { value: null, state: 'always', sources: [] } } }, problems: ['com.apple.security.firewall EnableFirewall: no Value line'],
    });
  });

  it('never throws on mangled captures (property)', () => {
    const base = readFixture('firewall/fleet21802-SPConfigurationProfile-managed-firewall-macos15-PARTIAL.txt');
    fc.assert(fc.property(fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()), ([at, cut, ins]) => {
      expect(typeof parseManagedSettings(base.slice(0, at) + ins + base.slice(at + cut)).ok).toBe('boolean');
    }), { numRuns: 300 });
  });
});

describe('parseAlfPlist bad input', () => {
  const xml = readFixture('firewall/osquery-testutil-com.apple.alf-1.0a25.plist');

  it('a global state macOS does not have is unreadable (null with why), never "on" or "off"', () => {
    const eleven = xml.replace(/(<key>globalstate<\/key>\s*<integer>)0(<\/integer>)/, '$111$2');
    expect(eleven).not.toBe(xml);
    const r = parseAlfPlist(eleven);
    expect(r).toMatchObject({ ok: true, value: { globalState: null, blockAll: null } });
    expect(r.problems).toContain('globalstate 11 is not a firewall state (0 off, 1 on, 2 block all)');
  });

  it('apps listed with undecoded states have allowIncoming null (unknown), and a problem says so', () => {
    const withZoom = xml.replace(/(<key>applications<\/key>\s*)<array\/>/, '$1<array><dict><key>bundleid</key><string>us.zoom.xos</string><key>state</key><integer>2</integer></dict></array>');
    expect(withZoom).not.toBe(xml);
    const r = parseAlfPlist(withZoom);
    expect(r).toMatchObject({ ok: true, value: { apps: [{ path: null, name: 'us.zoom.xos', allowIncoming: null }] } });
    expect(r.problems).toContain('applications: per-app state codes are not decoded (allowIncoming null); read --listapps');
  });

  it('fails with a reason; never throws on mangled XML (property)', () => {
    expect(parseAlfPlist('')).toEqual({ ok: false, error: 'com.apple.alf.plist: empty plist', problems: [] });
    fc.assert(fc.property(fc.tuple(fc.nat(xml.length), fc.nat(80), fc.string()), ([at, cut, ins]) => {
      const r = parseAlfPlist(xml.slice(0, at) + ins + xml.slice(at + cut));
      if (r.ok) expect([null, 0, 1, 2]).toContain(r.value.globalState);
      else expect(r.error).toMatch(/^com\.apple\.alf\.plist: /);
    }), { numRuns: 200 });
  });
});
