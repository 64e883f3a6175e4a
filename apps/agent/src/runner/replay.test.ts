import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '@fleetmedic/macos/testing';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { COMMANDS, PROGRAMS, TCC_SYSTEM_DB, replayNameFor, sqliteReadArgs, tccUserDb } from './commands.js';
import { RecordedMacError } from './recorded-host.js';
import { ReplayRunner } from './replay.js';
import { notRunWords } from './types.js';

const ALICE_DB = tccUserDb('/Users/alice');
const BOB_DB = tccUserDb('/Users/bob');
const rowsOf = (file: string) => execFileSync('/usr/bin/sqlite3', ['-readonly', file, 'SELECT service, client, auth_value FROM access ORDER BY service'], { encoding: 'utf8' });

describe('ReplayRunner on a tiny recorded Mac', () => {
  let mac: string;
  let state: string;
  beforeEach(async () => {
    mac = makeTinyMac();
    state = await mkdtemp(path.join(os.tmpdir(), 'replay-state-'));
  });

  it('maps the real argv through the one table and serves cmd/<name>.out', async () => {
    expect(replayNameFor('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate'])).toBe('socketfilterfw-getglobalstate');
    expect(replayNameFor('/usr/sbin/ioreg', ['-p', 'IOUSB', '-l', '-w0'])).toBe('ioreg-IOUSB');
    const r = await ReplayRunner.open(mac);
    const sw = await r.run(COMMANDS.swVers.program, [...COMMANDS.swVers.args]);
    expect(sw).toMatchObject({ stdout: readFixture('sw_vers/monterey-12.5.1-21G83.txt'), stderr: '', exitCode: 0, notInstalled: false });
    expect(r.recorded).toMatchObject({ hostname: 'tiny-mac', consoleUser: 'alice', homes: { alice: '/Users/alice' } });
  });

  it('serves .err and .code, and reports a command with no files as not recorded', async () => {
    const r = await ReplayRunner.open(mac);
    const stealth = await r.run(PROGRAMS.socketfilterfw, ['--getstealthmode']);
    expect(stealth).toMatchObject({ stdout: '', exitCode: 1, notInstalled: false });
    expect(stealth.stderr).toContain('kStealthEnableKey');
    const adapter = await r.run(PROGRAMS.pmset, ['-g', 'adapter']);
    expect(adapter).toMatchObject({ stdout: '', exitCode: null, notInstalled: true, notRecorded: 'no cmd/pmset-adapter.out' });
    expect(notRunWords(adapter)).toBe('not recorded (no cmd/pmset-adapter.out)');
    const unknown = await r.run('/usr/bin/uptime', []);
    expect(unknown.notInstalled).toBe(true);
    expect(unknown.note).toContain('not in the replay table');
    expect(notRunWords(unknown)).toBe('not recorded (not in the replay table: /usr/bin/uptime)');
  });

  it('runs the real sqlite3 read-only on fs/ and fails denied.txt paths like macOS without Full Disk Access', async () => {
    const r = await ReplayRunner.open(mac);
    const rows = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(ALICE_DB, 'SELECT service, client, auth_value FROM access ORDER BY service'));
    expect(rows.exitCode).toBe(0);
    expect(JSON.parse(rows.stdout)).toEqual([
      { service: 'kTCCServiceCamera', client: 'us.zoom.xos', auth_value: 0 },
      { service: 'kTCCServiceMicrophone', client: 'us.zoom.xos', auth_value: 2 },
    ]);
    const denied = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(BOB_DB, 'PRAGMA table_info(access)'));
    expect(denied).toMatchObject({ stdout: '', exitCode: 1, stderr: `Error: unable to open database "${BOB_DB}": authorization denied\n` });
    const file = await r.readFile(BOB_DB);
    expect(file).toMatchObject({ ok: false, kind: 'permission-denied' });
    expect(await r.exists(BOB_DB)).toBe(true);
    // A missing database: sqlite3's own words, with the Mac path (not this machine's) in them.
    const missing = await r.run(PROGRAMS.sqlite3, sqliteReadArgs('/Users/carol/TCC.db', 'PRAGMA table_info(access)'));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('"/Users/carol/TCC.db"');
    expect(missing.stderr).not.toContain(mac);
    // Writes through the read path are impossible: -readonly is forced.
    const write = await r.run(PROGRAMS.sqlite3, [ALICE_DB, "DELETE FROM access WHERE service = 'kTCCServiceCamera'"]);
    expect(write.exitCode).not.toBe(0);
    expect(rowsOf(path.join(mac, 'fs', ALICE_DB))).toContain('kTCCServiceCamera');
  });

  it('reads files from fs/, refuses to climb out of it, and lists folders', async () => {
    const r = await ReplayRunner.open(mac);
    const plist = await r.readFile('/Applications/zoom.us.app/Contents/Info.plist');
    expect(plist.ok && plist.data.toString()).toContain('5.16.10.25689');
    expect(await r.readFile('/Applications/nothing.app/Contents/Info.plist')).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await r.readFile('/../../host.json')).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await r.listDir('/Users')).toEqual(['alice', 'bob']);
  });

  it('tccutil in the console user context deletes the rows from a copy, never from the recording, and logs the argv', async () => {
    const r = await ReplayRunner.open(mac, { stateDir: state });
    const argv = [PROGRAMS.launchctl, 'asuser', '501', PROGRAMS.sudo, '-u', 'alice', PROGRAMS.tccutil, 'reset', 'Camera', 'us.zoom.xos'];
    const res = await r.run(argv[0]!, argv.slice(1));
    expect(res).toMatchObject({ stdout: 'Successfully reset Camera approval status for us.zoom.xos\n', exitCode: 0 });
    expect(rowsOf(path.join(state, 'fs', ALICE_DB))).toBe('kTCCServiceMicrophone|us.zoom.xos|2\n');
    expect(rowsOf(path.join(mac, 'fs', ALICE_DB))).toContain('kTCCServiceCamera|us.zoom.xos|0');
    // The re-collect reads the copy.
    const after = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(ALICE_DB, 'SELECT service FROM access'));
    expect(JSON.parse(after.stdout)).toEqual([{ service: 'kTCCServiceMicrophone' }]);
    const log = readFileSync(path.join(state, 'replay-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[] });
    expect(log.map((l) => l.argv)).toEqual([argv]);
  });

  it('tccutil as root changes the system TCC.db; a recorded tccutil-reset answer wins', async () => {
    await writeFile(path.join(mac, 'cmd', 'tccutil-reset.out'), 'Successfully reset ScreenCapture approval status for us.zoom.xos\nSuccessfully reset ScreenCapture approval status for us.zoom.xos\n');
    const r = await ReplayRunner.open(mac, { stateDir: state });
    const res = await r.run(PROGRAMS.tccutil, ['reset', 'ScreenCapture', 'us.zoom.xos']);
    expect(res.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(rowsOf(path.join(state, 'fs', TCC_SYSTEM_DB))).toBe('');
    const usage = await r.run(PROGRAMS.tccutil, ['list']);
    expect(usage).toMatchObject({ exitCode: 64, stderr: 'tccutil: Usage: tccutil reset SERVICE [BUNDLE_ID]\n' });
  });

  it('socketfilterfw --blockapp with no recorded answer fails as not recorded and changes nothing', async () => {
    const r = await ReplayRunner.open(mac, { stateDir: state });
    const block = await r.run(PROGRAMS.socketfilterfw, ['--blockapp', '/usr/bin/python3']);
    expect(block).toMatchObject({ exitCode: null, notInstalled: true, notRecorded: 'no cmd/socketfilterfw-blockapp.out', note: 'cmd/socketfilterfw-blockapp not recorded' });
    expect(existsSync(path.join(state, 'cmd', 'socketfilterfw-listapps.out'))).toBe(false);
  });

  it('socketfilterfw --add/--unblockapp rewrite a copied listapps that the next read sees', async () => {
    // An answer file recorded by the test (socketfilterfw prints nothing we have a capture of).
    await writeFile(path.join(mac, 'cmd', 'socketfilterfw-blockapp.out'), '');
    const r = await ReplayRunner.open(mac, { stateDir: state });
    await r.run(PROGRAMS.socketfilterfw, ['--blockapp', '/usr/bin/python3']);
    await r.run(PROGRAMS.socketfilterfw, ['--add', '/Applications/zoom.us.app']);
    const list = await r.run(PROGRAMS.socketfilterfw, ['--listapps']);
    expect(list.stdout).toContain('Total number of apps = 10\n');
    expect(list.stdout).toContain('4 : /usr/bin/python3\n             (Block incoming connections)\n');
    expect(list.stdout).toContain('10 : /Applications/zoom.us.app\n             (Allow incoming connections)\n');
    expect(readFileSync(path.join(mac, 'cmd', 'socketfilterfw-listapps.out'), 'utf8')).toContain('(Allow incoming connections)');
    // A restarted agent on the same state keeps seeing its changes.
    const again = await ReplayRunner.open(mac, { stateDir: state });
    expect((await again.run(PROGRAMS.socketfilterfw, ['--listapps'])).stdout).toContain('zoom.us.app');
  });

  it('without a sqlite3 on this machine, SQLite in WebAssembly reads and changes the same TCC.db files', async () => {
    const r = await ReplayRunner.open(mac, { stateDir: state, sqlite3: '/nonexistent/sqlite3' });
    const before = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(ALICE_DB, 'SELECT service, auth_value FROM access ORDER BY service'));
    expect(JSON.parse(before.stdout)).toEqual([{ service: 'kTCCServiceCamera', auth_value: 0 }, { service: 'kTCCServiceMicrophone', auth_value: 2 }]);
    const none = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(ALICE_DB, "SELECT service FROM access WHERE client = 'nobody'"));
    expect(none).toMatchObject({ stdout: '', exitCode: 0 });
    const bad = await r.run(PROGRAMS.sqlite3, sqliteReadArgs(ALICE_DB, 'SELECT nope FROM access'));
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^Error: no such column: nope/);
    const argv = [PROGRAMS.launchctl, 'asuser', '501', PROGRAMS.sudo, '-u', 'alice', PROGRAMS.tccutil, 'reset', 'Camera', 'us.zoom.xos'];
    expect((await r.run(argv[0]!, argv.slice(1))).exitCode).toBe(0);
    expect(rowsOf(path.join(state, 'fs', ALICE_DB))).toBe('kTCCServiceMicrophone|us.zoom.xos|2\n');
  });

  it('sqlite3: null runs SQLite in this process, and resets sharing one runner all land (one write at a time)', async () => {
    // The fleet simulator shares one runner among the Macs of a recording: two resets at once each
    // read, changed and rewrote the whole file, and the later write brought the other's row back.
    const r = await ReplayRunner.open(mac, { stateDir: state, sqlite3: null });
    const reset = (service: string) => r.run(PROGRAMS.launchctl, ['asuser', '501', PROGRAMS.sudo, '-u', 'alice', PROGRAMS.tccutil, 'reset', service, 'us.zoom.xos']);
    const results = await Promise.all([reset('Camera'), reset('Microphone')]);
    expect(results.map((x) => [x.exitCode, x.note])).toEqual([[0, undefined], [0, undefined]]);
    expect(rowsOf(path.join(state, 'fs', ALICE_DB))).toBe('');
  });

  it('pkill finds no process on a recording (exit 1) and is logged', async () => {
    const r = await ReplayRunner.open(mac, { stateDir: state });
    expect(await r.run(PROGRAMS.pkill, ['-x', 'zoom.us'])).toMatchObject({ exitCode: 1, notInstalled: false });
    expect(existsSync(path.join(state, 'replay-log.jsonl'))).toBe(true);
  });

  it('refuses a folder without a usable host.json with a clear error', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'not-a-mac-'));
    await expect(ReplayRunner.open(empty)).rejects.toThrow(RecordedMacError);
    await expect(ReplayRunner.open(empty)).rejects.toThrow(/not a recorded Mac: cannot read .*host\.json/);
    await writeFile(path.join(empty, 'host.json'), JSON.stringify({ hostname: 'x', architecture: 'arm64', homes: { a: 'relative' } }));
    await expect(ReplayRunner.open(empty)).rejects.toThrow(/"homes\.a" must be an absolute path/);
  });
});
