// Adversarial probes of the agent: broken recorded Macs (what a careless recorder or a damaged
// disk produces) and hostile command envelopes. Tests for defects found here (unread lists read
// as empty, garbage exit codes, NUL characters) are kept as regression tests since the fixes.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseWithErrors, resolvePolicy } from '@fleetmedic/diagnosis';
import { Snapshot, validator, type AgentMessage, type CommandResult } from '@fleetmedic/protocol';
import { collectSnapshot, ExecutedStore, RemediationExecutor, type ExecutorDeps, pinnedKeysOf, RealRunner, RecordedMacError, ReplayRunner } from '@fleetmedic/agent';
import { RECORDED_MACS } from '../support/agents.js';

const HEALTHY = path.join(RECORDED_MACS, 'mbp-m5pro-26-healthy');
const TCC_DBS = ['fs/Library/Application Support/com.apple.TCC/TCC.db', 'fs/Users/user/Library/Application Support/com.apple.TCC/TCC.db'];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'fm-adversarial-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const checkSnapshot = validator(Snapshot);
// Command signing is being added (apps/agent/src/testing/command-signer.ts); sign envelopes when it exists.
const signerModule = await import('../../apps/agent/src/testing/command-signer.js').catch(() => null);
const signer = signerModule?.testSigner() ?? null;
const signed = <T extends Record<string, unknown>>(envelope: T): T => (signer ? signer.sign(envelope) : envelope);
// tests/ has no pino dependency: a logger that drops everything is all the executor needs here.
const noop = () => {};
const silentLogger = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop, child: () => silentLogger } as unknown as ExecutorDeps['logger'];

/** A copy of the healthy M5 Pro recording, changed by `edit`. */
function brokenMac(name: string, edit: (dir: string) => void): string {
  const dir = path.join(scratch, name);
  cpSync(HEALTHY, dir, { recursive: true });
  edit(dir);
  return dir;
}

async function collect(dir: string) {
  const runner = await ReplayRunner.open(dir, { stateDir: path.join(scratch, `${path.basename(dir)}-state`) });
  const snapshot = await collectSnapshot(runner);
  expect(checkSnapshot(snapshot).ok).toBe(true);
  return { snapshot, diagnosis: diagnoseWithErrors(snapshot, resolvePolicy()) };
}

