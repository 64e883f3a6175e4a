import { createPublicKey, verify } from 'node:crypto';
import { commandSigningPayload, type Action, type CommandResult, type ServerMessage } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, createToken, enroll, eventually, listen } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
let operator: string;
let viewer: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await listen(app);
  operator = await createToken(app, 'helpdesk-operator', 'operator');
  viewer = await createToken(app, 'dashboard-viewer', 'viewer');
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } satisfies Action;

async function createCommand(deviceId: string, action: unknown, token = operator) {
  return app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(token), payload: { action } });
}

function resultOf(status: 'succeeded' | 'failed', over: Partial<CommandResult> = {}): CommandResult {
  return {
    status,
    exitCode: status === 'succeeded' ? 0 : 1,
    stdout: status === 'succeeded' ? 'Successfully reset Camera approval status for us.zoom.xos\n' : '',
    stderr: status === 'succeeded' ? '' : 'tccutil: No such bundle identifier "us.zoom.xos": The operation couldn’t be completed.\n',
    argv: [['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']],
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:00.412Z',
    durationMs: 412,
    ...over,
  };
}

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;

describe('command lifecycle', () => {
  it('delivers a new command to the connected device, records ack and result, and acks the result', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));

    const created = await createCommand(deviceId, RESET_CAMERA);
    expect(created.statusCode).toBe(201);
    const command = created.json();
    expect(command).toMatchObject({ deviceId, status: 'sent', createdBy: 'helpdesk-operator', action: RESET_CAMERA });

    const delivered = await agent.next<CommandMessage>((m) => m.type === 'command');
    expect(delivered.command).toMatchObject({ id: command.id, deviceId, action: RESET_CAMERA });
    expect(Date.parse(delivered.command.expiresAt) - Date.parse(delivered.command.createdAt)).toBe(7 * 24 * 3600 * 1000);

    agent.send({ type: 'command.ack', id: command.id });
    await eventually(async () => (await db.prisma.command.findUnique({ where: { id: command.id } }))?.status === 'acknowledged');

    agent.send({ type: 'command.result', id: command.id, result: resultOf('succeeded') });
    expect(await agent.next((m) => m.type === 'ack')).toEqual({ type: 'ack', id: command.id });
    const stored = await db.prisma.command.findUniqueOrThrow({ where: { id: command.id } });
    expect(stored).toMatchObject({
      status: 'succeeded', exitCode: 0, durationMs: 412, reason: null,
      stdout: 'Successfully reset Camera approval status for us.zoom.xos\n',
    });
    expect(stored.finishedAt?.toISOString()).toBe('2026-01-01T10:00:00.412Z');
    expect(stored.sentAt).toBeInstanceOf(Date);
    expect(stored.ackedAt).toBeInstanceOf(Date);
    expect((stored.result as { argv: string[][] }).argv).toEqual([['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']]);

    // A re-sent result is acked again and changes nothing.
    agent.send({ type: 'command.result', id: command.id, result: resultOf('failed') });
    expect(await agent.next((m) => m.type === 'ack')).toEqual({ type: 'ack', id: command.id });
    expect((await db.prisma.command.findUniqueOrThrow({ where: { id: command.id } })).status).toBe('succeeded');

    const read = await app.inject({ method: 'GET', url: `/api/v1/commands/${command.id}`, headers: bearer(viewer) });
    expect(read.json()).toMatchObject({ id: command.id, status: 'succeeded', exitCode: 0, durationMs: 412 });
    agent.close();
  });

  it('signs every envelope with the key enrollment handed out (Ed25519 over id, deviceId, action, createdAt, expiresAt)', async () => {
    const { deviceId, deviceToken, serverPublicKey } = await enroll(app);
    expect(serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const agent = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));
    await createCommand(deviceId, RESET_CAMERA);
    const { command } = await agent.next<CommandMessage>((m) => m.type === 'command');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: serverPublicKey! }, format: 'jwk' });
    const check = (e: object) => verify(null, Buffer.from(commandSigningPayload(e), 'utf8'), key, Buffer.from(command.signature!, 'base64url'));
    expect(check(command)).toBe(true);
    expect(check({ ...command, deviceId: '00000000-0000-4000-8000-000000000000' })).toBe(false);
    expect(check({ ...command, expiresAt: '2099-01-01T00:00:00.000Z' })).toBe(false);
    expect(check({ ...command, action: { type: 'tcc.reset', params: { service: 'All', bundleId: 'us.zoom.xos' } } })).toBe(false);
    agent.close();
  });

  it('resends an acknowledged command without a result at reconnect (the agent may have died mid-command), keeping its status', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const first = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));
    const created = (await createCommand(deviceId, RESET_CAMERA)).json();
    await first.next((m) => m.type === 'command');
    first.send({ type: 'command.ack', id: created.id });
    await eventually(async () => (await db.prisma.command.findUniqueOrThrow({ where: { id: created.id } })).status === 'acknowledged');
    const ackedAt = (await db.prisma.command.findUniqueOrThrow({ where: { id: created.id } })).ackedAt;
    first.close();
    await first.waitClosed();

    const second = await TestAgent.connect(url, deviceToken);
    const again = await second.next<CommandMessage>((m) => m.type === 'command');
    expect(again.command.id).toBe(created.id);
    const row = await db.prisma.command.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.status).toBe('acknowledged');
    expect(row.ackedAt).toEqual(ackedAt);
    second.send({ type: 'command.result', id: created.id, result: resultOf('failed', { reason: 'the agent stopped while this command was running; it is not run again', argv: [] }) });
    await second.next((m) => m.type === 'ack');
    expect(await db.prisma.command.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({
      status: 'failed', reason: 'the agent stopped while this command was running; it is not run again',
    });
    second.close();
  });

  it('stores a failed result with its reason and stderr tail', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));
    const command = (await createCommand(deviceId, { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } })).json();
    await agent.next((m) => m.type === 'command');
    agent.send({ type: 'command.result', id: command.id, result: resultOf('failed', { reason: 'socketfilterfw needs root', stderr: 'x'.repeat(30_000) + 'socketfilterfw: must be root' }) });
    await agent.next((m) => m.type === 'ack');
    const stored = await db.prisma.command.findUniqueOrThrow({ where: { id: command.id } });
    expect(stored).toMatchObject({ status: 'failed', exitCode: 1, reason: 'socketfilterfw needs root' });
    expect(stored.stderr).toHaveLength(16 * 1024);
    expect(stored.stderr?.endsWith('socketfilterfw: must be root')).toBe(true);
    agent.close();
  });

  it('queues commands for an offline device and delivers them at connect, in order', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const first = (await createCommand(deviceId, RESET_CAMERA)).json();
    const second = (await createCommand(deviceId, { type: 'agent.collect', params: {} })).json();
    expect([first.status, second.status]).toEqual(['queued', 'queued']);

    const agent = await TestAgent.connect(url, deviceToken);
    const a = await agent.next<CommandMessage>((m) => m.type === 'command');
    const b = await agent.next<CommandMessage>((m) => m.type === 'command');
    expect([a.command.id, b.command.id]).toEqual([first.id, second.id]);
    await eventually(async () => (await db.prisma.command.findUniqueOrThrow({ where: { id: second.id } })).status === 'sent');
    agent.close();
  });

  it('stores a command to a connected Mac already sent, in the statement that creates it; a Mac with an older queued command gets that one first', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));

    const direct = (await createCommand(deviceId, RESET_CAMERA)).json();
    const stored = await db.prisma.command.findUniqueOrThrow({ where: { id: direct.id } });
    expect(stored.status).toBe('sent');
    expect(stored.sentAt?.getTime()).toBe(stored.createdAt.getTime());
    expect((await agent.next<CommandMessage>((m) => m.type === 'command')).command.id).toBe(direct.id);

    // An older command left queued (created without its socket: as if its delivery had failed), a
    // second older so that the order never rests on two creations' milliseconds.
    const older = await app.services.commands.create(deviceId, { type: 'agent.collect', params: {} }, 'test', { now: new Date(Date.now() - 1000) });
    expect(older.status).toBe('queued');
    const newer = (await createCommand(deviceId, { type: 'zoom.quit', params: {} })).json();
    expect(newer.status).toBe('sent');
    const a = await agent.next<CommandMessage>((m) => m.type === 'command');
    const b = await agent.next<CommandMessage>((m) => m.type === 'command');
    expect([a.command.id, b.command.id]).toEqual([older.id, newer.id]);
    agent.close();
  });

  it('puts a command back to queued when the socket it was stored sent for closed meanwhile, and the Mac\'s next socket gets it', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const first = await TestAgent.connect(url, deviceToken);
    await eventually(async () => app.services.registry.get(deviceId));
    const stale = await app.services.dispatcher.localSink(deviceId);
    first.close();
    await eventually(async () => !app.services.registry.get(deviceId));

    // The route looked the socket up just before it closed (a Mac waking on another network).
    const command = await app.services.commands.create(deviceId, RESET_CAMERA, 'test', { sink: stale });
    expect(command.status).toBe('queued');
    expect(await db.prisma.command.findUniqueOrThrow({ where: { id: command.id } })).toMatchObject({ status: 'queued', sentAt: null });
    const second = await TestAgent.connect(url, deviceToken);
    expect((await second.next<CommandMessage>((m) => m.type === 'command')).command.id).toBe(command.id);
    second.close();
  });

  it('does not deliver an expired command, and the expiry job marks it expired', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const command = await app.services.commands.create(deviceId, RESET_CAMERA, 'test', { now: new Date(Date.now() - 8 * 24 * 3600 * 1000) });
    const fresh = (await createCommand(deviceId, { type: 'zoom.quit', params: {} })).json();
    const agent = await TestAgent.connect(url, deviceToken);
    const delivered = await agent.next<CommandMessage>((m) => m.type === 'command');
    expect(delivered.command.id).toBe(fresh.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(agent.received.filter((m) => m.type === 'command')).toEqual([]);
    expect(await app.services.commands.expireOverdue()).toMatchObject({ expired: 1 });
    expect((await db.prisma.command.findUniqueOrThrow({ where: { id: command.id } })).status).toBe('expired');
    agent.close();
  });

  it('cancels a queued command (audited) and refuses to cancel a finished one with 409', async () => {
    const { deviceId } = await enroll(app);
    const command = (await createCommand(deviceId, RESET_CAMERA)).json();
    const cancelled = await app.inject({ method: 'POST', url: `/api/v1/commands/${command.id}/cancel`, headers: bearer(operator) });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: command.id, status: 'cancelled' });
    const again = await app.inject({ method: 'POST', url: `/api/v1/commands/${command.id}/cancel`, headers: bearer(operator) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'conflict', message: `command ${command.id} is cancelled; only queued or sent commands can be cancelled` });
    const rows = await db.prisma.auditLog.findMany({ where: { action: 'command.cancel', target: `device:${deviceId}` } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'helpdesk-operator', params: { commandId: command.id, type: 'tcc.reset', was: 'queued' } });
  });

  it('lists a device\'s commands newest first', async () => {
    const { deviceId } = await enroll(app);
    const a = (await createCommand(deviceId, RESET_CAMERA)).json();
    const b = (await createCommand(deviceId, { type: 'agent.collect', params: {} })).json();
    const res = await app.inject({ method: 'GET', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(viewer) });
    expect(res.json().commands.map((c: { id: string }) => c.id)).toEqual([b.id, a.id]);
  });
});

