import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentMessage, CommandResult, RemediationScope } from '@fleetmedic/protocol';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { diagnose } from '@fleetmedic/diagnosis';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { collectSnapshot } from '../collectors/snapshot.js';
import { PROGRAMS, tccUserDb } from '../runner/commands.js';
import { ReplayRunner } from '../runner/replay.js';
import { testSigner } from '../testing/command-signer.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { ExecutedStore } from './executed-store.js';
import { RemediationExecutor } from './executor.js';
import { pinnedKeysOf } from './signature.js';
import { TccResetMarks } from './tcc-resets.js';

const DEVICE = 'device-1234';
const NOW = new Date('2026-03-01T12:00:00Z');
const SERVER = testSigner();
let seq = 0;
const unsigned = (action: unknown, extra: Record<string, unknown> = {}) => ({
  id: `cmd-test-${++seq}-${Date.now()}`,
  deviceId: DEVICE,
  action,
  createdAt: '2026-03-01T11:59:00Z',
  expiresAt: '2026-03-01T13:00:00Z',
  ...extra,
});
/** An envelope signed by the server key the agent pinned. */
const envelope = (action: unknown, extra: Record<string, unknown> = {}) => SERVER.sign(unsigned(action, extra));

interface Harness {
  mac: string;
  state: string;
  sent: AgentMessage[];
  collects: string[];
  make: (pinnedKey?: string | null, scope?: RemediationScope) => Promise<RemediationExecutor>;
  resultOf: (id: string) => CommandResult;
  logLines: () => string[][];
}

async function harness(): Promise<Harness> {
  const mac = makeTinyMac();
  const state = await mkdtemp(path.join(os.tmpdir(), 'executor-state-'));
  const sent: AgentMessage[] = [];
  const collects: string[] = [];
  const make = async (pinnedKey: string | null = SERVER.publicKey, scope?: RemediationScope) => {
    const runner = await ReplayRunner.open(mac, { stateDir: path.join(state, 'replay') });
    const store = await ExecutedStore.open(path.join(state, 'executed.json'));
    return new RemediationExecutor({
      runner,
      deviceId: () => DEVICE,
      pinnedKeys: () => pinnedKeysOf(pinnedKey),
      store,
      send: (m) => sent.push(m),
      collectNow: async (why) => {
        collects.push(why);
      },
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      scope,
    });
  };
  const resultOf = (id: string) => {
    const m = sent.filter((x) => x.type === 'command.result' && x.id === id).at(-1);
    if (!m || m.type !== 'command.result') throw new Error(`no result for ${id}`);
    return m.result;
  };
  const logFile = path.join(state, 'replay', 'replay-log.jsonl');
  const logLines = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv) : []);
  return { mac, state, sent, collects, make, resultOf, logLines };
}