describe('broken recorded Macs: clear errors, never "healthy" from unread data', () => {
  it('the healthy recording is healthy (baseline for the probes below)', async () => {
    const { diagnosis } = await collect(brokenMac('baseline', () => {}));
    expect(diagnosis.findings.map((f) => f.id)).toEqual([]);
    expect(diagnosis.unknown).toEqual([]);
  });

  it('a folder without host.json is refused with RecordedMacError naming the file', async () => {
    const dir = brokenMac('no-host', (d) => rmSync(path.join(d, 'host.json')));
    await expect(ReplayRunner.open(dir)).rejects.toThrow(RecordedMacError);
    await expect(ReplayRunner.open(dir)).rejects.toThrow(/cannot read .*host\.json/);
  });

  it('a host.json with a relative home is refused naming the field', async () => {
    const dir = brokenMac('bad-home', (d) => writeFileSync(path.join(d, 'host.json'), JSON.stringify({ hostname: 'x', architecture: 'arm64', homes: { user: 'Users/user' } })));
    await expect(ReplayRunner.open(dir)).rejects.toThrow(/"homes\.user" must be an absolute path/);
  });

  it('a TCC.db that is not SQLite: both databases "unparseable" with sqlite3\'s words, tcc.unreadable raised', async () => {
    const dir = brokenMac('tcc-not-sqlite', (d) => { for (const f of TCC_DBS) writeFileSync(path.join(d, f), 'this is not a database\n'); });
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.tcc.status).toBe('partial');
    expect(snapshot.sections.tcc.data!.databases.map((db) => [db.status, db.entries.length])).toEqual([['unparseable', 0], ['unparseable', 0]]);
    expect(snapshot.sections.tcc.data!.databases[0]!.reason).toMatch(/not a database/);
    expect(diagnosis.findings.map((f) => f.id)).toContain('tcc.unreadable');
  });

  it('a TCC.db whose access table has other columns: not read as "no rows", tcc.unreadable raised', async () => {
    const dir = brokenMac('tcc-other-schema', (d) => {
      for (const f of TCC_DBS) {
        rmSync(path.join(d, f));
        execFileSync('/usr/bin/sqlite3', [path.join(d, f)], { input: "CREATE TABLE access (svc TEXT, who TEXT, ok INT); INSERT INTO access VALUES ('kTCCServiceCamera','us.zoom.xos',0);\n" });
      }
    });
    const { snapshot, diagnosis } = await collect(dir);
    const dbs = snapshot.sections.tcc.data!.databases;
    expect(dbs.every((db) => db.status !== 'ok')).toBe(true);
    expect(dbs[0]!.reason).toMatch(/service|client|column/i);
    expect(diagnosis.findings.map((f) => f.id)).toContain('tcc.unreadable');
  });

  it('denied.txt listing Zoom\'s Info.plist: zoom section unavailable with EPERM, never "not installed"', async () => {
    const dir = brokenMac('plist-denied', (d) => writeFileSync(path.join(d, 'denied.txt'), '/Applications/zoom.us.app/Contents/Info.plist\n'));
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.zoom.status).toBe('unavailable');
    expect(snapshot.sections.zoom.reason).toMatch(/EPERM/);
    expect(snapshot.sections.zoom.data).toBeUndefined();
    expect(diagnosis.findings.map((f) => f.id)).not.toContain('zoom.not-installed');
    expect(diagnosis.unknown).toContain('zoom');
  });

  it('denied.txt listing the TCC folders: databases "unreadable", not "missing"', async () => {
    const dir = brokenMac('tcc-denied', (d) => writeFileSync(path.join(d, 'denied.txt'), '/Library/Application Support/com.apple.TCC\n/Users/user/Library/Application Support/com.apple.TCC/\n'));
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.tcc.data!.databases.map((db) => db.status)).toEqual(['unreadable', 'unreadable']);
    expect(diagnosis.findings.map((f) => f.id)).toContain('tcc.unreadable');
  });

  it('socketfilterfw not recorded: firewall unavailable with the reason, globalState never 0', async () => {
    const dir = brokenMac('no-socketfilterfw', (d) => {
      for (const f of ['getglobalstate', 'getblockall', 'getstealthmode', 'getallowsigned', 'listapps']) rmSync(path.join(d, 'cmd', `socketfilterfw-${f}.out`));
    });
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.firewall.status).toBe('unavailable');
    expect(snapshot.sections.firewall.data).toBeUndefined();
    expect(snapshot.sections.firewall.reason).toContain('socketfilterfw --getglobalstate: not recorded (no cmd/socketfilterfw-getglobalstate.out)');
    expect(diagnosis.unknown).toContain('firewall');
  });

  it('socketfilterfw --getglobalstate failing (exit 1, error text): globalState is not invented', async () => {
    const dir = brokenMac('fw-state-error', (d) => {
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.out'), '');
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.err'), 'socketfilterfw: Error reading firewall preferences\n');
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.code'), '1\n');
    });
    const { snapshot } = await collect(dir);
    const fw = snapshot.sections.firewall;
    expect(fw.status === 'partial' || fw.status === 'unavailable').toBe(true);
    expect(fw.data?.globalState ?? null).toBeNull();
    expect(JSON.stringify(fw.problems ?? fw.reason)).toMatch(/getglobalstate: exited 1/);
  });

  it('socketfilterfw --listapps failing: the app list is null (not []), and firewall.blocks-zoom says it cannot judge', async () => {
    const blocked = path.join(RECORDED_MACS, 'mbp-m2pro-26-firewall-blocks-zoom');
    // This Mac is also offered macOS 26.7 (an info finding, beside the point here).
    expect((await collect(blocked)).diagnosis.findings.map((f) => f.id)).toEqual(['firewall.blocks-zoom', 'macos.update-pending']);
    const dir = path.join(scratch, 'listapps-fails');
    cpSync(blocked, dir, { recursive: true });
    rmSync(path.join(dir, 'cmd/socketfilterfw-listapps.out'));
    writeFileSync(path.join(dir, 'cmd/socketfilterfw-listapps.err'), 'socketfilterfw: Error reading application list\n');
    writeFileSync(path.join(dir, 'cmd/socketfilterfw-listapps.code'), '1\n');
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.firewall.status).toBe('partial');
    expect(snapshot.sections.firewall.data!.apps).toBeNull();
    expect(diagnosis.unknown).toContain('firewall');
  });

  it('macOS 27 with Full Disk Access: the per-user TCC.db is missing at the home path, so camera and microphone are unjudged, not healthy', async () => {
    const dir = path.join(scratch, 'm27-with-fda');
    cpSync(path.join(RECORDED_MACS, 'macmini-m4-27-tcc-unreadable'), dir, { recursive: true });
    rmSync(path.join(dir, 'denied.txt'));
    // The recording has no system TCC.db bytes (it was denied); a readable one stands in, as with Full Disk Access.
    cpSync(path.join(HEALTHY, TCC_DBS[0]!), path.join(dir, TCC_DBS[0]!));
    const { snapshot, diagnosis } = await collect(dir);
    expect(snapshot.sections.tcc.data!.databases.map((db) => [db.scope, db.status])).toEqual([['system', 'ok'], ['user', 'missing']]);
    // devices: no real camera or audio list of a Mac mini exists, so this recording has none (recorded-macs/README.md).
    expect(diagnosis.unknown).toEqual(['tcc', 'devices']);
  });

  it('a cmd/*.code holding garbage is a broken recording (no exit status, stderr says why), not success', async () => {
    const dir = brokenMac('garbage-code', (d) => {
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.err'), 'socketfilterfw: Error reading firewall preferences\n');
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.code'), 'garbage\n');
    });
    const runner = await ReplayRunner.open(dir, { stateDir: path.join(scratch, 'garbage-code-state') });
    const r = await runner.run('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate']);
    expect(r.exitCode).toBeNull();
    expect(r.stderr).toContain('recording error: cmd/socketfilterfw-getglobalstate.code is not an exit status: "garbage\\n"');
  });

  it('NUL bytes and invalid UTF-8 in a command output do not crash collection; the bad bytes stay out of parsed numbers', async () => {
    const dir = brokenMac('nul-output', (d) => {
      writeFileSync(path.join(d, 'cmd/socketfilterfw-getglobalstate.out'), Buffer.concat([Buffer.from('Firewall is enabled. (State = 1)'), Buffer.from([0, 0xff, 0xfe, 0x0a])]));
    });
    const { snapshot } = await collect(dir);
    expect(snapshot.sections.firewall.data?.globalState).toBe(1);
  });

  it('a NUL byte in a --listapps path reaches the snapshot as U+FFFD, never as \\u0000 (Postgres text refuses it)', async () => {
    const dir = brokenMac('nul-listapps', (d) => {
      const file = path.join(d, 'cmd/socketfilterfw-listapps.out');
      const text = readFileSync(file, 'utf8').replace('/usr/bin/python3', '/usr/bin/py\u0000thon3');
      writeFileSync(file, text);
    });
    const { snapshot } = await collect(dir);
    expect(JSON.stringify(snapshot)).not.toContain('\\u0000');
    expect(snapshot.sections.firewall.data!.apps!.map((a) => a.path)).toContain('/usr/bin/py\uFFFDthon3');
  });
});

