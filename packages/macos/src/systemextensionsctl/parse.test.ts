import type { SystemExtension } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, listFixtures, readExtraCapture, readFixture } from '../testing/fixtures.js';
import { parseSystemExtensions } from './parse.js';

const ext = (e: Partial<SystemExtension> & Pick<SystemExtension, 'teamId' | 'bundleId' | 'state'>): SystemExtension => ({
  category: 'network_extension', enabled: true, active: true, version: null, name: 'Extension', ...e,
});

/** Every real capture with the extensions it lists and the problems it must report. */
const EXPECTED: Record<string, { read: () => string; value: SystemExtension[]; problems: RegExp[] }> = {
  'sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt': {
    read: () => readFixture('sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt'),
    value: [
      ext({ teamId: 'TNPM9PFX3W', bundleId: 'com.nebula.karing.karingServiceSE', version: '1.2.21/2408', name: 'karingServiceSE', state: 'activated enabled' }),
      ext({ enabled: false, teamId: '2XZUN9L63Z', bundleId: 'com.databridges.privacy.v2RayTun.snextension', version: '2.2/19', name: 'snextension', state: 'activated waiting for user' }),
      ext({ teamId: 'TC3Q7MAJXF', bundleId: 'com.adguard.mac.adguard.network-extension', version: '2.19.0/2258', name: 'AdGuard Network Extension', state: 'activated enabled' }),
    ],
    problems: [],
  },
  'sysext/sysextctl-list-lulu-two-versions-tabs-lost-blog.txt': {
    read: () => readFixture('sysext/sysextctl-list-lulu-two-versions-tabs-lost-blog.txt'),
    value: [
      ext({ enabled: false, active: false, teamId: 'VBG97UB4TA', bundleId: 'com.objective-see.lulu.extension', version: '2.4.0/2.4.0', state: 'terminated waiting to uninstall on reboot' }),
      ext({ teamId: 'VBG97UB4TA', bundleId: 'com.objective-see.lulu.extension', version: '2.4.2/2.4.2', state: 'activated enabled' }),
    ],
    problems: [],
  },
  'extra/sysextctl-list-lulu331-blank-line.txt': {
    read: () => readExtraCapture('sysextctl-list-lulu331-blank-line.txt'),
    value: [ext({ teamId: 'VBG97UB4TA', bundleId: 'com.objective-see.lulu.extension', version: '2.3.0/2.3.0', state: 'activated enabled' })],
    problems: [],
  },
  'extra/sysextctl-list-ramen-cisco-crowdstrike-enabled.txt': {
    read: () => readExtraCapture('sysextctl-list-ramen-cisco-crowdstrike-enabled.txt'),
    value: [
      ext({ teamId: 'DE8Y96K9QP', bundleId: 'com.cisco.anyconnect.macos.acsockext', version: '5.1.3.14/5.1.3.14', name: 'Cisco Secure Client - Socket Filter Extension', state: 'activated enabled' }),
      ext({ category: 'endpoint_security', teamId: 'X9E956P446', bundleId: 'com.crowdstrike.falcon.Agent', version: '7.30/202.02', name: 'Falcon Sensor', state: 'activated enabled' }),
    ],
    problems: [],
  },
  'extra/sysextctl-list-ramen-crowdstrike-terminated.txt': {
    read: () => readExtraCapture('sysextctl-list-ramen-crowdstrike-terminated.txt'),
    value: [
      ext({ teamId: 'DE8Y96K9QP', bundleId: 'com.cisco.anyconnect.macos.acsockext', version: '5.1.3.14/5.1.3.14', name: 'Cisco Secure Client - Socket Filter Extension', state: 'activated enabled' }),
      ext({ category: 'endpoint_security', enabled: false, active: false, teamId: 'X9E956P446', bundleId: 'com.crowdstrike.falcon.Agent', version: '7.30/202.02', name: 'Falcon Sensor', state: 'terminated waiting to uninstall on reboot' }),
    ],
    problems: [],
  },
  'extra/sysextctl-list-ramen-no-extensions.txt': { read: () => readExtraCapture('sysextctl-list-ramen-no-extensions.txt'), value: [], problems: [] },
};

describe('parseSystemExtensions on every real capture', () => {
  it('covers every capture', () => {
    const all = [...listFixtures('sysext').map((f) => `sysext/${f}`), ...listExtraCaptures('sysextctl-').map((f) => `extra/${f}`)].sort();
    expect(Object.keys(EXPECTED).sort()).toEqual(all);
  });

  it.each(Object.entries(EXPECTED))('%s', (_file, { read, value, problems }) => {
    const r = parseSystemExtensions(read());
    expect(r).toMatchObject({ ok: true, value });
    expect(r.problems).toHaveLength(problems.length);
    problems.forEach((re, i) => expect(r.problems[i]).toMatch(re));
  });
});

describe('parseSystemExtensions on bad input', () => {
  it('fails on empty output and on what is not systemextensionsctl output', () => {
    expect(parseSystemExtensions('')).toMatchObject({ ok: false, error: expect.stringMatching(/not systemextensionsctl list output/) });
    expect(parseSystemExtensions('systemextensionsctl: list command failed: Connection refused\n')).toMatchObject({ ok: false });
  });

  it('reports a count that does not match the rows and rows it cannot read', () => {
    const r = parseSystemExtensions('2 extension(s)\n--- com.apple.system_extension.endpoint_security\n*\t*\tX9E956P446\tcom.crowdstrike.falcon.Agent (7.30/202.02)\tFalcon Sensor\t[activated enabled]\n*\t*\tgarbage\n');
    expect(r).toMatchObject({ ok: true, value: [ext({ category: 'endpoint_security', teamId: 'X9E956P446', bundleId: 'com.crowdstrike.falcon.Agent', version: '7.30/202.02', name: 'Falcon Sensor', state: 'activated enabled' })] });
    expect(r.problems).toEqual([expect.stringMatching(/^line 4: not an extension row/), 'says 2 extension(s) but 1 rows were read']);
  });

  it('flags a team id that is not ten letters and digits', () => {
    const r = parseSystemExtensions('1 extension(s)\n*\t*\tbad\tcom.x (1/1)\tX\t[activated enabled]\n');
    expect(r.problems).toEqual(['line 2: team id "bad" is not ten letters and digits']);
  });

  it('never throws and keeps every value it returns inside the input (property)', () => {
    const base = readFixture('sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseSystemExtensions(text);
      if (r.ok) for (const e of r.value) for (const v of [e.teamId, e.bundleId, e.state, e.name]) expect(text).toContain(v);
      expect(r.problems.length).toBeLessThanOrEqual(21);
    }));
  });

  it('reads 8 MiB of spaces and a 8 MiB line of stars in linear time (a backtracking regex would hang)', { timeout: 30_000 }, () => {
    expect(parseSystemExtensions(' '.repeat(8 * 1024 * 1024))).toMatchObject({ ok: false });
    expect(parseSystemExtensions(`1 extension(s)\n${'* '.repeat(4 * 1024 * 1024)}[x]`)).toMatchObject({ ok: true, value: [] });
  });
});