describe('RemediationExecutor on a replayed Mac', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it('tcc.reset Camera: acks, runs tccutil as root and in the console user context, reports success, re-collects', async () => {
    const ex = await h.make();
    const cmd = envelope({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } });
    await ex.handle(cmd);
    expect(h.sent.map((m) => m.type)).toEqual(['command.ack', 'command.result']);
    const r = h.resultOf(cmd.id);
    expect(r).toMatchObject({ status: 'succeeded', exitCode: 0, stderr: '' });
    expect(r.argv).toEqual([
      [PROGRAMS.tccutil, 'reset', 'Camera', 'us.zoom.xos'],
      [PROGRAMS.launchctl, 'asuser', '501', PROGRAMS.sudo, '-u', 'alice', PROGRAMS.tccutil, 'reset', 'Camera', 'us.zoom.xos'],
    ]);
    // tccutil prints the same line in both scopes: the reason names each scope once.
    expect(r.reason).toBe("system TCC.db: reset Camera for us.zoom.xos; alice's TCC.db: reset Camera for us.zoom.xos");
    expect(r.stdout).toBe('Successfully reset Camera approval status for us.zoom.xos\n'.repeat(2));
    const copy = path.join(h.state, 'replay', 'fs', tccUserDb('/Users/alice'));
    expect(execFileSync('/usr/bin/sqlite3', [copy, 'SELECT service FROM access'], { encoding: 'utf8' })).toBe('kTCCServiceMicrophone\n');
    expect(h.collects).toEqual([`after command ${cmd.id} (tcc.reset)`]);
    expect(h.logLines()).toEqual(r.argv);
  });

  it('firewall.allow runs --add then --unblockapp; firewall.block runs --blockapp; outcomes read by parseSocketfilterfwWrite', async () => {
    const ex = await h.make();
    const allow = envelope({ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } });
    await ex.handle(allow);
    expect(h.resultOf(allow.id)).toMatchObject({
      status: 'succeeded',
      argv: [[PROGRAMS.socketfilterfw, '--add', '/Applications/zoom.us.app'], [PROGRAMS.socketfilterfw, '--unblockapp', '/Applications/zoom.us.app']],
      reason: 'socketfilterfw confirmed: "The application is already a part of the firewall"; socketfilterfw confirmed: "Incoming connection to the application is permitted"',
    });
    // No real --blockapp answer is recorded on this Mac: the replay fails as not recorded, honestly.
    const block = envelope({ type: 'firewall.block', params: { appPath: '/Applications/zoom.us.app' } });
    await ex.handle(block);
    expect(h.resultOf(block.id)).toMatchObject({ status: 'failed', argv: [[PROGRAMS.socketfilterfw, '--blockapp', '/Applications/zoom.us.app']] });
    // socketfilterfw exists on every Mac: a missing capture is "not recorded", never "not installed".
    expect(h.resultOf(block.id)?.reason).toBe('socketfilterfw: not recorded (no cmd/socketfilterfw-blockapp.out)');
    expect(h.collects).toHaveLength(1);
  });

  it('zoom.quit: pkill finding nothing is success ("not running"); agent.collect collects', async () => {
    const ex = await h.make();
    const quit = envelope({ type: 'zoom.quit', params: {} });
    await ex.handle(quit);
    expect(h.resultOf(quit.id)).toMatchObject({ status: 'succeeded', exitCode: 1, reason: 'zoom.us was not running', argv: [[PROGRAMS.pkill, '-x', 'zoom.us']] });
    expect(h.collects).toEqual([]);
    const collect = envelope({ type: 'agent.collect', params: {} });
    await ex.handle(collect);
    expect(h.resultOf(collect.id)).toMatchObject({ status: 'succeeded', argv: [] });
    expect(h.collects).toEqual([`after command ${collect.id} (agent.collect)`]);
  });

  it('a redelivered command, even after a restart, gets the stored result and is not run again', async () => {
    const cmd = envelope({ type: 'firewall.block', params: { appPath: '/Applications/zoom.us.app' } });
    await (await h.make()).handle(cmd);
    const first = h.resultOf(cmd.id);
    h.sent.length = 0;
    const restarted = await h.make();
    await restarted.handle(cmd);
    expect(h.sent).toEqual([{ type: 'command.ack', id: cmd.id }, { type: 'command.result', id: cmd.id, result: first }]);
    expect(h.logLines()).toHaveLength(1);
  });

  it('a command left running by a crash is answered as failed, not run again', async () => {
    const store = await ExecutedStore.open(path.join(h.state, 'executed.json'));
    const cmd = envelope({ type: 'zoom.quit', params: {} });
    await store.start(cmd.id, NOW.toISOString(), cmd.expiresAt);
    await (await h.make()).handle(cmd);
    expect(h.resultOf(cmd.id)).toMatchObject({ status: 'failed', reason: 'the agent stopped while this command was running; it is not run again', argv: [] });
    expect(h.logLines()).toEqual([]);
  });

  it.each([
    [{ type: 'tcc.reset', params: { service: 'LocalNetwork', bundleId: 'us.zoom.xos' } }, /^refused parameter service "LocalNetwork": tcc.reset may reset Camera, Microphone, ScreenCapture/],
    [{ type: 'tcc.reset', params: { service: 'SystemPolicyAllFiles', bundleId: 'us.zoom.xos' } }, /^refused parameter service "SystemPolicyAllFiles"/],
    [{ type: 'tcc.reset', params: { service: 'All', bundleId: 'us.zoom.xos' } }, /^refused parameter service "All"/],
    [{ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'com.fleetmedic.agent' } }, /^refused parameter bundleId "com.fleetmedic.agent": the agent never resets its own permissions/],
    [{ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'com.apple.Terminal' } }, /^refused parameter bundleId "com.apple.Terminal": tcc.reset may reset us.zoom.xos/],
    [{ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos; rm -rf /' } }, /^refused parameter bundleId "us.zoom.xos; rm -rf \/"/],
    [{ type: 'tcc.reset', params: { service: 'Camera', bundleId: '$(id)' } }, /^refused parameter bundleId/],
    [{ type: 'firewall.allow', params: { appPath: 'Applications/zoom.us.app' } }, /^refused parameter appPath "Applications\/zoom.us.app": firewall actions take an application bundle under \/Applications\//],
    [{ type: 'firewall.block', params: { appPath: '/Applications/../usr/bin/zoom' } }, /^refused parameter appPath .*'\.\.' path segments are not allowed/],
    // The outside pass's cases: programs, a user-writable file, the firewall's own tool.
    [{ type: 'firewall.allow', params: { appPath: '/bin/sh' } }, /^refused parameter appPath "\/bin\/sh": firewall actions take an application bundle/],
    [{ type: 'firewall.allow', params: { appPath: '/usr/bin/nc' } }, /^refused parameter appPath "\/usr\/bin\/nc"/],
    [{ type: 'firewall.allow', params: { appPath: '/usr/bin/python3' } }, /^refused parameter appPath "\/usr\/bin\/python3"/],
    [{ type: 'firewall.allow', params: { appPath: '/tmp/evil' } }, /^refused parameter appPath "\/tmp\/evil"/],
    [{ type: 'firewall.allow', params: { appPath: '/Users/alice/Downloads/Evil.app' } }, /^refused parameter appPath "\/Users\/alice\/Downloads\/Evil.app"/],
    [{ type: 'firewall.block', params: { appPath: '/usr/libexec/ApplicationFirewall/socketfilterfw' } }, /^refused parameter appPath/],
    [{ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app/Contents/MacOS/zoom.us' } }, /not an application bundle: the path must end in <name>.app/],
    [{ type: 'shell', params: { cmd: 'rm -rf /' } }, /^refused action "shell": not in the agent's list of actions/],
    [{ type: 'zoom.quit', params: { signal: 9 } }, /^refused parameters for zoom.quit: it takes none/],
  ])('refuses %j without running anything', async (action, reason) => {
    const ex = await h.make();
    const cmd = envelope(action);
    await ex.handle(cmd);
    expect(h.sent.map((m) => m.type)).toEqual(['command.result']);
    const r = h.resultOf(cmd.id);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(reason);
    expect(r.argv).toEqual([]);
    expect(h.logLines()).toEqual([]);
  });

  it('runs a tcc.reset the agent\'s own options widened the scope to, and still refuses the rest', async () => {
    const ex = await h.make(SERVER.publicKey, { tccResetServices: ['Camera', 'Accessibility'], tccResetClients: ['us.zoom.xos'] });
    const accessibility = envelope({ type: 'tcc.reset', params: { service: 'Accessibility', bundleId: 'us.zoom.xos' } });
    const screen = envelope({ type: 'tcc.reset', params: { service: 'ScreenCapture', bundleId: 'us.zoom.xos' } });
    await ex.handle(accessibility);
    await ex.handle(screen);
    expect(h.resultOf(accessibility.id)).toMatchObject({ argv: [['/usr/bin/tccutil', 'reset', 'Accessibility', 'us.zoom.xos']] });
    expect(h.resultOf(screen.id)).toMatchObject({ status: 'failed', argv: [], reason: expect.stringMatching(/^refused parameter service "ScreenCapture": tcc.reset may reset Camera, Accessibility/) });
  });

  it('refuses expired commands, commands for another device and malformed envelopes', async () => {
    const ex = await h.make();
    const expired = envelope({ type: 'zoom.quit', params: {} }, { expiresAt: '2026-03-01T11:00:00Z' });
    const other = envelope({ type: 'zoom.quit', params: {} }, { deviceId: 'device-other' });
    const malformed = envelope({ type: 'zoom.quit', params: {} }, { createdAt: 42 });
    for (const c of [expired, other, malformed]) await ex.handle(c);
    expect(h.resultOf(expired.id).reason).toBe('refused: command expired at 2026-03-01T11:00:00Z');
    expect(h.resultOf(other.id).reason).toBe('refused: command is for device device-other, this agent is device-1234');
    expect(h.resultOf(malformed.id).reason).toMatch(/^refused: invalid command: \/createdAt: /);
    expect(h.logLines()).toEqual([]);
    await ex.handle({ id: 'x', action: {} });
    expect(h.sent.filter((m) => m.id === 'x')).toEqual([]);
  });

  describe('signed commands: the agent runs only what the pinned server key signed', () => {
    const RESET = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
    const refusedWith = async (ex: RemediationExecutor, cmd: { id: string; signature?: unknown }, reason: string) => {
      await ex.handle(cmd);
      expect(h.sent.filter((m) => m.id === cmd.id).map((m) => m.type)).toEqual(['command.result']);
      expect(h.resultOf(cmd.id)).toEqual({
        status: 'failed', exitCode: null, stdout: '', stderr: '', reason, argv: [],
        startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), durationMs: 0,
      });
      expect(h.logLines()).toEqual([]);
    };

    it('refuses an unsigned command', async () => {
      await refusedWith(await h.make(), unsigned(RESET), 'refused: the command is not signed');
    });

    it('refuses a signed command whose parameters were altered after signing, and one signed by another key', async () => {
      const ex = await h.make();
      const altered = { ...envelope(RESET), action: { type: 'tcc.reset', params: { service: 'All', bundleId: 'us.zoom.xos' } } };
      await refusedWith(ex, altered, 'refused: bad signature: the command was altered or not signed by a server key this agent pinned');
      const impostor = testSigner().sign(unsigned(RESET));
      await refusedWith(ex, impostor, 'refused: bad signature: the command was altered or not signed by a server key this agent pinned');
      await refusedWith(ex, { ...unsigned(RESET), signature: 'not-base64!' }, 'refused: the command signature is not a 64-byte base64url Ed25519 signature');
    });

    it('refuses everything when no key was pinned at enrollment', async () => {
      await refusedWith(await h.make(null), envelope(RESET),
        'refused: no server signing key was pinned at enrollment, so no command can be checked; enroll this agent again with a server that signs commands');
    });

    it('a forged copy does not use up the command id: the genuine command still runs once', async () => {
      const ex = await h.make();
      const genuine = envelope(RESET);
      await ex.handle({ ...genuine, deviceId: 'device-other' });
      expect(h.resultOf(genuine.id).reason).toMatch(/^refused: bad signature/);
      await ex.handle(genuine);
      expect(h.resultOf(genuine.id)).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(h.logLines()).toHaveLength(2);
    });

    it('the signature covers the fields, not the text: key order in transit does not matter', async () => {
      const ex = await h.make();
      const signed = envelope(RESET);
      const reordered = JSON.parse(JSON.stringify({
        signature: signed.signature, expiresAt: signed.expiresAt, action: { params: { bundleId: 'us.zoom.xos', service: 'Camera' }, type: 'tcc.reset' },
        createdAt: signed.createdAt, deviceId: signed.deviceId, id: signed.id,
      }));
      await ex.handle(reordered);
      expect(h.resultOf(signed.id).status).toBe('succeeded');
    });
  });

  it('tcc.reset of a per-user service fails with a reason when nobody is at the console', async () => {
    const host = JSON.parse(readFileSync(path.join(h.mac, 'host.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(h.mac, 'host.json'), JSON.stringify({ ...host, consoleUser: null }));
    rmSync(path.join(h.mac, 'cmd', 'console-user.out'));
    const ex = await h.make();
    const cmd = envelope({ type: 'tcc.reset', params: { service: 'Microphone', bundleId: 'us.zoom.xos' } });
    await ex.handle(cmd);
    expect(h.resultOf(cmd.id)).toMatchObject({
      status: 'failed',
      argv: [],
      reason: "no console user: Microphone permissions live in the logged-in user's TCC.db, and nobody is logged in",
    });
    // A system-database service needs no console user.
    const screen = envelope({ type: 'tcc.reset', params: { service: 'ScreenCapture', bundleId: 'us.zoom.xos' } });
    await ex.handle(screen);
    expect(h.resultOf(screen.id)).toMatchObject({ status: 'succeeded', argv: [[PROGRAMS.tccutil, 'reset', 'ScreenCapture', 'us.zoom.xos']] });
  });

  it('maps tccutil failures with parseTccutilResult', async () => {
    writeFileSync(path.join(h.mac, 'cmd', 'tccutil-reset.err'), 'tccutil: No such bundle identifier "us.zoom.xos": The operation couldn’t be completed. (OSStatus error -10814.)\n');
    writeFileSync(path.join(h.mac, 'cmd', 'tccutil-reset.code'), '64\n');
    rmSync(path.join(h.mac, 'cmd', 'tccutil-reset.out'), { force: true }); // a refused reset prints nothing on stdout
    const ex = await h.make();
    const cmd = envelope({ type: 'tcc.reset', params: { service: 'ScreenCapture', bundleId: 'us.zoom.xos' } });
    await ex.handle(cmd);
    const r = h.resultOf(cmd.id);
    expect(r).toMatchObject({ status: 'failed', exitCode: 64 });
    expect(r.reason).toMatch(/^system TCC\.db: no such bundle identifier "us.zoom.xos" \(OSStatus -10814\)/);
    expect(r.stderr).toContain('OSStatus error -10814');
    expect(h.collects).toEqual([]);
  });
});

describe('remedies on the recorded Macs, then re-collect and diagnose', () => {
  const MACS = path.join(REPO_ROOT, 'recorded-macs');

  async function remedy(mac: string, action: unknown, at = NOW) {
    const state = await mkdtemp(path.join(os.tmpdir(), 'remedy-state-'));
    const tccResets = new TccResetMarks();
    const runner = await ReplayRunner.open(path.join(MACS, mac), { stateDir: path.join(state, 'replay') });
    const sent: AgentMessage[] = [];
    const ex = new RemediationExecutor({
      runner,
      deviceId: () => DEVICE,
      pinnedKeys: () => pinnedKeysOf(SERVER.publicKey),
      store: await ExecutedStore.open(path.join(state, 'executed.json')),
      send: (m) => sent.push(m),
      collectNow: async () => {},
      logger: pino({ level: 'silent' }),
      now: () => at,
      tccResets,
    });
    const cmd = envelope(action, { createdAt: new Date(at.getTime() - 60_000).toISOString(), expiresAt: new Date(at.getTime() + 3_600_000).toISOString() });
    await ex.handle(cmd);
    const result = sent.find((m) => m.type === 'command.result');
    if (result?.type !== 'command.result') throw new Error('no result');
    const ids = diagnose(await collectSnapshot(runner, { tccResets: tccResets.list() })).map((f) => f.id);
    const idsWithoutMarks = diagnose(await collectSnapshot(runner)).map((f) => f.id);
    return { result: result.result, ids, idsWithoutMarks };
  }

  it('camera-denied: tcc.reset Camera answers with the recorded tccutil lines renamed, and the finding is gone', async () => {
    const { result, ids } = await remedy('mba-m2-14-camera-denied', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } });
    expect(result.status).toBe('succeeded');
    expect(result.stdout.split('\n').filter(Boolean)[0]).toBe('Successfully reset Camera approval status for us.zoom.xos');
    expect(ids).toEqual([]);
  });

  it('firewall-blocks-zoom: firewall.allow (--add says "already a part", --unblockapp permits) clears the finding', async () => {
    const { result, ids } = await remedy('mbp-m2pro-26-firewall-blocks-zoom', { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } });
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'The application is already a part of the firewall\nIncoming connection to the application is permitted\n' });
    // The firewall finding is gone; this Mac is also offered macOS 26.7 (an info finding no fix here touches).
    expect(ids).toEqual(['macos.update-pending']);
  });

  it('macOS 27, camera denial seen only in the unified log: tcc.reset runs as root and as the console user; the re-collect reads the same log, where the reset supersedes the denial', async () => {
    const after = new Date(2026, 9, 6, 12, 0, 0); // local clock, after the logged denial of 2026-10-06 11:58:10.001
    const { result, ids, idsWithoutMarks } = await remedy('macmini-m4-27-camera-denied-log', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, after);
    expect(result.status).toBe('succeeded');
    expect(result.reason).toMatch(/system TCC\.db: reset Camera for us\.zoom\.xos.*user's TCC\.db: reset Camera for us\.zoom\.xos/);
    expect(ids).toEqual(['tcc.unreadable']);
    // The log still holds the old "Don't Allow": without the agent's note of the reset it would still be read as denied.
    expect(idsWithoutMarks).toEqual(['tcc.camera.denied', 'tcc.unreadable']);
  });

  it('macOS 27: a reset older than the latest logged decision does not hide it', async () => {
    const before = new Date(2026, 9, 6, 11, 0, 0);
    const { ids } = await remedy('macmini-m4-27-camera-denied-log', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, before);
    expect(ids).toEqual(['tcc.camera.denied', 'tcc.unreadable']);
  });

  it('screen-capture denied by MDM: tccutil answers, but the profile row stays and so does the finding', async () => {
    const { result, ids } = await remedy('mbp-m5pro-26-screen-capture-mdm-denied', { type: 'tcc.reset', params: { service: 'ScreenCapture', bundleId: 'us.zoom.xos' } });
    expect(result.status).toBe('succeeded');
    expect(ids).toEqual(['tcc.screen-capture.denied']);
  });
});

