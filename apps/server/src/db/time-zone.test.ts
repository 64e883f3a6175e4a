// Issue 15, item 7: with Postgres set to America/New_York, the audit rows of every created
// command (single and bulk) were 5 hours early, in the database and the API: two raw inserts
// left "at" to the column default (CURRENT_TIMESTAMP, read in the session's time zone, into a
// timestamp without time zone). Runs on a cluster of its own whose default TimeZone is New York.
import type { Action } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp, createToken, enroll } from '../testing/harness.js';
import { startOwnPostgres, type OwnPostgres } from '../testing/own-postgres.js';
import { openDatabase, type Database } from './index.js';

let cluster: OwnPostgres;
let db: Database;
let app: FleetMedicApp;
let operator: string;

beforeAll(async () => {
  cluster = await startOwnPostgres({ timezone: 'America/New_York' });
  db = await openDatabase({ databaseUrl: cluster.url });
  app = await buildTestApp(db);
  operator = await createToken(app, 'tz-operator', 'operator');
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
  await cluster?.destroy();
});

const COLLECT = { type: 'agent.collect', params: {} } satisfies Action;

/** The audit entries of `action` as the API shows them, newest first. */
async function auditTimes(action: string): Promise<number[]> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/admin/audit?action=${action}`, headers: bearer(TEST_ADMIN_TOKEN) });
  return (res.json() as { entries: { at: string }[] }).entries.map((e) => Date.parse(e.at));
}

describe('times in a database whose time zone is America/New_York', () => {
  it("the server's default zone is New York; every connection of ours is pinned to UTC", async () => {
    const [row] = await db.prisma.$queryRawUnsafe<{ tz: string }[]>(`SELECT current_setting('TimeZone') AS tz`);
    // Each connection of ours is pinned to UTC; the server's default is what a raw client gets.
    expect(row!.tz).toBe('UTC');
    const pg = await import('pg');
    const raw = new pg.default.Client({ connectionString: cluster.url });
    await raw.connect();
    expect((await raw.query(`SELECT current_setting('TimeZone') AS tz`)).rows[0].tz).toBe('America/New_York');
    await raw.end();
  });

  it('a single command and a bulk command are audited at the time they were created', async () => {
    const { deviceId } = await enroll(app, { hostname: 'tz-mac' });
    const before = Date.now();
    const single = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(operator), payload: { action: COLLECT } });
    expect(single.statusCode).toBe(201);
    const bulk = await app.inject({ method: 'POST', url: '/api/v1/batches', headers: bearer(operator), payload: { action: { type: 'zoom.quit', params: {} }, dryRun: false, filter: { search: 'tz-mac' } } });
    expect(bulk.statusCode).toBe(201);
    const after = Date.now();
    const times = await auditTimes('command.create');
    expect(times).toHaveLength(2);
    for (const at of times) {
      expect(at).toBeGreaterThanOrEqual(before - 1);
      expect(at).toBeLessThanOrEqual(after + 1);
    }
    // and the command rows agree with their audit rows
    const commands = await db.prisma.command.findMany({ where: { deviceId } });
    for (const c of commands) expect(c.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
  });
});
