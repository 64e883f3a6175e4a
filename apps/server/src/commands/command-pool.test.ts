// The command path's own connection pool (Database.commandPrisma): a command is created, delivered
// over a real socket, acknowledged and its result stored while every connection of the main pool
// (the one ingest batches use) is taken. Real app, real database, real WebSocket agent.
import { randomUUID } from 'node:crypto';
import type { CommandResult, ServerMessage } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { MAIN_POOL_SIZE } from '../db/client.js';
import { TestAgent, enroll, eventually, useTestApp } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { BatchService } from './batches.js';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const result: CommandResult = {
  status: 'succeeded', exitCode: 0, stdout: 'collected\n', stderr: '', argv: [],
  startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:00.050Z', durationMs: 50,
};

/** Takes every connection of the main pool with transactions that wait; `release()` ends them. */
async function takeMainPool(): Promise<{ release: () => Promise<void>; waiting: Promise<unknown> }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  let started = 0;
  const holders = Array.from({ length: MAIN_POOL_SIZE }, () => ctx.db.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1`;
    started += 1;
    await gate;
  }, { timeout: 60_000, maxWait: 30_000 }));
  await eventually(async () => started === MAIN_POOL_SIZE);
  // A query on the main pool now waits for a connection until the holders end.
  const waiting = ctx.db.prisma.$queryRaw`SELECT 1 AS one`;
  return { waiting, release: async () => { open(); await Promise.all(holders); } };
}

describe('the command path has a pool of its own', () => {
  it('on PGlite it is the one client (one session); on Postgres a second client', () => {
    if (ctx.db.kind === 'pglite') expect(ctx.db.commandPrisma).toBe(ctx.db.prisma);
    else expect(ctx.db.commandPrisma).not.toBe(ctx.db.prisma);
    expect(ctx.app.services.commands.prisma).toBe(ctx.db.commandPrisma);
  });

  it.skipIf(!process.env.DATABASE_URL)('creates, delivers and stores the result of a command while ingest\'s pool is saturated (Postgres)', async () => {
    const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'pool-mbp', serialNumber });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    const reportId = `report-${randomUUID()}`;
    agent.send({ type: 'report', id: reportId, snapshot: buildSnapshot({ hostname: 'pool-mbp', serialNumber }) });
    await agent.next((m) => m.type === 'ack' && m.id === reportId);
    await eventually(async () => ctx.app.services.registry.get(deviceId) !== undefined);

    const pool = await takeMainPool();
    let mainPoolAnswered = false;
    void pool.waiting.then(() => { mainPoolAnswered = true; });
    try {
      const { commands, dispatcher } = ctx.app.services;
      const created = await commands.create(deviceId, { type: 'agent.collect', params: {} }, 'test');
      await dispatcher.dispatch(deviceId);
      const got = await agent.next<CommandMessage>((m) => m.type === 'command');
      expect(got.command).toMatchObject({ id: created.id, deviceId, action: { type: 'agent.collect', params: {} } });
      agent.send({ type: 'command.ack', id: created.id });
      agent.send({ type: 'command.result', id: created.id, result });
      await agent.next((m) => m.type === 'ack' && m.id === created.id);
      const stored = await commands.get(created.id);
      expect(stored).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'collected\n' });
      expect(stored!.sentAt).not.toBeNull();
      expect(stored!.ackedAt).not.toBeNull();
      // All of it ran while the main pool had no connection to give.
      expect(mainPoolAnswered).toBe(false);
    } finally {
      await pool.release();
    }
    expect(await pool.waiting).toEqual([{ one: 1 }]);
  });

  it.skipIf(!process.env.DATABASE_URL)('a bulk command is queued and delivered while ingest\'s pool is saturated (Postgres)', async () => {
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'pool-bulk-mba' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId) !== undefined);
    // Through the service POST /api/v1/batches uses (the route's admin-token check reads the main pool).
    const pool = await takeMainPool();
    try {
      const created = await new BatchService(ctx.app.services.commands, ctx.app.services.dispatcher, ctx.db.kind)
        .createBulkCommand({ type: 'agent.collect', params: {} }, { search: 'pool-bulk-' }, 'test', new Date(Date.now() - 3_600_000));
      const got = await agent.next<CommandMessage>((m) => m.type === 'command');
      expect(got.command.id).toBe(created.commands[0]!.id);
    } finally {
      await pool.release();
    }
    expect(await ctx.db.prisma.command.findMany({ where: { deviceId }, select: { status: true, batchId: true } })).toEqual([{ status: 'sent', batchId: expect.any(String) }]);
  });
});
