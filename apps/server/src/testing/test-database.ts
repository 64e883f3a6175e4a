import { randomBytes } from 'node:crypto';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../db/index.js';
import { openMigratedPGlite } from './pglite-template.js';

/** A database for one test suite; `cleanup()` closes it and removes what the suite created. */
export type TestDatabase = Database & { cleanup(): Promise<void> };

/**
 * Where a test run's databases come from, chosen once per run (test-database-setup.ts):
 * - `postgres`: a Postgres server (`DATABASE_URL`, or a Testcontainers one started for the run);
 *   each suite gets a fresh, uniquely named database on it;
 * - `pglite`: each suite gets an in-memory PGlite loaded from the migrated archive (pglite-template.ts,
 *   built by the first suite that needs it and kept for later runs).
 */
export type TestDatabaseServer = { kind: 'postgres'; url: string; origin: 'DATABASE_URL' | 'Testcontainers' } | { kind: 'pglite' };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's suites open their databases (openTestDatabase), chosen once per run. */
    testDatabaseServer: TestDatabaseServer;
  }
}

/**
 * Finds Postgres the way a user would, once per run:
 * 1. `DATABASE_URL` set: that server;
 * 2. else a Testcontainers Postgres when a container runtime exists (fails fast without one);
 * 3. else embedded PGlite, each suite from a migrated archive (pglite-template.ts).
 * `stop()` stops the container when one was started. Logs which one it picked.
 */
export async function findTestDatabaseServer(): Promise<{ description: TestDatabaseServer; stop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) return { description: { kind: 'postgres', url, origin: 'DATABASE_URL' }, stop: async () => {} };
  const container = await tryContainer();
  if (container) {
    console.info('[test-database] a Testcontainers Postgres for this run');
    return { description: { kind: 'postgres', url: container.getConnectionUri(), origin: 'Testcontainers' }, stop: async () => void (await container.stop()) };
  }
  console.info('[test-database] embedded PGlite, each suite from a migrated archive (no DATABASE_URL, no container runtime)');
  return { description: { kind: 'pglite' }, stop: async () => {} };
}

/**
 * A database for one test suite on this run's server (provided by test-database-setup.ts): a
 * fresh database on Postgres, dropped in cleanup, or an in-memory PGlite. Migrations are applied
 * (PGlite: already, in the archive). Throws when the run has no such global setup.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const server = inject('testDatabaseServer') as TestDatabaseServer | undefined;
  // Not found again here: a container started per suite would outlive it (only the setup stops one).
  if (!server) throw new Error('no test database server for this run: vitest.config.ts\'s globalSetup chooses it (apps/server/src/testing/test-database-setup.ts)');
  if (server.kind === 'postgres') return freshDatabaseOn(server.url, server.origin);
  const db = await openMigratedPGlite();
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

async function freshDatabaseOn(serverUrl: string, origin: string): Promise<TestDatabase> {
  const fresh = await createFreshDatabase(serverUrl);
  const db = await openDatabase({ databaseUrl: fresh.url });
  console.info(`[test-database] ${db.description} (fresh database on ${origin})`);
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

async function tryContainer(): Promise<StartedPostgreSqlContainer | null> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    return await new PostgreSqlContainer('postgres:16-alpine').start();
  } catch (err) {
    // Without Docker, Testcontainers fails fast with "Could not find a working container runtime strategy".
    console.info(`[test-database] no container: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}
