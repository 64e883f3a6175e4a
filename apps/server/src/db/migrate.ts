import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { NO_FILTERS, loadDatamodel, loadMigrations, openSchemaEngine } from './schema-engine.js';

/**
 * Applies pending prisma/migrations to the database behind `factory` and records them in
 * `_prisma_migrations`, exactly as `prisma migrate deploy` would. Returns the names applied
 * (empty when up to date). Throws the engine's error (e.g. a failed migration) unchanged.
 */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(factory);
  try {
    const out = await engine.applyMigrations({ migrationsList: await loadMigrations(), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * SQL that would take a database built from prisma/migrations to prisma/schema.prisma; empty
 * when they agree (the drift check). Uses an in-memory PGlite as the engine's shadow database.
 */
export async function pendingSchemaDiff(): Promise<string> {
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
