// Issue 15, item 5: the connect-time resend of pending commands (deliverPending with resend) lost a
// deadlock to another delivery locking the same rows in the other order, and its commands were not
// sent ("one was lost"). Provoked here for real: a second Postgres session holds the device's later
// command row, waits until the resend holds the earlier one and waits for it, then asks for the
// earlier one. Postgres breaks the cycle by failing the resend's UPDATE with 40P01 (the other
// session waits with a 30 s deadlock_timeout, so the resend's 1 s check always finds the cycle).
import type { ServerMessage } from '@fleetmedic/protocol';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { bearer, enroll, useTestApp } from '../testing/harness.js';

const ctx = useTestApp();

/** Deadlocks Postgres has detected in the current database since its start. */
async function deadlocks(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]!.n);
}

describe('connect-time resend of pending commands', () => {
  it('is run again when Postgres kills it to break a deadlock, and sends every command', async (test) => {
    test.skip(ctx.db.kind !== 'postgres', 'PGlite is one session: two sessions cannot deadlock (set DATABASE_URL)');
    const { deviceId } = await enroll(ctx.app, { hostname: 'deadlock-mac' });
    for (const type of ['agent.collect', 'zoom.quit']) {
      const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(ctx.operator), payload: { action: { type, params: {} } } });
      expect(res.statusCode).toBe(201);
    }
    // Both plans of the UPDATE (scan, or the (deviceId, status) index with equal keys) visit rows in ctid order.
    const [{ name }] = (await ctx.db.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name')) as [{ name: string }];
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      const { rows } = await other.query<{ id: string }>('SELECT id FROM "Command" WHERE "deviceId" = $1::uuid ORDER BY ctid', [deviceId]);
      const [first, second] = rows.map((r) => r.id);
      const before = await deadlocks(other);
      await other.query(`SET deadlock_timeout = '30s'`);
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM "Command" WHERE id = $1 FOR UPDATE', [second]);

      const sent: ServerMessage[] = [];
      const resend = ctx.app.services.commands.deliverPending(deviceId, { send: (m) => sent.push(m) > 0 }, { resend: true });
      // The resend holds `first` and waits for `second`; now this session asks for `first`.
      for (;;) {
        const { rows: waiting } = await other.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
        if (waiting.length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query('SELECT 1 FROM "Command" WHERE id = $1 FOR UPDATE', [first]);
      await other.query('ROLLBACK');

      const ids = await resend;
      expect(await deadlocks(other)).toBe(before + 1);
      expect(new Set(ids)).toEqual(new Set([first, second]));
      expect(new Set(sent.map((m) => (m.type === 'command' ? m.command.id : null)))).toEqual(new Set([first, second]));
    } finally {
      await other.end();
    }
  }, 60_000);
});
