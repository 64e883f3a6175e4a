import pg from 'pg';
import { CLOSE_CODES } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp, type TestAppContext } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { HELD_OVERHEAD_BYTES } from './plugin.js';
import { ReadBudget, type ReadBudgetStats } from './read-budget.js';

/** A socket stand-in that records whether it is paused. */
class Flag {
  paused = false;
  pause() { this.paused = true; }
  resume() { this.paused = false; }
}

describe('ReadBudget', () => {
  it('pauses every socket past the high mark, resumes them at the low mark, pauses late arrivals, and never pauses longer than maxPauseMs', () => {
    const sockets = [new Flag(), new Flag()];
    const budget = new ReadBudget(() => sockets, 100, 50, 10_000);
    budget.take(60, 0);
    budget.take(60, 0);
    expect(sockets.map((s) => s.paused)).toEqual([true, true]);
    const late = new Flag();
    budget.adopt(late);
    expect(late.paused).toBe(true);
    budget.release(60, 1_000);
    expect(budget.paused).toBe(true); // 60 held: above the low mark
    budget.release(10, 2_000);
    expect(budget.paused).toBe(false);
    expect(sockets.every((s) => !s.paused)).toBe(true);
    budget.take(100, 3_000); // 150 held
    budget.tick(12_999);
    expect(budget.paused).toBe(true);
    budget.tick(13_000);
    expect(budget.paused).toBe(false);
    expect(budget.stats).toEqual({ heldBytes: 150, maxHeldBytes: 150, pauses: 2, longestPauseMs: 10_000, starvedReads: 0 });
  });

  it('leaves the sockets `exempt` names reading during a pause, at most maxExempt of them', () => {
    const sockets = [new Flag(), new Flag(), new Flag(), new Flag()];
    const awaiting = new Set([sockets[0], sockets[1], sockets[2]]);
    const budget = new ReadBudget(() => sockets, 100, 50, 10_000, { exempt: (s) => awaiting.has(s), maxExempt: 2 });
    budget.take(101, 0);
    expect(sockets.map((s) => s.paused)).toEqual([false, false, true, true]);
    // One no longer exempt (its reply came) is paused on adoption while the others are.
    budget.adopt(sockets[0]!);
    expect(sockets[0]!.paused).toBe(true);
  });

  it('goes on reading an exempt socket that sends a report during a pause (its reply may be right behind it) while no more than twice highBytes are held; pauses any other', () => {
    const sockets = [new Flag(), new Flag()];
    const awaiting = new Set([sockets[0]]);
    const budget = new ReadBudget(() => sockets, 100, 50, 10_000, { exempt: (s) => awaiting.has(s), maxExempt: 2 });
    budget.reported(sockets[1]!); // not paused: nothing to do
    expect(sockets[1]!.paused).toBe(false);
    budget.take(101, 0);
    budget.take(99, 1); // 200 held
    budget.reported(sockets[0]!, 2);
    expect(sockets[0]!.paused).toBe(false);
    budget.take(1, 3); // 201 held
    budget.reported(sockets[0]!, 4);
    expect(sockets[0]!.paused).toBe(true);
    sockets[1]!.resume(); // as read for having waited too long
    budget.reported(sockets[1]!, 5);
    expect(sockets[1]!.paused).toBe(true);
  });

  it('reads an exempt socket that a resume cut short had left paused, and one that becomes exempt during a pause while slots are left', async () => {
    const nextTurn = () => new Promise<void>((r) => setImmediate(r));
    const sockets = Array.from({ length: 5 }, () => new Flag());
    const awaiting = new Set<Flag>();
    const budget = new ReadBudget(() => sockets, 100, 50, 10_000, { exempt: (s) => awaiting.has(s), maxExempt: 2, resumeChunk: 2 });
    budget.take(101, 0);
    budget.release(60, 1); // resumes sockets 0 and 1 now, 2 and 3 next turn, 4 the turn after
    budget.take(60, 2); // paused again before socket 4 was resumed...
    awaiting.add(sockets[4]!);
    budget.take(0, 3);
    expect(sockets[4]!.paused).toBe(true);
    budget.release(60, 4);
    budget.take(60, 5); // ...and the next pause finds socket 4 exempt: it is read
    expect(sockets.map((s) => s.paused)).toEqual([true, true, true, true, false]);
    await nextTurn();
    // A command sent to socket 0 during the pause: exempt at once (a slot is left), socket 1 not (none is).
    budget.exempt(sockets[0]!);
    budget.exempt(sockets[1]!);
    expect(sockets.map((s) => s.paused)).toEqual([false, true, true, true, false]);
  });

  it('resumes resumeChunk sockets a turn, stops when paused again, and starts the next resume where that one stopped', async () => {
    const nextTurn = () => new Promise<void>((r) => setImmediate(r));
    const sockets = Array.from({ length: 5 }, () => new Flag());
    const resumes: number[] = [];
    sockets.forEach((s, i) => { s.resume = () => { s.paused = false; resumes.push(i); }; });
    const budget = new ReadBudget(() => sockets, 100, 50, 10_000, { resumeChunk: 2 });
    budget.take(101, 0);
    budget.release(60, 1);
    expect(resumes).toEqual([0, 1]);
    await nextTurn();
    expect(resumes).toEqual([0, 1, 2, 3]);
    budget.take(60, 2); // past the high mark before socket 4 was resumed
    await nextTurn();
    expect(resumes).toEqual([0, 1, 2, 3]);
    expect(sockets.map((s) => s.paused)).toEqual([true, true, true, true, true]);
    budget.release(60, 3);
    expect(resumes.slice(4)).toEqual([4, 0]);
    await nextTurn();
    await nextTurn();
    expect(resumes.slice(4)).toEqual([4, 0, 1, 2, 3]);
    expect(sockets.every((s) => !s.paused)).toBe(true);
  });

  it('reads a socket paused maxSocketPauseMs however often the budget pauses again, oldest first, starvedPerTick a tick, none while twice highBytes are held; the next pause leaves it reading until heard from, and a report then pauses it', async () => {
    const nextTurn = () => new Promise<void>((r) => setImmediate(r));
    const sockets = Array.from({ length: 6 }, () => new Flag());
    const paused = () => sockets.map((s) => s.paused);
    const budget = new ReadBudget(() => sockets, 100, 50, 100_000, { resumeChunk: 2, maxSocketPauseMs: 12_000, starvedPerTick: 2 });
    budget.take(101, 0);
    // Each resume is cut short after its first chunk, as when the sockets resumed bring a backlog
    // at once: 0 and 1 are read at 5,000, 2 and 3 at 9,000; 4 and 5 wait.
    for (const at of [5_000, 9_000]) {
      budget.release(60, at);
      budget.take(60, at + 1);
      await nextTurn();
    }
    expect(paused()).toEqual([true, true, true, true, true, true]);
    budget.tick(11_999);
    expect(budget.stats.starvedReads).toBe(0);
    budget.tick(12_000); // 4 and 5 paused since 0, 0 and 1 since 5,001, 2 and 3 since 9,001
    expect(paused()).toEqual([true, true, true, true, false, false]);
    expect(budget.stats.starvedReads).toBe(2);
    // 4 sends a report and is paused; the next pause leaves 5, not heard from yet, reading.
    budget.heard(sockets[4]!);
    budget.adopt(sockets[4]!, 12_500);
    budget.release(60, 12_600);
    budget.take(60, 12_700);
    expect(paused()).toEqual([true, true, true, true, true, false]);
    budget.heard(sockets[5]!);
    budget.adopt(sockets[5]!, 12_800);
    expect(sockets[5]!.paused).toBe(true);
    budget.tick(17_001);
    expect(paused()).toEqual([false, false, true, true, true, true]);
    expect(budget.stats.starvedReads).toBe(4);
    // 2 and 3 (paused since 9,001) wait while more than twice highBytes are held.
    budget.take(150, 17_100);
    budget.tick(30_000);
    expect(paused()).toEqual([false, false, true, true, true, true]);
    budget.release(150, 30_000);
    budget.tick(30_001);
    expect(paused()).toEqual([false, false, false, false, true, true]);
  });

  it('refuses a low mark not below the high mark', () => {
    expect(() => new ReadBudget(() => [], 100, 100, 1_000)).toThrow(RangeError);
  });
});