describe('command creation is checked and audited', () => {
  it('refuses an action outside the closed list with 400 and the reason', async () => {
    const { deviceId } = await enroll(app);
    const res = await createCommand(deviceId, { type: 'shell', params: { cmd: 'rm -rf /' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad-request',
      message: 'invalid action: unknown action type "shell"; allowed: tcc.reset, firewall.allow, firewall.block, zoom.quit, agent.collect, zoom.clear-caches',
    });
  });

  it('refuses a bad parameter with the parameter path', async () => {
    const { deviceId } = await enroll(app);
    const res = await createCommand(deviceId, { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos', user: 'root' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^invalid action: \/params\/user/);
    expect(await db.prisma.command.count({ where: { deviceId } })).toBe(0);
  });

  it('answers 404 for an unknown device', async () => {
    const res = await createCommand('00000000-0000-4000-8000-000000000000', RESET_CAMERA);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not-found', message: 'device 00000000-0000-4000-8000-000000000000 not found' });
  });

  it('needs the operator role: a viewer gets 403 with the reason', async () => {
    const { deviceId } = await enroll(app);
    const res = await createCommand(deviceId, RESET_CAMERA, viewer);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'forbidden', message: 'API token "dashboard-viewer" has role viewer; this route needs an operator or admin API token' });
  });

  it('writes command.create to the audit log with actor, target and params', async () => {
    const { deviceId } = await enroll(app);
    const command = (await createCommand(deviceId, RESET_CAMERA, TEST_ADMIN_TOKEN)).json();
    const row = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'command.create', target: `device:${deviceId}` } });
    expect(row).toMatchObject({ actor: 'env', params: { commandId: command.id, type: 'tcc.reset', params: RESET_CAMERA.params } });
  });
});
