import type { CommandResult } from '@fleetmedic/protocol';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';

const t = useTestApp();

const RESULT: CommandResult = {
  status: 'succeeded', exitCode: 0, stdout: '', stderr: '', argv: [['/usr/bin/true']],
  startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:00.100Z', durationMs: 100,
};

describe('command lane', () => {
  it('stores a command\'s ack and result while a report sent before them on the same socket still waits for ingest (Postgres)', async (ctx) => {
    const { db, app, url } = t;
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session in one process: no other session can hold the device row (set DATABASE_URL)');
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send({ type: 'report', id: 'lane-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-01T10:00:00.000Z' }) });
    await agent.next((m) => m.type === 'ack' && m.id === 'lane-0001');
    const created = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(t.operator), payload: { action: { type: 'agent.collect', params: {} } } });
    expect(created.statusCode).toBe(201);
    const commandId = (created.json() as { id: string }).id;
    await agent.next((m) => m.type === 'command');

    // Another session holds the device row as ingest locks it: the next report cannot commit.
    const holder = new pg.Client({ connectionString: db.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM "Device" WHERE id = $1 FOR NO KEY UPDATE', [deviceId]);
      agent.send({ type: 'report', id: 'lane-0002', snapshot: buildSnapshot({ collectedAt: '2026-01-01T10:15:00.000Z', batteryPercent: 40 }) });
      // (Asked outside the holder's transaction, whose view of pg_stat_activity is fixed at its first read.)
      await eventually(async () => (await db.prisma.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%'`)).length === 1);
      agent.send({ type: 'command.ack', id: commandId });
      agent.send({ type: 'command.result', id: commandId, result: RESULT });
      expect(await agent.next((m) => m.type === 'ack' && m.id === commandId)).toEqual({ type: 'ack', id: commandId });
      const stored = (await holder.query('SELECT status, "ackedAt" IS NOT NULL AS acked FROM "Command" WHERE id = $1', [commandId])).rows[0];
      expect(stored).toEqual({ status: 'succeeded', acked: true });
      expect(agent.received.some((m) => m.type === 'ack' && m.id === 'lane-0002')).toBe(false);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // The report is stored once the row is free.
    await agent.next((m) => m.type === 'ack' && m.id === 'lane-0002');
    agent.close();
  });
});
