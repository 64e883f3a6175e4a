import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALF_PLIST, SECTION_NAMES, type Snapshot, type TccDatabase } from '@fleetmedic/protocol';
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { readFixture, REPO_ROOT } from '@fleetmedic/macos/testing';
import { sourcesFor } from '../platform/sources.js';
import { COMMANDS } from '../runner/commands.js';
import { RealRunner } from '../runner/real.js';
import { ReplayRunner } from '../runner/replay.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { collectSnapshot } from './snapshot.js';

const macs = path.join(REPO_ROOT, 'recorded-macs');
const snapshots = new Map<string, Promise<Snapshot>>();
/** One snapshot per recorded Mac, collected once for all tests. */
const snapshotOf = (mac: string) => {
  if (!snapshots.has(mac)) snapshots.set(mac, ReplayRunner.open(path.join(macs, mac)).then((r) => collectSnapshot(r)));
  return snapshots.get(mac)!;
};
const db = (s: Snapshot, user: string | null): TccDatabase => {
  const found = s.sections.tcc.data?.databases.find((d) => d.user === user);
  if (!found) throw new Error(`no TCC.db for ${user ?? 'system'}`);
  return found;
};
const zoomEntry = (d: TccDatabase, service: string) => d.entries.find((e) => e.service === service && e.client === 'us.zoom.xos');

describe('platform gating', () => {
  it('picks USB and firewall sources by macOS release, and everything when the release is unknown', () => {
    expect(sourcesFor('usb', '15.6.1').map((s) => s.source)).toEqual(['SPUSBDataType', 'ioreg-IOUSB']);
    expect(sourcesFor('usb', '26.5.1').map((s) => s.source)).toEqual(['SPUSBHostDataType', 'ioreg-IOUSB']);
    expect(sourcesFor('usb', '10.15.7').map((s) => s.source)).toEqual(['SPUSBDataType', 'ioreg-IOUSB']);
    expect(sourcesFor('firewall', '14.6.1').map((s) => s.source)).toEqual(['socketfilterfw', 'com.apple.alf.plist']);
    expect(sourcesFor('firewall', '15.0').map((s) => s.source)).toEqual(['socketfilterfw', 'SPFirewallDataType']);
    expect(sourcesFor('firewall', null).map((s) => s.source)).toEqual(['socketfilterfw', 'com.apple.alf.plist', 'SPFirewallDataType']);
    expect(sourcesFor('usb', null).map((s) => s.source)).toEqual(['SPUSBDataType', 'SPUSBHostDataType', 'ioreg-IOUSB']);
  });
});

