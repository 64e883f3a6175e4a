// Bulk commands committed and delivered chunk by chunk (small chunks here, 5,000 in the server),
// against two real server instances on one database, with agents on real sockets: half the Macs
// on instance A (which creates the batch), half on B (reached through NOTIFY, one per chunk).
// With DATABASE_URL each instance has its own pools; without, both share one PGlite.
import type { Action, CommandResult, ServerMessage } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { openDatabase, type Database } from '../db/index.js';
import { ServiceError } from '../errors.js';
import { TestAgent, buildTestApp, enroll, eventually, listen } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { BatchService, type BatchDelivery } from './batches.js';
import type { EnvelopeSource } from './service.js';

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const COLLECT = { type: 'agent.collect', params: {} } satisfies Action;
const isCommand = (m: ServerMessage): m is CommandMessage => m.type === 'command';
const succeeded = (): CommandResult => ({
  status: 'succeeded', exitCode: 0, stdout: '', stderr: '', argv: [],
  startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:00.100Z', durationMs: 100,
});
const cutoff = () => new Date(Date.now() - 3_600_000);

let dbA: TestDatabase;
let dbB: Database;
let a: FleetMedicApp;
let b: FleetMedicApp;
let urlA: string;
let urlB: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  dbA = await openTestDatabase();
  dbB = dbA.kind === 'postgres' ? await openDatabase({ databaseUrl: dbA.databaseUrl }) : dbA;
  a = await buildTestApp(dbA);
  b = await buildTestApp(dbB);
  urlA = await listen(a);
  urlB = await listen(b);
});

afterAll(async () => {
  for (const agent of agents) agent.close();
  await a?.close();
  await b?.close();
  if (dbB && dbB !== dbA) await dbB.close();
  await dbA?.cleanup();
});

interface Mac { deviceId: string; deviceToken: string; hostname: string; agent: TestAgent | null; app: FleetMedicApp | null }

/** Enrolls a Mac through A and connects it to `on` (or leaves it offline); resolves once that instance holds its socket. */
async function mac(hostname: string, on: 'A' | 'B' | null): Promise<Mac> {
  const { deviceId, deviceToken } = await enroll(a, { hostname });
  if (!on) return { deviceId, deviceToken, hostname, agent: null, app: null };
  const [app, url] = on === 'A' ? [a, urlA] : [b, urlB];
  const agent = await TestAgent.connect(url, deviceToken);
  agents.push(agent);
  await eventually(async () => app.services.registry.get(deviceId) !== undefined);
  return { deviceId, deviceToken, hostname, agent, app };
}

