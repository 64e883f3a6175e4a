// An idle Postgres connection that fails (a restart, an administrator ending sessions) is let go by
// its pool; the server says so and goes on. Real Postgres (DATABASE_URL); PGlite has no pools.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/harness.js';
import { createFreshDatabase } from '../testing/test-database.js';
import { openDatabase, type Database } from './client.js';

const serverUrl = process.env.DATABASE_URL;
const opened: Array<{ db: Database; drop: () => Promise<void> }> = [];
afterAll(async () => {
  for (const { db, drop } of opened) {
    await db.close();
    await drop();
  }
});

/** Ends every session of the database at `url` but the caller's, as `pg_terminate_backend` does on a restart. */
async function endSessions(url: string): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const r = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    return r.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe.skipIf(!serverUrl)('a failed idle database connection', () => {
  it('is reported through onConnectionError, also after Prisma disconnected (closing), and never ends the process', async () => {
    const fresh = await createFreshDatabase(serverUrl!);
    const errors: Error[] = [];
    const db = await openDatabase({ databaseUrl: fresh.url, onConnectionError: (e) => errors.push(e) });
    opened.push({ db, drop: fresh.drop });

    // While running: the next query gets a new connection.
    expect(await db.prisma.device.count()).toBe(0);
    expect(await endSessions(fresh.url)).toBeGreaterThan(0);
    await eventually(async () => errors.length > 0);
    expect(await db.prisma.device.count()).toBe(0);

    // Closing: Prisma has removed its own listener, the pool has not ended yet.
    const before = errors.length;
    await db.prisma.$disconnect();
    expect(db.pools!.main.idleCount).toBeGreaterThan(0);
    await endSessions(fresh.url);
    await eventually(async () => errors.length > before);
    expect(errors.every((e) => /terminating connection due to administrator command/.test(e.message))).toBe(true);
  });
});