describe('collectors on the tiny recorded Mac', () => {
  it('reports every TCC.db with its own status: alice read, bob unreadable with sqlite3\'s reason', async () => {
    const s = await collectSnapshot(await ReplayRunner.open(makeTinyMac()), { now: () => new Date('2026-01-02T03:04:05Z') });
    expect(s.collectedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(s.host).toEqual({ hostname: 'tiny-mac', serialNumber: 'C02TINY0001', hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin', consoleUser: 'alice' });
    expect(s.sections.os).toMatchObject({ status: 'ok', sources: ['sw_vers'], data: { productVersion: '12.5.1', buildVersion: '21G83' } });
    expect(s.sections.zoom.data).toMatchObject({ installed: true, version: '5.16.10.25689' });
    const tcc = s.sections.tcc;
    expect(tcc.status).toBe('partial');
    expect(tcc.data?.databases.map((d) => [d.user, d.status])).toEqual([[null, 'ok'], ['alice', 'ok'], ['bob', 'unreadable']]);
    expect(zoomEntry(db(s, 'alice'), 'kTCCServiceCamera')).toMatchObject({ authValue: 0, authValueName: 'denied', authReason: 2 });
    expect(db(s, 'bob')).toMatchObject({ entries: [], layout: null });
    expect(db(s, 'bob').reason).toContain('authorization denied');
    expect(tcc.problems?.[0]).toContain('/Users/bob/Library/Application Support/com.apple.TCC/TCC.db: unreadable');
    // The stealth-mode read failed: null (not "off"), and the section says so.
    expect(s.sections.firewall).toMatchObject({ status: 'partial', data: { globalState: 1, blockAll: false, stealthMode: null } });
    expect(s.sections.firewall.problems).toContain('socketfilterfw --getstealthmode: exited 1: ALF: Error, kStealthEnableKey does not return the correct type.');
    expect(s.sections.usb.status).toBe('unavailable');
    expect(s.sections.usb.reason).toBe('system_profiler -json SPUSBDataType: not recorded (no cmd/system_profiler-SPUSBDataType.out); ioreg -p IOUSB -l -w0: not recorded (no cmd/ioreg-IOUSB.out)');
    expect(s.sections.power).toMatchObject({ status: 'partial', data: { source: 'ac', batteryPercent: 80 } });
    expect(s.sections.power.problems).toContain('pmset -g adapter: not recorded (no cmd/pmset-adapter.out)');
  });
});

describe('collectors on the recorded Macs', () => {
  it('a capture the recording lacks reads "not recorded", never "not installed" (pmset is on every Mac)', async () => {
    // mbp-m1max-14-healthy has no cmd/pmset-*.out: the power panel used to say "pmset -g batt: not installed".
    const s = await snapshotOf('mbp-m1max-14-healthy');
    expect(s.sections.power.status).toBe('unavailable');
    expect(s.sections.power.problems).toContain('pmset -g batt: not recorded (no cmd/pmset-batt.out)');
    expect(s.sections.power.reason).toContain('pmset -g batt: not recorded (no cmd/pmset-batt.out)');
    expect(JSON.stringify(s.sections)).not.toContain('not installed');
  });

  it('camera-denied (macOS 14.4.1): Zoom denied the camera in the user TCC.db, auth-17 layout', async () => {
    const s = await snapshotOf('mba-m2-14-camera-denied');
    expect(s.sections.os.data?.productVersion).toBe('14.4.1');
    expect(s.sections.tcc.status).toBe('ok');
    const user = db(s, 'user');
    expect(user).toMatchObject({ status: 'ok', layout: 'auth-17', path: '/Users/user/Library/Application Support/com.apple.TCC/TCC.db' });
    expect(zoomEntry(user, 'kTCCServiceCamera')).toMatchObject({ authValue: 0, authValueName: 'denied', clientType: 'bundle' });
    expect(zoomEntry(user, 'kTCCServiceMicrophone')?.authValue).toBe(2);
  });

  it('microphone-denied (macOS 15.6.1): reads the TCC.db of every home in host.json', async () => {
    const s = await snapshotOf('mbp-m1pro-15-microphone-denied');
    expect(s.sections.tcc.data?.databases.map((d) => [d.scope, d.user, d.status])).toEqual([['system', null, 'ok'], ['user', 'admin', 'ok'], ['user', 'user', 'ok']]);
    const denied = s.sections.tcc.data!.databases.flatMap((d) => d.entries.filter((e) => e.service === 'kTCCServiceMicrophone' && e.client === 'us.zoom.xos' && e.authValue === 0));
    expect(denied).toHaveLength(1);
  });

  it('tcc-unreadable (macOS 26.5.1): both databases unreadable with the reason, never empty', async () => {
    const s = await snapshotOf('mbp-m5pro-26-tcc-unreadable');
    expect(s.sections.tcc.status).toBe('partial');
    for (const d of s.sections.tcc.data!.databases) {
      expect(d.status).toBe('unreadable');
      expect(d.reason).toMatch(/authorization denied — the agent needs Full Disk Access/);
    }
  });

  it('macOS 27 mini: a missing user TCC.db is "missing", the system one unreadable; USB from ioreg when SPUSBHostDataType was not recorded', async () => {
    const s = await snapshotOf('macmini-m4-27-tcc-unreadable');
    expect(s.sections.os.data?.productVersion).toBe('27.0');
    expect(s.sections.tcc.data?.databases.map((d) => [d.scope, d.status])).toEqual([['system', 'unreadable'], ['user', 'missing']]);
    expect(s.sections.usb).toMatchObject({ status: 'partial', sources: ['system_profiler -json SPUSBHostDataType', 'ioreg -p IOUSB -l -w0'], data: { source: 'ioreg' } });
  });

  it('macOS 27: with no user TCC.db read, tccd\'s decisions about Zoom come from the unified log, and nothing about other apps is kept', async () => {
    const denied = await snapshotOf('macmini-m4-27-camera-denied-log');
    expect(denied.sections.tcc.sources).toEqual(['sqlite3 -readonly -json TCC.db', 'log show (com.apple.TCC)']);
    expect(denied.sections.tcc.data?.log).toMatchObject({
      status: 'ok', windowDays: 30, clients: ['us.zoom.xos'],
      decisions: [{ service: 'kTCCServiceCamera', client: 'us.zoom.xos', authValueName: 'denied', authReasonName: 'user-consent', observedAt: '2026-10-06 11:58:10.001' }],
    });
    // The no-answer Mac's log holds only other programs' lines (mdfind, PerfPowerServices): none of them is stored.
    const none = await snapshotOf('macmini-m4-27-tcc-unreadable');
    expect(none.sections.tcc.data?.log).toEqual({ status: 'ok', windowDays: 30, clients: ['us.zoom.xos'], decisions: [] });
    expect(JSON.stringify(none.sections.tcc)).not.toMatch(/mdfind|PerfPowerServices/);
    // Bounded read: 30 days, the TCC subsystem, Zoom's bundle id on the lines that name an app, a byte cap.
    expect(COMMANDS.tccLog.args.slice(0, 5)).toEqual(['show', '--style', 'compact', '--last', '30d']);
    expect(COMMANDS.tccLog.args[6]).toMatch(/^subsystem == "com\.apple\.TCC" AND \(.*CONTAINS "us\.zoom\.xos"/);
    expect(COMMANDS.tccLog.maxOutputBytes).toBe(4 * 1024 * 1024);
    // Where a user TCC.db was read, the log is not read at all.
    expect((await snapshotOf('mba-m2-14-camera-denied')).sections.tcc.data?.log).toBeUndefined();
  });

  it('firewall: block-all on 15.0 is global state 2; on 26.5.1 Zoom is blocked in the app list; USB from SPUSBHostDataType', async () => {
    const blockAll = await snapshotOf('mbp-m1pro-15-firewall-block-all');
    expect(blockAll.sections.firewall).toMatchObject({ status: 'ok', data: { globalState: 2 } });
    expect(blockAll.sections.usb.data?.source).toBe('SPUSBDataType');
    const blocks = await snapshotOf('mbp-m2pro-26-firewall-blocks-zoom');
    const zoom = blocks.sections.firewall.data?.apps?.filter((a) => /zoom\.us\.app/.test(a.path ?? ''));
    expect(zoom?.map((a) => a.allowIncoming)).toEqual([false]);
    expect(blocks.sections.usb).toMatchObject({ status: 'ok', sources: ['system_profiler -json SPUSBHostDataType'], data: { source: 'SPUSBHostDataType' } });
  });

  it('zoom: not installed is a fact (installed false), and 4.5.0 keeps its build', async () => {
    const none = await snapshotOf('mbp-intel-t2-13-zoom-not-installed');
    expect(none.sections.zoom).toMatchObject({ status: 'ok', data: { installed: false, appPath: '/Applications/zoom.us.app', version: null } });
    const old = await snapshotOf('mba-m2-13-zoom-4.5-outdated');
    expect(old.sections.zoom.data).toMatchObject({ installed: true, shortVersion: '4.5.0 (3261.0825)', version: '4.5.0.3261.0825' });
  });

  it('intel macOS 12.5.1: power from pmset (AC, 65 W, 100 %), nobody at the console', async () => {
    const s = await snapshotOf('mbp-intel-t2-12-macos-outdated');
    expect(s.host.consoleUser).toBeNull();
    expect(s.sections.os.data).toMatchObject({ productVersion: '12.5.1', buildVersion: '21G83' });
    expect(s.sections.power.data).toMatchObject({ source: 'ac', adapterWatts: 65, batteryPercent: 100 });
    expect(s.sections.tcc.data?.databases.every((d) => d.layout === 'auth-13')).toBe(true);
  });

  it('USB power Mac: the FaceTime HD Camera behind the Thunderbolt Display hub requires 500 mA of 500 available', async () => {
    const s = await snapshotOf('mbp-m1pro-15-display-camera-full-budget');
    type Dev = NonNullable<Snapshot['sections']['usb']['data']>['buses'][number]['devices'][number];
    const all: Dev[] = [];
    const walk = (d: Dev) => {
      all.push(d);
      d.children.forEach(walk);
    };
    s.sections.usb.data!.buses.forEach((b) => b.devices.forEach(walk));
    const cam = all.find((d) => d.name === 'FaceTime HD Camera (Display)');
    expect(cam).toMatchObject({ kind: 'camera', power: { availableMa: 500, requiredMa: 500 } });
  });
});

describe('collectors on this machine (Linux)', () => {
  it.skipIf(process.platform === 'darwin')('host facts from systeminformation, every Mac section unsupported', async () => {
    const s = await collectSnapshot(new RealRunner());
    expect(s.host.platform).toBe(process.platform);
    expect(s.host.hostname).toBe(os.hostname());
    expect(s.host.architecture).toBe(os.arch() === 'x64' ? 'x86_64' : os.arch());
    expect(s.host.consoleUser).toBeNull();
    for (const name of SECTION_NAMES) {
      expect(s.sections[name]).toEqual({ status: 'unsupported', sources: [], reason: `not macOS (${process.platform})` });
    }
  });
});

describe('firewall on macOS 12–14 when socketfilterfw cannot be read', () => {
  /** The tiny Mac (12.5.1) with every socketfilterfw read gone, and `alf` (if given) as its com.apple.alf.plist. */
  async function firewallOf(alf: Buffer | null) {
    const dir = makeTinyMac();
    for (const f of readdirSync(path.join(dir, 'cmd'))) if (/^socketfilterfw-(get|listapps)/.test(f)) rmSync(path.join(dir, 'cmd', f));
    if (alf) {
      mkdirSync(path.join(dir, 'fs', path.dirname(ALF_PLIST)), { recursive: true });
      writeFileSync(path.join(dir, 'fs', ALF_PLIST), alf);
    }
    return (await collectSnapshot(await ReplayRunner.open(dir))).sections.firewall;
  }

  it('reads /Library/Preferences/com.apple.alf.plist (binary, as on disk): state, stealth and allow-signed, and says what it lacks', async () => {
    // osquery's test copy of a real alf.plist (v1.0a25), written as the binary plist macOS keeps.
    const alf = Buffer.from(plist.buildBinary(plist.parse(readFixture('firewall/osquery-testutil-com.apple.alf-1.0a25.plist'))));
    const fw = await firewallOf(alf);
    expect(fw).toMatchObject({
      status: 'partial',
      data: { globalState: 0, blockAll: false, stealthMode: false, allowSignedBuiltIn: true, allowSignedDownloaded: null, apps: [] },
    });
    expect(fw.sources).toEqual([
      'socketfilterfw --getglobalstate', 'socketfilterfw --getblockall', 'socketfilterfw --getstealthmode', 'socketfilterfw --getallowsigned',
      'socketfilterfw --listapps', ALF_PLIST,
    ]);
    expect(fw.problems).toContain('allowdownloadsignedenabled not in this plist version');
    expect(fw.problems?.[0]).toMatch(/^socketfilterfw --getglobalstate: not recorded/);
  });

  it('neither source: unavailable, with why for each (never "off")', async () => {
    const fw = await firewallOf(null);
    expect(fw.status).toBe('unavailable');
    expect(fw.data).toBeUndefined();
    expect(fw.problems?.at(-1)).toMatch(/^\/Library\/Preferences\/com\.apple\.alf\.plist: /);
  });

  it('a damaged alf.plist: unavailable, saying the file could not be parsed', async () => {
    const fw = await firewallOf(Buffer.from('bplist00 cut short'));
    expect(fw.status).toBe('unavailable');
    expect(fw.problems?.at(-1)).toMatch(/^com\.apple\.alf\.plist: /);
  });
});