describe('a bulk command commits and delivers chunk by chunk', () => {
  it('hands each committed chunk to delivery in order, and every connected Mac on either instance gets its command exactly once', async () => {
    // Hostname order alternates A and B, so every chunk of 2 has a Mac on each instance.
    const macs: Mac[] = [];
    for (let i = 0; i < 10; i++) macs.push(await mac(`chunk-${String(i).padStart(2, '0')}`, i % 2 === 0 ? 'A' : 'B'));
    const offline = await mac('chunk-10-offline', null);

    const handed: Array<{ size: number; committed: number }> = [];
    const delivery: BatchDelivery = {
      dispatchBatch: async (batchId: string, chunk: readonly EnvelopeSource[]) => {
        // What was committed when the chunk was handed over: at least every row handed so far.
        handed.push({ size: chunk.length, committed: await dbA.prisma.command.count({ where: { batchId } }) });
        await a.services.dispatcher.dispatchBatch(batchId, chunk);
      },
    };
    const created = await new BatchService(a.services.commands, delivery, dbA.kind, 2)
      .createBulkCommand(COLLECT, { search: 'chunk-' }, 'test', cutoff());
    expect(created.commands).toHaveLength(11);
    expect(created.undelivered).toEqual([]);
    expect(handed.map((h) => h.size)).toEqual([2, 2, 2, 2, 2, 1]);
    handed.reduce((sum, h) => {
      expect(h.committed).toBeGreaterThanOrEqual(sum + h.size);
      return sum + h.size;
    }, 0);
    expect(await dbA.prisma.auditLog.count({ where: { action: 'batch.create', target: `batch:${created.batchId}` } })).toBe(1);
    expect(await dbA.prisma.auditLog.count({ where: { action: 'command.create', params: { path: ['batchId'], equals: created.batchId } } })).toBe(11);

    const commandOf = new Map(created.commands.map((c) => [c.deviceId, c.id]));
    for (const m of macs) {
      const got = await m.agent!.next<CommandMessage>(isCommand);
      expect(got.command).toMatchObject({ id: commandOf.get(m.deviceId), deviceId: m.deviceId, action: COLLECT });
      m.agent!.send({ type: 'command.result', id: got.command.id, result: succeeded() });
    }
    await eventually(async () => (await dbA.prisma.command.count({ where: { batchId: created.batchId, status: 'succeeded' } })) === 10);

    // A later command to each Mac arrives after anything the batch could still have sent: none came twice.
    for (const m of macs) await a.services.commands.create(m.deviceId, { type: 'zoom.quit', params: {} }, 'test').then(() => a.services.dispatcher.dispatch(m.deviceId));
    for (const m of macs) {
      expect((await m.agent!.next<CommandMessage>(isCommand)).command.action.type).toBe('zoom.quit');
      expect(m.agent!.received.filter(isCommand)).toEqual([]);
    }

    // The offline Mac's command waits for its connect.
    const late = await TestAgent.connect(urlB, offline.deviceToken);
    agents.push(late);
    expect((await late.next<CommandMessage>(isCommand)).command.id).toBe(commandOf.get(offline.deviceId));
  });

  it('two bulk commands of the same action at once queue one command per Mac, though each commits in several chunks', async () => {
    const macs: Mac[] = [];
    for (let i = 0; i < 5; i++) macs.push(await mac(`twice-${i}`, null));
    const batches = new BatchService(a.services.commands, a.services.dispatcher, dbA.kind, 2);
    const action = { type: 'zoom.quit', params: {} } satisfies Action;
    const outcomes = await Promise.allSettled([0, 1].map(() => batches.createBulkCommand(action, { search: 'twice-' }, 'test', cutoff())));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ServiceError);
    expect((refused.reason as ServiceError).statusCode).toBe(409);
    const ids = macs.map((m) => m.deviceId);
    expect(await dbA.prisma.command.count({ where: { deviceId: { in: ids }, type: 'zoom.quit' } })).toBe(5);
  });

  it('a chunk that fails leaves the chunks before it queued and delivered, and says so (500 batch-incomplete, audited)', async () => {
    const macs: Mac[] = [];
    for (let i = 0; i < 5; i++) macs.push(await mac(`partial-${i}`, 'A'));
    // A real database error for the Mac of the third chunk: a trigger refusing its command row.
    const refused = macs[4]!.deviceId;
    await dbA.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_test_command() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."deviceId" = '${refused}'::uuid THEN RAISE EXCEPTION 'test refuses commands for this Mac'; END IF; RETURN NEW; END $$`);
    await dbA.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_test_command BEFORE INSERT ON "Command" FOR EACH ROW EXECUTE FUNCTION refuse_test_command()`);
    try {
      const batches = new BatchService(a.services.commands, a.services.dispatcher, dbA.kind, 2);
      const error = await batches.createBulkCommand(COLLECT, { search: 'partial-' }, 'test', cutoff()).then(() => null, (err: unknown) => err);
      expect(error).toBeInstanceOf(ServiceError);
      const { statusCode, code, message } = error as ServiceError;
      expect({ statusCode, code }).toEqual({ statusCode: 500, code: 'batch-incomplete' });
      const batchId = /^batch ([0-9a-f-]{36}): 4 of 5 commands were queued/.exec(message)?.[1];
      expect(batchId, message).toBeDefined();
      expect(message).toContain('test refuses commands for this Mac');
      expect(await dbA.prisma.command.count({ where: { batchId } })).toBe(4);
      expect(await dbA.prisma.auditLog.findMany({ where: { action: 'batch.incomplete', target: `batch:${batchId}` }, select: { params: true } }))
        .toMatchObject([{ params: { queued: 4, planned: 5 } }]);
      for (const m of macs.slice(0, 4)) expect((await m.agent!.next<CommandMessage>(isCommand)).command).toMatchObject({ deviceId: m.deviceId, action: COLLECT });
    } finally {
      await dbA.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_test_command ON "Command"`);
      await dbA.prisma.$executeRawUnsafe(`DROP FUNCTION refuse_test_command()`);
    }
  });
});
