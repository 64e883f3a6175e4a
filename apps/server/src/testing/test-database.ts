import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../db/index.js';

/** A database for one test suite; `cleanup()` closes it and removes what the suite created. */
export type TestDatabase = Database & { cleanup(): Promise<void> };

/**
 * Finds Postgres the way a user would, for one test suite:
 * 1. `DATABASE_URL` set: a fresh, uniquely named database on that server (dropped in cleanup);
 * 2. else a Testcontainers Postgres when a container runtime exists (fails fast without one);
 * 3. else embedded PGlite `memory://`.
 * Migrations are applied on open. Logs which one it picked.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) return freshDatabaseOn(url);
  const container = await tryContainer();
  if (container) return container;
  const db = await openDatabase({ dataDir: 'memory://' });
  console.info(`[test-database] ${db.description} (no DATABASE_URL, no container runtime)`);
  return { ...db, cleanup: () => db.close() };
}

/**
 * Creates a uniquely named, empty database on the Postgres server at `serverUrl`: its URL, and
 * `drop()` to remove it (WITH FORCE: sessions still open are ended).
 */
export async function createFreshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fleetmedic_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(serverUrl, name) };
}

async function freshDatabaseOn(serverUrl: string): Promise<TestDatabase> {
  const fresh = await createFreshDatabase(serverUrl);
  const db = await openDatabase({ databaseUrl: fresh.url });
  console.info(`[test-database] ${db.description} (fresh database on DATABASE_URL)`);
  return {
    ...db,
    async cleanup() {
      await db.close();
      await fresh.drop();
    },
  };
}

/**
 * Drops the database once its sessions are gone, FORCE only after ~5 s. A pool's clients are still
 * closing their sockets when `end()` returns; FORCE terminated one mid-close, and its FATAL 57P01
 * ("terminating connection due to administrator command") reached the test run as an uncaught
 * error after every test had passed: the pool had no error listener once Prisma disconnected. It
 * keeps one now (openDatabase's onConnectionError, db/pool-errors.test.ts); waiting first still
 * spares a warning per suite.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') throw err; // object_in_use: sessions still open
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function tryContainer(): Promise<TestDatabase | null> {
  let started;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    started = await new PostgreSqlContainer('postgres:16-alpine').start();
  } catch (err) {
    // Without Docker, Testcontainers fails fast with "Could not find a working container runtime strategy".
    console.info(`[test-database] no container: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
  const container = started;
  const db = await openDatabase({ databaseUrl: container.getConnectionUri() });
  console.info(`[test-database] ${db.description} (Testcontainers)`);
  return {
    ...db,
    async cleanup() {
      await db.close();
      await container.stop();
    },
  };
}
