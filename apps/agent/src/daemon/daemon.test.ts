import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SECTION_NAMES } from '@fleetmedic/protocol';
import { PROGRAMS } from '../runner/commands.js';
import { ReplayRunner } from '../runner/replay.js';
import { startServer, waitFor, type Msg } from '../testing/agent-server.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { AgentDaemon, DaemonConfigError, type DaemonOptions } from './daemon.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startAgent(serverUrl: string, stateDir: string, mac: string, extra: Partial<DaemonOptions> = {}) {
  const runner = await ReplayRunner.open(mac, { stateDir: path.join(stateDir, 'replay') });
  const daemon = await AgentDaemon.start({
    serverUrl,
    enrollSecret: 'secret-12345',
    stateDir,
    runner,
    logger: pino({ level: 'silent' }),
    schedule: '0 0 1 1 *',
    jitterSeconds: 0,
    minBackoffMs: 50,
    maxBackoffMs: 200,
    ...extra,
  });
  cleanups.push(() => daemon.stop());
  return daemon;
}

const reportIds = (msgs: Msg[]) => msgs.filter((m) => m.type === 'report').map((m) => m.id);

describe('AgentDaemon against a real ws server', () => {
  it('enrolls once (credentials 0600), sends the start report, and an ack removes it from the outbox', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const daemon = await startAgent(srv.url, stateDir, makeTinyMac());
    const report = await waitFor('a report', () => srv.state.received.find((m) => m.type === 'report'));
    expect((report.snapshot as { host: { hostname: string } }).host.hostname).toBe('tiny-mac');
    // The enrollment key was saved (0600) before it was sent: a retry after a lost answer sends it again.
    const key = readFileSync(path.join(stateDir, 'enrollment-key'), 'utf8').trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path.join(stateDir, 'enrollment-key')).mode & 0o777).toBe(0o600);
    expect(srv.state.enrollments).toEqual([{ enrollSecret: 'secret-12345', enrollmentKey: key, host: { hostname: 'tiny-mac', serialNumber: 'C02TINY0001', hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' } }]);
    expect(srv.state.authHeaders).toEqual(['Bearer token-1']);
    await waitFor('the outbox to empty', async () => (await daemon.outbox.ids()).length === 0);
    const creds = path.join(stateDir, 'credentials.json');
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(creds, 'utf8'))).toMatchObject({ deviceId: 'device-1', deviceToken: 'token-1', serverPublicKey: srv.publicKey });
  });

  it('keeps an unacked report on disk, resends it after a reconnect and after a restart, without enrolling again', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    srv.state.ackReports = false;
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const mac = makeTinyMac();
    const daemon = await startAgent(srv.url, stateDir, mac);
    const first = await waitFor('a report', () => srv.state.received.find((m) => m.type === 'report'));
    expect(await readdir(path.join(stateDir, 'outbox'))).toEqual([`${first.id}.json`]);

    srv.state.socket?.terminate();
    await waitFor('a reconnect', () => srv.state.connections === 2);
    await waitFor('the resend', () => reportIds(srv.state.received).filter((id) => id === first.id).length === 2);

    await daemon.stop();
    cleanups.pop();
    srv.state.ackReports = true;
    const restarted = await startAgent(srv.url, stateDir, mac);
    await waitFor('the outbox to empty', async () => (await restarted.outbox.ids()).length === 0);
    expect(reportIds(srv.state.received).filter((id) => id === first.id).length).toBeGreaterThanOrEqual(3);
    expect(srv.state.enrollments).toHaveLength(1);
  });

  it('command -> command.ack + command.result, re-collects; a redelivered command gets the stored result without re-running', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    await startAgent(srv.url, stateDir, makeTinyMac());
    await waitFor('the start report', () => reportIds(srv.state.received).length === 1);
    const command = srv.sign({
      id: 'cmd-allow-zoom-1',
      deviceId: 'device-1',
      action: { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } },
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    srv.send({ type: 'command', command });
    const result = await waitFor('the result', () => srv.state.received.find((m) => m.type === 'command.result'));
    expect(srv.state.received.find((m) => m.type === 'command.ack')).toEqual({ type: 'command.ack', id: command.id });
    expect(result).toMatchObject({
      id: command.id,
      result: { status: 'succeeded', argv: [[PROGRAMS.socketfilterfw, '--add', '/Applications/zoom.us.app'], [PROGRAMS.socketfilterfw, '--unblockapp', '/Applications/zoom.us.app']] },
    });
    // The re-collect after the change reports Zoom allowed in the firewall's app list.
    // The start report was acked, so the re-collect is a delta carrying the firewall section only.
    const after = await waitFor('the re-collect', () => srv.state.received.filter((m) => m.type === 'report')[1]);
    expect(after.snapshot).toBeUndefined();
    const delta = after.delta as { sections: { firewall: { data: { apps: { path: string; allowIncoming: boolean }[] } } } };
    expect(Object.keys(delta.sections)).toEqual(['firewall']);
    const apps = delta.sections.firewall.data.apps;
    expect(apps.find((a) => a.path === '/Applications/zoom.us.app')?.allowIncoming).toBe(true);

    srv.send({ type: 'command', command });
    await waitFor('the second result', () => srv.state.received.filter((m) => m.type === 'command.result').length === 2);
    const results = srv.state.received.filter((m) => m.type === 'command.result');
    expect(results[1]).toEqual(results[0]);
    const log = readFileSync(path.join(stateDir, 'replay', 'replay-log.jsonl'), 'utf8').trim().split('\n');
    expect(log).toHaveLength(2); // --add and --unblockapp, once: the redelivery ran nothing
    expect(existsSync(path.join(stateDir, 'executed.json'))).toBe(true);
  });

  it('told to retry later, resends the oldest report on the open socket, and its ack sends the rest (issue 15 item 3)', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    srv.state.ackReports = false;
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const daemon = await startAgent(srv.url, stateDir, makeTinyMac(), { maxResendMs: 50 });
    await daemon.collectNow('test');
    await daemon.collectNow('test');
    await waitFor('three reports', () => reportIds(srv.state.received).length === 3);
    const [first, second, third] = reportIds(srv.state.received);
    const times = (id: string | undefined) => reportIds(srv.state.received).filter((r) => r === id).length;
    // retryAfterSeconds 0 and a 50 ms cap: the resend comes at once.
    srv.send({ type: 'error', code: 'unavailable', id: first, retryAfterSeconds: 0, message: 'the database is unreachable' });
    await waitFor('the oldest report resent', () => times(first) === 2);
    expect([times(second), times(third)]).toEqual([1, 1]);
    srv.send({ type: 'ack', id: first });
    await waitFor('the rest resent', () => times(second) === 2 && times(third) === 2);
    expect(srv.state.connections).toBe(1);
  });

  it('told to retry a command result later, answers the command again on the open socket', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    await startAgent(srv.url, stateDir, makeTinyMac(), { maxResendMs: 50 });
    await waitFor('the start report', () => reportIds(srv.state.received).length === 1);
    const command = srv.sign({
      id: 'cmd-quit-zoom-1', deviceId: 'device-1', action: { type: 'zoom.quit', params: {} },
      createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    srv.send({ type: 'command', command });
    const results = () => srv.state.received.filter((m) => m.type === 'command.result');
    await waitFor('the result', () => results().length === 1);
    const runs = () => readFileSync(path.join(stateDir, 'replay', 'replay-log.jsonl'), 'utf8').trim().split('\n').length;
    const ranBefore = runs();
    srv.send({ type: 'error', code: 'unavailable', id: command.id, retryAfterSeconds: 0, message: 'the database is unreachable' });
    await waitFor('the result again', () => results().length === 2);
    expect(results()[1]).toEqual(results()[0]);
    expect(srv.state.received.filter((m) => m.type === 'command.ack' && m.id === command.id)).toHaveLength(2);
    expect(runs()).toBe(ranBefore); // answered from executed.json, not run again
    expect(srv.state.connections).toBe(1);
  });

  it('sends deltas against the last acked report, keeps that base on disk, and answers resync with the whole report', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const daemon = await startAgent(srv.url, stateDir, makeTinyMac());
    const first = await waitFor('the start report', () => srv.state.received.find((m) => m.type === 'report'));
    expect(first.snapshot).toBeDefined();
    const base = await waitFor('the acked base on disk', () => {
      const file = path.join(stateDir, 'acked-sections.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { reportId: string; hashes: Record<string, string> }) : null;
    });
    expect(base.reportId).toBe(first.id);
    expect(Object.keys(base.hashes).sort()).toEqual([...SECTION_NAMES].sort());

    // Nothing changed on the Mac: the next report carries every section's hash and no section content.
    await daemon.collectNow('test');
    const second = await waitFor('the second report', () => srv.state.received.filter((m) => m.type === 'report')[1]);
    const delta = second.delta as { hashes: Record<string, string>; sections: Record<string, unknown>; host: { hostname: string } };
    expect(delta.hashes).toEqual(base.hashes);
    expect(delta.sections).toEqual({});
    expect(delta.host.hostname).toBe('tiny-mac');
    expect(JSON.stringify(second).length).toBeLessThan(JSON.stringify(first).length / 2);

    // The server lost the state (a restore): it asks for the report whole, and gets it with the same id.
    srv.state.ackReports = false;
    await daemon.collectNow('test');
    const third = await waitFor('the third report', () => srv.state.received.filter((m) => m.type === 'report')[2]);
    expect(third.delta).toBeDefined();
    srv.send({ type: 'error', code: 'resync', id: third.id, message: 'send it whole' });
    const resent = await waitFor('the whole resend', () => srv.state.received.filter((m) => m.type === 'report')[3]);
    expect(resent.id).toBe(third.id);
    expect(resent.snapshot).toBeDefined();
    expect(existsSync(path.join(stateDir, 'acked-sections.json'))).toBe(false);
  });

  it('a bad command is answered with a failed result, never silently dropped', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    await startAgent(srv.url, stateDir, makeTinyMac());
    await waitFor('the start report', () => reportIds(srv.state.received).length === 1);
    srv.send({ type: 'command', command: srv.sign({ id: 'cmd-bad-service', deviceId: 'device-1', action: { type: 'tcc.reset', params: { service: 'Everything', bundleId: 'us.zoom.xos' } }, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2099-01-01T00:00:00Z' }) });
    const result = await waitFor('the refusal', () => srv.state.received.find((m) => m.type === 'command.result'));
    expect(result).toMatchObject({ id: 'cmd-bad-service', result: { status: 'failed', argv: [] } });
    expect((result.result as { reason: string }).reason).toMatch(/^refused parameter service "Everything"/);
  });

  it('terminates a connection whose pings go unanswered, then reconnects', async () => {
    const srv = await startServer({ autoPong: false });
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    await startAgent(srv.url, stateDir, makeTinyMac(), { heartbeatMs: 100 });
    await waitFor('a reconnect after a missed pong', () => srv.state.connections >= 2);
  });

  it('re-enrolls when the server refuses the stored token, and refuses a bad schedule up front', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const { saveCredentials } = await import('./credentials.js');
    await saveCredentials(stateDir, { serverUrl: new URL(srv.url).href, deviceId: 'device-old', deviceToken: 'stale', serverPublicKey: srv.publicKey, serverKeys: {}, enrolledAt: '2026-01-01T00:00:00Z' });
    await startAgent(new URL(srv.url).href, stateDir, makeTinyMac());
    await waitFor('a connection with the new token', () => srv.state.connections === 1);
    expect(srv.state.authHeaders[0]).toBe('Bearer stale');
    expect(srv.state.enrollments).toHaveLength(1);
    const runner = await ReplayRunner.open(makeTinyMac());
    await expect(
      AgentDaemon.start({ serverUrl: srv.url, enrollSecret: 'secret-12345', stateDir, runner, logger: pino({ level: 'silent' }), schedule: 'every now and then' }),
    ).rejects.toThrow(DaemonConfigError);
  });
});

describe('AgentDaemon when the server refuses the enrollment secret', () => {
  /** pino JSON lines (warn and up) captured as objects. */
  function captureLogs() {
    const lines: { level: number; msg: string; retryInMs?: number; retryAt?: string }[] = [];
    return { lines, logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }) };
  }

  it('after a 401 waits the refused-secret pause, after a 429 its Retry-After, logging why each time, then enrolls', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    srv.state.enrollAnswers.push(
      { status: 401, body: '{"error":"unauthorized","message":"unknown or revoked enrollment secret"}' },
      { status: 429, headers: { 'retry-after': '1' }, body: '{"error":"too-many-requests","message":"too many failed attempts"}' },
    );
    const { lines, logger } = captureLogs();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    // Backoff of 20-50 ms: without the pauses the agent would try dozens of times in the same span.
    await startAgent(srv.url, stateDir, makeTinyMac(), { logger, enrollRefusedPauseMs: 400, minBackoffMs: 20, maxBackoffMs: 50 });
    await waitFor('the report after enrolling', () => srv.state.received.find((m) => m.type === 'report'), 20_000);

    expect(srv.state.enrollAttempts).toHaveLength(3);
    // Every attempt sends the same enrollment key: an answer lost on the way is answered again with the same device.
    expect(new Set(srv.state.enrollKeys).size).toBe(1);
    expect(srv.state.enrollKeys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [refusedAt, blockedAt, enrolledAt] = srv.state.enrollAttempts as [number, number, number];
    expect(blockedAt - refusedAt).toBeGreaterThanOrEqual(300); // 400 ms -25%
    expect(enrolledAt - blockedAt).toBeGreaterThanOrEqual(1000); // Retry-After: 1
    const pauses = lines.filter((l) => l.retryInMs !== undefined);
    expect(pauses.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^the server refused the enrollment secret \(HTTP 401\): check the secret given to the agent\. Next enrollment attempt in 1 s, not sooner: repeated wrong secrets would get this network address blocked/),
      expect.stringMatching(/^the server is refusing enrollments from this network address for now \(HTTP 429: too many wrong secrets from it; Retry-After 1 s\)/),
    ]);
    expect(pauses[0]!.retryInMs).toBeGreaterThanOrEqual(300);
    expect(pauses[0]!.retryInMs).toBeLessThanOrEqual(500);
    expect(pauses[1]!.retryInMs).toBeGreaterThanOrEqual(1000);
    expect(pauses[1]!.retryInMs).toBeLessThanOrEqual(1100);
    expect(srv.state.enrollments).toHaveLength(1);
  });

  it('stopping during the hour-long pause after a refused secret ends it at once, with no further attempt', async () => {
    const srv = await startServer();
    cleanups.push(srv.close);
    srv.state.enrollAnswers.push({ status: 401 });
    const { lines, logger } = captureLogs();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    const daemon = await startAgent(srv.url, stateDir, makeTinyMac(), { logger, minBackoffMs: 20, maxBackoffMs: 50 });
    const pause = await waitFor('the pause logged', () => lines.find((l) => l.retryInMs !== undefined));
    expect(pause.retryInMs).toBeGreaterThanOrEqual(45 * 60_000);
    expect(Date.parse(pause.retryAt!)).toBeGreaterThan(Date.now() + 40 * 60_000);
    await daemon.stop();
    expect(srv.state.enrollAttempts).toHaveLength(1);
    expect(daemon.connected).toBe(false);
  });
});