/**
 * Locks `deviceId`'s row (FOR NO KEY UPDATE) in a session of its own, as a long transaction would:
 * the ingest of that Mac's reports waits on it until the returned release rolls it back.
 */
async function holdDeviceRow(databaseUrl: string, deviceId: string): Promise<() => Promise<void>> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT id FROM "Device" WHERE id = $1 FOR NO KEY UPDATE', [deviceId]);
  return async () => {
    await holder.query('ROLLBACK');
    await holder.end();
  };
}

const whole = (id: string, minute: number) => ({ type: 'report', id, snapshot: buildSnapshot({ collectedAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(), batteryPercent: 50 + minute }) });
/** The bytes of a whole report with an 11-character id, as every test below sends. */
const size = Buffer.byteLength(JSON.stringify(whole('budget-0001', 1)));
// Three whole reports go past the high mark; one answered is not enough to resume, two are.
const readHighBytes = Math.floor(2.5 * size);
const statsOf = async (t: TestAppContext) => (await t.app.inject({ method: 'GET', url: '/api/v1/agent/ingest-stats', headers: bearer(t.viewer) })).json() as ReadBudgetStats;
/** Two enrolled Macs, each with its socket open. */
async function twoAgents(t: TestAppContext) {
  const a = await enroll(t.app);
  const b = await enroll(t.app);
  return { a, b, agentA: await TestAgent.connect(t.url, a.deviceToken), agentB: await TestAgent.connect(t.url, b.deviceToken) };
}

