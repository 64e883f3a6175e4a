// Bulk commands (POST /api/v1/batches) and group-committed command replies, against the real
// server and a real database, with agents on real sockets.
import { randomUUID } from 'node:crypto';
import type { Action, CommandResult, ServerMessage } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const COLLECT = { type: 'agent.collect', params: {} } satisfies Action;
const isCommand = (m: ServerMessage) => m.type === 'command';

const succeeded = (): CommandResult => ({
  status: 'succeeded', exitCode: 0, stdout: 'collected\n', stderr: '', argv: [],
  startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:00.250Z', durationMs: 250,
});

/** Enrolls a Mac and (unless `connect` is false) connects it and waits for its first report's ack. */
async function mac(hostname: string, connect = true) {
  const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
  const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
  if (!connect) return { deviceId, deviceToken, hostname, agent: null };
  const agent = await TestAgent.connect(ctx.url, deviceToken);
  ctx.agents.push(agent);
  const id = `report-${randomUUID()}`;
  agent.send({ type: 'report', id, snapshot: buildSnapshot({ hostname, serialNumber }) });
  await agent.next((m) => m.type === 'ack' && m.id === id);
  return { deviceId, deviceToken, hostname, agent };
}

const post = (payload: unknown, token = ctx.operator) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/batches', headers: bearer(token), payload: payload as Record<string, unknown> });