describe('zoom.clear-caches on a replayed Mac (real files in the state copy)', () => {
  let h: Harness;
  const CACHES = '/Users/alice/Library/Caches/us.zoom.xos';
  const LOGS = '/Users/alice/Library/Logs/zoom.us';
  const SUPPORT = '/Users/alice/Library/Application Support/zoom.us';
  const local = (macPath: string) => path.join(h.mac, 'fs', macPath);
  beforeEach(async () => {
    h = await harness();
    mkdirSync(path.join(local(CACHES), 'data'), { recursive: true });
    writeFileSync(path.join(local(CACHES), 'Cache.db'), Buffer.alloc(4096));
    writeFileSync(path.join(local(CACHES), 'data', 'blob'), Buffer.alloc(1000));
    mkdirSync(local('/Users/alice/Documents'), { recursive: true });
    writeFileSync(local('/Users/alice/Documents/keep.txt'), 'not Zoom\'s');
    // The escape attempt: links inside Zoom's folder to the user's documents, and Logs/zoom.us itself a link out.
    symlinkSync('/Users/alice/Documents', path.join(local(CACHES), 'escape'));
    symlinkSync(path.join(local('/Users/alice/Documents')), path.join(local(CACHES), 'data', 'escape-abs'));
    mkdirSync(local('/Users/alice/Library/Logs'), { recursive: true });
    symlinkSync('../../Documents', local(LOGS));
  });

  it('quits Zoom, removes the caches (5,096 bytes) without following the links inside, re-collects', async () => {
    const ex = await h.make();
    const cmd = envelope({ type: 'zoom.clear-caches', params: { user: 'alice', paths: [CACHES, SUPPORT] } });
    await ex.handle(cmd);
    const r = h.resultOf(cmd.id);
    expect(r).toMatchObject({ status: 'succeeded', argv: [[PROGRAMS.pkill, '-x', 'zoom.us']], reason: 'zoom.us was not running; removed 5096 bytes' });
    expect(r.stdout).toBe(`removed 5096 bytes: ${CACHES}\nabsent: ${SUPPORT}\n`);
    const copy = (macPath: string) => path.join(h.state, 'replay', 'fs', macPath);
    expect(existsSync(copy(CACHES))).toBe(false);
    expect(readFileSync(copy('/Users/alice/Documents/keep.txt'), 'utf8')).toBe('not Zoom\'s');
    expect(existsSync(local(CACHES))).toBe(true); // the recording itself is never written
    expect(h.collects).toEqual([`after command ${cmd.id} (zoom.clear-caches)`]);
  });

  it('a folder that is itself a symlink out is refused: failed, its target untouched', async () => {
    const ex = await h.make();
    const cmd = envelope({ type: 'zoom.clear-caches', params: { user: 'alice', paths: [LOGS] } });
    await ex.handle(cmd);
    expect(h.resultOf(cmd.id)).toMatchObject({ status: 'failed', reason: `zoom.us was not running; ${LOGS} is a symlink: refused, not followed; removed 0 bytes` });
    expect(readFileSync(path.join(h.state, 'replay', 'fs', '/Users/alice/Documents/keep.txt'), 'utf8')).toBe('not Zoom\'s');
  });

  it('refuses, before running anything, a path outside the allow-list, another user\'s folder, or a user with no home here', async () => {
    const ex = await h.make();
    const cases: [unknown, RegExp][] = [
      [{ user: 'alice', paths: ['/Users/alice/Documents'] }, /^refused parameter paths "\/Users\/alice\/Documents": zoom\.clear-caches removes only /],
      [{ user: 'alice', paths: ['/Users/bob/Library/Caches/us.zoom.xos'] }, /^refused parameter paths "\/Users\/bob/],
      [{ user: 'alice', paths: [`${CACHES}/../../..`] }, /^refused parameter paths/],
      [{ user: 'carol', paths: ['/Users/carol/Library/Caches/us.zoom.xos'] }, /^carol has no home folder at \/Users\/carol on this Mac: nothing removed$/],
    ];
    for (const [params, reason] of cases) {
      const cmd = envelope({ type: 'zoom.clear-caches', params });
      await ex.handle(cmd);
      expect(h.resultOf(cmd.id)).toMatchObject({ status: 'failed', argv: [], reason: expect.stringMatching(reason) });
    }
    expect(h.logLines()).toEqual([]);
    expect(existsSync(path.join(h.state, 'replay', 'fs'))).toBe(false);
  });
});