describe('hostile command envelopes: refused with a reason, nothing run, never a shell', () => {
  const DEVICE = '11111111-2222-4333-8444-555555555555';
  const NOW = new Date('2026-03-01T12:00:00Z');
  let seq = 0;
  const envelope = (action: unknown, extra: Record<string, unknown> = {}) => signed({
    id: `adv-cmd-${++seq}-${Date.now()}`, deviceId: DEVICE, action, createdAt: '2026-03-01T11:59:00Z', expiresAt: '2026-03-01T13:00:00Z', ...extra,
  });

  async function executor() {
    const state = mkdtempSync(path.join(scratch, 'exec-'));
    const runner = await ReplayRunner.open(HEALTHY, { stateDir: path.join(state, 'replay') });
    const store = await ExecutedStore.open(path.join(state, 'executed.json'));
    const sent: AgentMessage[] = [];
    const exec = new RemediationExecutor({
      runner, deviceId: () => DEVICE, pinnedKeys: () => pinnedKeysOf(signer?.publicKey ?? null), store, send: (m) => sent.push(m), collectNow: async () => {}, logger: silentLogger, now: () => NOW,
    });
    const ran = () => {
      const log = path.join(state, 'replay', 'replay-log.jsonl');
      return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).argv as string[]) : [];
    };
    const resultOf = (id: string) => (sent.find((m) => m.type === 'command.result' && m.id === id) as { result: CommandResult } | undefined)?.result;
    return { exec, sent, ran, resultOf };
  }

  const hostile: [string, Record<string, unknown>, RegExp][] = [
    ['another device', envelope({ type: 'zoom.quit', params: {} }, { deviceId: '99999999-2222-4333-8444-555555555555' }), /for device 9999/],
    ['an expired command', envelope({ type: 'zoom.quit', params: {} }, { expiresAt: '2026-03-01T11:00:00Z' }), /expired/],
    ['an expiry that is not a date', envelope({ type: 'zoom.quit', params: {} }, { expiresAt: 'never' }), /not a date/],
    ['a newline in appPath', envelope({ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app\n--setglobalstate off' } }), /appPath/],
    ['a leading /.. in appPath', envelope({ type: 'firewall.allow', params: { appPath: '/../Applications/zoom.us.app' } }), /application bundle under \/Applications/],
    ['a program as appPath', envelope({ type: 'firewall.allow', params: { appPath: '/usr/bin/nc' } }), /application bundle under \/Applications/],
    ["the agent's own bundle id", envelope({ type: 'tcc.reset', params: { service: 'SystemPolicyAllFiles', bundleId: 'com.fleetmedic.agent' } }), /service "SystemPolicyAllFiles"/],
    ['shell text in bundleId', envelope({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos;id' } }), /bundleId/],
    ['an option as service', envelope({ type: 'tcc.reset', params: { service: '--all', bundleId: 'us.zoom.xos' } }), /service/],
    ['an unknown action', envelope({ type: 'shell.run', params: { cmd: 'id' } }), /not in the agent's list/],
    ['extra params', envelope({ type: 'zoom.quit', params: { signal: 'KILL' } }), /takes none/],
    ['no action', envelope(undefined), /no action/],
  ];
  for (const [what, env, reason] of hostile) {
    it(`refuses ${what}: a failed result with the reason, no program run, no ack`, async () => {
      const { exec, sent, ran, resultOf } = await executor();
      await exec.handle(env);
      const result = resultOf(env.id as string);
      expect(result?.status).toBe('failed');
      expect(result?.reason).toMatch(reason);
      expect(result?.argv).toEqual([]);
      expect(ran()).toEqual([]);
      expect(sent.some((m) => m.type === 'command.ack')).toBe(false);
    });
  }

  it('an envelope with an unsafe id (path traversal) is ignored without an answer', async () => {
    const { exec, sent, ran } = await executor();
    await exec.handle(envelope({ type: 'zoom.quit', params: {} }, { id: '../../etc/passwd' }));
    await exec.handle(null);
    await exec.handle('not an object');
    expect(sent).toEqual([]);
    expect(ran()).toEqual([]);
  });

  it('the same command id twice runs once; the second gets the stored result', async () => {
    const { exec, sent, ran } = await executor();
    const env = envelope({ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } });
    await exec.handle(env);
    await exec.handle(signed({ ...env, signature: undefined, action: { type: 'firewall.block', params: { appPath: '/Applications/zoom.us.app' } } }));
    expect(ran().map((argv) => argv[1])).toEqual(['--add', '--unblockapp']);
    const results = sent.filter((m) => m.type === 'command.result');
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual(results[0]);
  });

  it.skipIf(!signer)('unsigned, re-signed-by-another-key and altered-after-signing commands are refused, nothing run', async () => {
    const { exec, ran, resultOf } = await executor();
    const action = { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } };
    const unsigned = { id: `adv-unsigned-${Date.now()}`, deviceId: DEVICE, action, createdAt: '2026-03-01T11:59:00Z', expiresAt: '2026-03-01T13:00:00Z' };
    const other = signerModule!.testSigner().sign({ ...unsigned, id: `adv-otherkey-${Date.now()}` });
    const altered = { ...signed({ ...unsigned, id: `adv-altered-${Date.now()}` }), action: { type: 'firewall.block', params: { appPath: '/Applications/zoom.us.app' } } };
    const replayedToOtherDevice = { ...signed({ ...unsigned, id: `adv-moved-${Date.now()}` }), deviceId: '99999999-2222-4333-8444-555555555555' };
    for (const env of [unsigned, other, altered, replayedToOtherDevice]) {
      await exec.handle(env);
      expect(resultOf(env.id)?.status, env.id).toBe('failed');
    }
    expect(resultOf(unsigned.id)?.reason).toMatch(/not signed/);
    expect(resultOf(other.id)?.reason).toMatch(/bad signature/);
    expect(resultOf(altered.id)?.reason).toMatch(/bad signature/);
    expect(ran()).toEqual([]);
  });

  it('the real runner passes arguments as an array: shell syntax stays literal, relative programs are refused', async () => {
    const runner = new RealRunner();
    const echoed = await runner.run('/bin/echo', ['$(id)', '`id`', '; id', '&& id']);
    expect(echoed.stdout).toBe('$(id) `id` ; id && id\n');
    const relative = await runner.run('sh', ['-c', 'id']);
    expect(relative.exitCode).toBeNull();
    expect(relative.stderr).toMatch(/must be an absolute path/);
  });
});