describe('backpressure on real sockets', () => {
  const t = useTestApp({ readHighBytes });
  const stats = () => statsOf(t);

  it('stops reading every socket while the reports held pass the budget, and reads them again once answered (Postgres)', async (ctx) => {
    const { db } = t;
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session in one process: no other session can hold the device row (set DATABASE_URL)');
    const { a, b, agentA, agentB } = await twoAgents(t);
    // Ingest of A's reports waits on A's device row: its three reports stay held.
    const release = await holdDeviceRow(db.databaseUrl!, a.deviceId);
    try {
      for (let i = 1; i <= 3; i++) agentA.send(whole(`budget-000${i}`, i));
      await eventually(async () => (await stats()).pauses === 1);
      // Sent while every socket is paused: not read until A's reports are answered.
      agentB.send(whole('budget-b-0001', 1));
    } finally {
      await release();
    }
    for (let i = 1; i <= 3; i++) await agentA.next((m) => m.type === 'ack' && m.id === `budget-000${i}`);
    await agentB.next((m) => m.type === 'ack' && m.id === 'budget-b-0001');
    // B's report was never held together with A's three: it was read after the resume.
    expect(await stats()).toMatchObject({ pauses: 1, maxHeldBytes: 3 * (size + HELD_OVERHEAD_BYTES), heldBytes: 0 });
    agentA.close();
    agentB.close();
  });

  it('goes on reading a socket that awaits its single command\'s result while the others are paused: the result is stored and acked before the reports ahead of it (Postgres)', async (ctx) => {
    const { db, app, operator } = t;
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session in one process: no other session can hold the device row (set DATABASE_URL)');
    const { a, b, agentA, agentB } = await twoAgents(t);
    await eventually(async () => app.services.registry.get(b.deviceId));
    const created = await app.inject({ method: 'POST', url: `/api/v1/devices/${b.deviceId}/commands`, headers: bearer(operator), payload: { action: { type: 'agent.collect', params: {} } } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    await agentB.next((m) => m.type === 'command');
    const before = await stats();
    const release = await holdDeviceRow(db.databaseUrl!, a.deviceId);
    try {
      for (let i = 1; i <= 3; i++) agentA.send(whole(`awaiting-000${i}`, i));
      await eventually(async () => (await stats()).pauses === before.pauses + 1);
      // A's reports stay held (its row is locked) and every other socket is paused: B's result is read all the same.
      agentB.send({ type: 'command.ack', id });
      agentB.send({
        type: 'command.result', id,
        result: { status: 'succeeded', exitCode: 0, stdout: '', stderr: '', reason: 'collect and report requested', argv: [], startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:00.004Z', durationMs: 4 },
      });
      await agentB.next((m) => m.type === 'ack' && m.id === id);
      expect(await db.prisma.command.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'succeeded', reason: 'collect and report requested' });
      expect(await stats()).toMatchObject({ pauses: before.pauses + 1, heldBytes: 3 * (Buffer.byteLength(JSON.stringify(whole('awaiting-0001', 1))) + HELD_OVERHEAD_BYTES) });
    } finally {
      await release();
    }
    for (let i = 1; i <= 3; i++) await agentA.next((m) => m.type === 'ack' && m.id === `awaiting-000${i}`);
    agentA.close();
    agentB.close();
  });

  it('counts what a waiting report costs besides its text: texts that only begin like a report pause the sockets too, and the 20th closes the socket', async () => {
    const { app, url } = t;
    const before = await stats();
    const d = await enroll(app);
    const agent = await TestAgent.connect(url, d.deviceToken);
    // 60 texts of 17 bytes: 1 KB of text, past the budget (~2.5 whole reports) only with what each costs waiting (~2 KB).
    for (let i = 0; i < 60; i++) agent.send('{"type":"report",');
    expect((await agent.waitClosed()).code).toBe(CLOSE_CODES.badMessage);
    const after = await stats();
    expect(after.pauses).toBeGreaterThan(before.pauses);
    expect(after.maxHeldBytes).toBeGreaterThan(readHighBytes);
  });
});

describe('no socket starves on real sockets', () => {
  // A paused socket is read at the next tick (each second) while the budget stays paused.
  const t = useTestApp({ readHighBytes, maxSocketPauseMs: 1 });
  const stats = () => statsOf(t);

  it('answers the ping of a socket paused for the whole of a long hold: no socket waits past maxSocketPauseMs (Postgres)', async (ctx) => {
    const { db } = t;
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session in one process: no other session can hold the device row (set DATABASE_URL)');
    const { a, b, agentA, agentB } = await twoAgents(t);
    const before = await stats();
    const release = await holdDeviceRow(db.databaseUrl!, a.deviceId);
    try {
      for (let i = 1; i <= 3; i++) agentA.send(whole(`starve-000${i}`, i));
      await eventually(async () => (await stats()).pauses === before.pauses + 1);
      // The budget stays paused (A's reports are held by the lock); B, paused with it, is read at a tick all the same.
      const pong = new Promise<void>((resolve) => agentB.ws.once('pong', () => resolve()));
      agentB.ws.ping();
      await pong;
      expect(await stats()).toMatchObject({ pauses: before.pauses + 1, heldBytes: 3 * (size + HELD_OVERHEAD_BYTES) });
      expect((await stats()).starvedReads).toBeGreaterThan(before.starvedReads);
    } finally {
      await release();
    }
    for (let i = 1; i <= 3; i++) await agentA.next((m) => m.type === 'ack' && m.id === `starve-000${i}`);
    agentA.close();
    agentB.close();
  });
});