describe('POST /api/v1/batches: one action to every Mac a filter matches', () => {
  let a: Awaited<ReturnType<typeof mac>>;
  let b: Awaited<ReturnType<typeof mac>>;
  let c: Awaited<ReturnType<typeof mac>>;
  let offline: Awaited<ReturnType<typeof mac>>;

  beforeAll(async () => {
    a = await mac('blk-a-mbp');
    b = await mac('blk-b-mba');
    c = await mac('blk-c-imac');
    offline = await mac('blk-d-offline', false);
  });

  it('a dry run lists every matching Mac in hostname order and queues nothing', async () => {
    const res = await post({ action: COLLECT, dryRun: true, filter: { search: 'blk-' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      batchId: null, findingId: null, action: COLLECT, dryRun: true, filter: { search: 'blk-' },
      targets: [a, b, c, offline].map((m) => ({ deviceId: m.deviceId, hostname: m.hostname, action: COLLECT })),
      skipped: [],
    });
    expect(await ctx.db.prisma.command.count({ where: { deviceId: { in: [a.deviceId, b.deviceId, c.deviceId, offline.deviceId] } } })).toBe(0);
  });

  it('refuses an action outside the closed list (400 with the reason), and viewers (403)', async () => {
    const bad = await post({ action: { type: 'shell.run', params: { command: 'rm -rf /' } }, dryRun: false });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^invalid action: /);
    expect((await post({ action: COLLECT, dryRun: true }, ctx.viewer)).statusCode).toBe(403);
  });

  it('delivers to connected Macs at once, queues for the offline one, audits, and the batch status follows the results', async () => {
    // c has an older command of its own still queued (created, its dispatch lost): it must go out first.
    const older = await ctx.app.services.commands.create(c.deviceId, { type: 'zoom.quit', params: {} }, 'fleet-operator');
    const res = await post({ action: COLLECT, dryRun: false, filter: { search: 'blk-' } });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { batchId: string; targets: Array<{ deviceId: string; commandId: string }> };
    expect(body.targets).toHaveLength(4);
    const commandOf = new Map(body.targets.map((t) => [t.deviceId, t.commandId]));

    for (const m of [a, b]) {
      const got = await m.agent!.next<CommandMessage>(isCommand);
      expect(got.command).toMatchObject({ id: commandOf.get(m.deviceId), deviceId: m.deviceId, action: COLLECT });
      expect(got.command.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    }
    const first = await c.agent!.next<CommandMessage>(isCommand);
    const second = await c.agent!.next<CommandMessage>(isCommand);
    expect([first.command.id, second.command.id]).toEqual([older.id, commandOf.get(c.deviceId)]);

    const audit = await ctx.db.prisma.auditLog.findMany({ where: { action: 'batch.create', target: `batch:${body.batchId}` } });
    expect(audit).toMatchObject([{ actor: 'fleet-operator', params: { action: COLLECT, filter: { search: 'blk-' }, commandCount: 4, skipped: [] } }]);
    expect(await ctx.db.prisma.auditLog.count({ where: { action: 'command.create', params: { path: ['batchId'], equals: body.batchId } } })).toBe(4);

    // Answers from three ctx.agents at once: acks and results are stored by group commit.
    for (const m of [a, b, c]) {
      const id = commandOf.get(m.deviceId)!;
      m.agent!.send({ type: 'command.ack', id });
      m.agent!.send({ type: 'command.result', id, result: succeeded() });
    }
    for (const m of [a, b, c]) await m.agent!.next((msg) => msg.type === 'ack' && msg.id === commandOf.get(m.deviceId));
    const status = async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${body.batchId}`, headers: bearer(ctx.viewer) })).json();
    expect(await status()).toMatchObject({
      id: body.batchId, findingId: null, action: COLLECT, createdBy: 'fleet-operator',
      counts: { total: 4, succeeded: 3, failed: 0, pending: 1 },
    });

    // The same action again: every Mac is skipped (3 done, but the offline one's is still queued).
    const again = await post({ action: COLLECT, dryRun: true, filter: { search: 'blk-' } });
    expect(again.json().targets.map((t: { hostname: string }) => t.hostname)).toEqual(['blk-a-mbp', 'blk-b-mba', 'blk-c-imac']);
    expect(again.json().skipped).toEqual([{
      deviceId: offline.deviceId, hostname: 'blk-d-offline',
      reason: `command ${commandOf.get(offline.deviceId)} with the same action (agent.collect) is already queued`,
    }]);

    // The offline Mac connects: its command is waiting.
    const late = await TestAgent.connect(ctx.url, offline.deviceToken);
    ctx.agents.push(late);
    const waiting = await late.next<CommandMessage>(isCommand);
    expect(waiting.command.id).toBe(commandOf.get(offline.deviceId));
    await eventually(async () => (await status()).counts.pending === 1 && (await status()).commands.find((x: { deviceId: string }) => x.deviceId === offline.deviceId).status === 'sent');
  });

  it('two identical bulk commands at once queue one command per Mac: the second sees the first in flight', async () => {
    const macs = [await mac('dup-a', false), await mac('dup-b', false)];
    const answers = await Promise.all([0, 1].map(() => post({ action: { type: 'zoom.quit', params: {} }, dryRun: false, filter: { search: 'dup-' } })));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await ctx.db.prisma.command.count({ where: { deviceId: { in: macs.map((m) => m.deviceId) }, type: 'zoom.quit' } })).toBe(2);
  });

  it('409 when no Mac matches the filter', async () => {
    const res = await post({ action: COLLECT, dryRun: false, filter: { search: 'no-such-mac-anywhere' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toBe('no Mac to send agent.collect to: 0 match the filter, all skipped; nothing was queued');
  });
});

describe('command replies are group-committed: many devices per statement, each answered right', () => {
  it('stores 60 concurrent acks and results, refuses another device\'s command, and tells duplicates from unknown ids', async () => {
    const macs = await Promise.all(Array.from({ length: 3 }, (_, i) => mac(`grp-${i}`, false)));
    const commands = ctx.app.services.commands;
    const made = await Promise.all(macs.flatMap((m) => Array.from({ length: 10 }, () => commands.create(m.deviceId, COLLECT, 'test'))));
    const [acks, results] = await Promise.all([
      Promise.all(made.map((cmd) => commands.recordAck(cmd.deviceId, cmd.id))),
      Promise.all(made.map((cmd) => commands.recordResult(cmd.deviceId, cmd.id, succeeded()))),
    ]);
    // An ack flushed after the result cannot move it back: each ack is true only if it came first.
    expect(results).toEqual(made.map(() => 'recorded'));
    expect(acks.every((x) => typeof x === 'boolean')).toBe(true);
    const stored = await ctx.db.prisma.command.findMany({ where: { id: { in: made.map((m) => m.id) } } });
    expect(stored.map((s) => s.status)).toEqual(made.map(() => 'succeeded'));
    expect(stored.every((s) => s.durationMs === 250 && s.stdout === 'collected\n' && s.finishedAt?.toISOString() === '2026-11-29T10:00:00.250Z')).toBe(true);

    const [mine, theirs] = [made[0]!, made[15]!];
    const fresh = await commands.create(mine.deviceId, { type: 'zoom.quit', params: {} }, 'test');
    const answers = await Promise.all([
      commands.recordAck(theirs.deviceId, fresh.id), // another device's command: not moved
      commands.recordResult(theirs.deviceId, fresh.id, succeeded()),
      commands.recordResult(mine.deviceId, mine.id, succeeded()), // already stored
      commands.recordResult(mine.deviceId, 'no-such-command', succeeded()),
      commands.recordAck(mine.deviceId, fresh.id),
    ]);
    expect(answers).toEqual([false, 'unknown-command', 'duplicate', 'unknown-command', true]);
    expect((await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe('acknowledged');
  });
});
