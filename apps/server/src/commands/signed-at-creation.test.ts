// Issue 16, item 2: a Command row inserted straight into the database was signed at delivery,
// sent and run, with no audit row. Commands are now signed when the service creates them (with
// their audit row); delivery sends the stored signature, and a row without a valid one is failed
// (reason, `command.refused` audit row), never sent — at connect, on dispatch, and in a batch.
import { randomUUID } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { commandSigningPayload, type ServerMessage } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const NC = { type: 'firewall.allow', params: { appPath: '/usr/bin/nc' } };
const ZOOM = { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } };

/** A Command row written with SQL, as someone with database access would: queued, optionally with a signature and key id. */
async function rawInsert(deviceId: string, action: { type: string; params: object }, extra: { signature?: string; keyId?: string; batchId?: string } = {}): Promise<string> {
  const id = randomUUID();
  await ctx.db.prisma.$executeRawUnsafe(
    `INSERT INTO "Command" (id, "deviceId", type, params, status, "createdBy", "createdAt", "expiresAt", signature, "keyId", "batchId")
     VALUES ($1, $2::uuid, $3, $4::jsonb, 'queued', 'sql', now(), now() + interval '1 day', $5, $6, $7)`,
    id, deviceId, action.type, JSON.stringify(action.params), extra.signature ?? null, extra.keyId ?? null, extra.batchId ?? null,
  );
  return id;
}

/** Waits until the command is failed; returns its reason and the `command.refused` audit rows that name it. */
async function refused(id: string): Promise<{ reason: string | null; audits: number }> {
  const row = await eventually(async () => {
    const c = await ctx.db.prisma.command.findUniqueOrThrow({ where: { id } });
    return c.status === 'failed' ? c : null;
  });
  const audits = await ctx.db.prisma.auditLog.count({ where: { action: 'command.refused', actor: 'server', params: { path: ['commandId'], equals: id } } });
  return { reason: row.reason, audits };
}

/** Queues `action` through the API (the service); returns its id. */
async function created(deviceId: string, action: object): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(ctx.operator), payload: { action } });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

const ids = (agent: TestAgent) => agent.received.flatMap((m) => (m.type === 'command' ? [m.command.id] : []));

describe('only commands created through the service are delivered', () => {
  it('a raw INSERT of firewall.allow /usr/bin/nc is never sent to a connected agent; one created through the service is, signed at creation', async () => {
    const { deviceId, deviceToken, serverPublicKey } = await enroll(ctx.app, { hostname: 'raw-insert-mac' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId));

    const raw = await rawInsert(deviceId, NC);
    await ctx.app.services.dispatcher.dispatch(deviceId);
    expect(await refused(raw)).toEqual({
      reason: 'not sent: the command has no signature from its creation (it was not created through the command service, or was queued before the server signed at creation)',
      audits: 1,
    });

    const genuine = await created(deviceId, ZOOM);
    const stored = await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: genuine } });
    expect(stored.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(stored.keyId).toBe(keyIdOf(serverPublicKey!));
    const { command } = await agent.next<CommandMessage>((m) => m.type === 'command' && m.command.id === genuine);
    expect(command).toMatchObject({ signature: stored.signature, keyId: stored.keyId, action: ZOOM });
    const pinned = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: serverPublicKey! }, format: 'jwk' });
    expect(verify(null, Buffer.from(commandSigningPayload(command), 'utf8'), pinned, Buffer.from(command.signature!, 'base64url'))).toBe(true);
    // The raw row was handled by the dispatch before the genuine one: had it gone out, it would be here.
    expect(ids(agent)).not.toContain(raw);
  });

  it('a raw row carrying a genuine command\'s signature, or a genuine row altered after creation, is failed at connect, not sent', async () => {
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'copied-signature-mac' });
    const genuine = await created(deviceId, ZOOM);
    const { signature, keyId } = await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: genuine } });
    const copied = await rawInsert(deviceId, NC, { signature: signature!, keyId: keyId! });
    const altered = await created(deviceId, ZOOM);
    await ctx.db.prisma.$executeRawUnsafe(`UPDATE "Command" SET params = '{"appPath":"/usr/bin/nc"}' WHERE id = $1`, altered);

    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await agent.next<CommandMessage>((m) => m.type === 'command' && m.command.id === genuine);
    const mismatch = 'not sent: the stored signature does not match the command (the row was altered or inserted outside the command service)';
    expect(await refused(copied)).toEqual({ reason: mismatch, audits: 1 });
    expect(await refused(altered)).toEqual({ reason: mismatch, audits: 1 });
    expect(ids(agent)).toEqual([]); // nothing but the genuine command, taken above
  });

  it('a raw row in a bulk batch is failed when another instance\'s notification makes this one deliver the batch from the database', async () => {
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'raw-batch-mac' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId));
    // The connect-time resend reads the queued rows too: a raw row inserted while it runs may be
    // refused by it, and is then no longer queued for the batch (it failed one run in several).
    await ctx.app.services.registry.get(deviceId)!.ready;
    const batchId = randomUUID();
    const raw = await rawInsert(deviceId, NC, { batchId });
    // What a `batch:` notification runs: the batch's queued rows read from the database.
    const sinks = new Map([[deviceId, ctx.app.services.registry.get(deviceId)!]]);
    expect(await ctx.app.services.commands.deliverBatch(batchId, sinks)).toEqual({ sent: [], deferred: [] });
    expect((await refused(raw)).audits).toBe(1);
    const genuine = await created(deviceId, ZOOM);
    await agent.next<CommandMessage>((m) => m.type === 'command' && m.command.id === genuine);
    expect(ids(agent)).not.toContain(raw);
  });
});
