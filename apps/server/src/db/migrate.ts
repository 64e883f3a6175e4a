import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { NO_FILTERS, loadDatamodel, loadMigrations, openSchemaEngine } from './schema-engine.js';

/**
 * Applies pending prisma/migrations to the database behind `factory` and records them in
 * `_prisma_migrations`, exactly as `prisma migrate deploy` would. Returns the names applied
 * (empty when up to date). Throws the engine's error (e.g. a failed migration) unchanged.
 */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrating = forMigrations(factory);
  const engine = await openSchemaEngine(migrating.factory);
  try {
    const out = await engine.applyMigrations({ migrationsList: await loadMigrations(), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
    await migrating.release();
  }
}

/** The part of @prisma/adapter-pg's adapter that runs migration scripts. */
interface PgMigrationAdapter {
  adapterName?: string;
  executeScript(script: string): Promise<void>;
  client?: { query(sql: string): Promise<unknown> };
  onError?(error: unknown): never;
  dispose(): Promise<void>;
}

/**
 * Two fixes for @prisma/adapter-pg under the schema engine, on the adapters it connects:
 * - it runs a migration script by splitting it on every ";", which breaks dollar-quoted
 *   function bodies (the trigger functions of 20261129111802_cluster_jobs): send the script
 *   whole instead, as `prisma migrate deploy` does (Postgres runs a multi-statement simple
 *   query as one implicit transaction);
 * - the engine takes `pg_advisory_lock(72707369)` so that instances starting together migrate
 *   one at a time, and never unlocks: the lock goes when the connection closes, so `release()`
 *   disposes the adapters (their pools) once the engine is done, instead of leaving the lock on
 *   an idle pooled connection for other instances to time out on.
 * PGlite's adapter runs scripts whole and shares the one PGlite: it is left alone.
 */
function forMigrations(factory: SqlMigrationAwareDriverAdapterFactory): { factory: SqlMigrationAwareDriverAdapterFactory; release(): Promise<void> } {
  const connected: PgMigrationAdapter[] = [];
  const patch = <T>(adapter: T): T => {
    const a = adapter as unknown as PgMigrationAdapter;
    const client = a.client;
    if (a.adapterName !== '@prisma/adapter-pg' || !client || typeof client.query !== 'function') return adapter;
    connected.push(a);
    a.executeScript = async (script: string) => {
      try {
        await client.query(script);
      } catch (err) {
        if (a.onError) a.onError(err);
        throw err;
      }
    };
    return adapter;
  };
  return {
    factory: Object.assign(Object.create(factory) as SqlMigrationAwareDriverAdapterFactory, {
      connect: async () => patch(await factory.connect()),
      connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
    }),
    release: async () => {
      await Promise.all(connected.splice(0).map((a) => a.dispose().catch(() => {})));
    },
  };
}

/**
 * SQL that would take a database built from prisma/migrations to prisma/schema.prisma; empty
 * when they agree (the drift check). Uses an in-memory PGlite as the engine's shadow database.
 */
export async function pendingSchemaDiff(): Promise<string> {
  // Loaded here only: a server on Postgres never needs PGlite's ~40 MB.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const pg = new PGlite();
  const engine = await openSchemaEngine(new PrismaPGlite(pg));
  try {
    const [file, text] = await loadDatamodel();
    const res = await engine.diff({
      from: { tag: 'migrations', ...(await loadMigrations()) },
      to: { tag: 'schemaDatamodel', files: [{ path: file, content: text }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return (res.stdout ?? '').replace(/^-- This is an empty migration\.\s*$/m, '').trim();
  } finally {
    engine.free();
    await pg.close();
  }
}
