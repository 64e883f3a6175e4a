import { createHash } from 'node:crypto';
import { access, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../db/index.js';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { loadMigrations } from '../db/schema-engine.js';

/**
 * The path of a PGlite data folder archive (PGlite's `dumpDataDir('none')` tarball, ~40 MB) with
 * every migration in prisma/migrations applied: what test databases on PGlite start from
 * (openMigratedPGlite). An empty PGlite's initdb plus 21 migrations took ~3.5 s per suite on the
 * 2-CPU CI machine; loading the archive takes ~1 s.
 *
 * Kept in `dir` (default the OS temp folder) under a key (of `migrations`, default prisma/migrations read now) of the migrations' text and PGlite's version, so a
 * changed migration or PGlite builds a new one; written to a temporary name and renamed, so a
 * reader never sees a half-written archive. Building one also removes archives unused for a day
 * and partial files older than 10 minutes (runs that were killed). Throws what openDatabase throws
 * when a migration fails.
 */
export async function migratedPGliteArchiveFile(dir = os.tmpdir(), migrations?: MigrationList): Promise<string> {
  const file = path.join(dir, `${PREFIX}${await templateKey(migrations ?? (await loadMigrations()))}.tar`);
  if (await access(file).then(() => true, () => false)) return file;
  await removeStale(dir);
  const db = await openDatabase({ dataDir: 'memory://' });
  try {
    const archive = await db.pglite!.dumpDataDir('none');
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(await archive.arrayBuffer()));
    await rename(partial, file);
    return file;
  } finally {
    await db.close();
  }
}

/**
 * An in-memory PGlite database loaded from the migrated archive in `dir` (migratedPGliteArchiveFile), every
 * migration applied. An archive that does not load or lacks a migration (damaged, or written by
 * hand) is removed and built again, once; throws when the fresh one fails too.
 */
export async function openMigratedPGlite(dir?: string): Promise<Database> {
  // Read once: it gives the archive's key and the count to check against.
  const migrations = await loadMigrations();
  const expected = migrations.migrationDirectories.length;
  for (let attempt = 1; ; attempt++) {
    const file = await migratedPGliteArchiveFile(dir, migrations);
    try {
      const db = await openDatabase({ dataDir: 'memory://', pgliteArchive: new Blob([await readFile(file)]), migrate: false });
      const [{ applied }] = await db.prisma.$queryRaw<[{ applied: number }]>`SELECT count(*)::int AS applied FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
      if (applied === expected) return db;
      await db.close();
      throw new Error(`${file} holds ${applied} of ${expected} migrations`);
    } catch (error) {
      if (attempt > 1) throw error;
      console.warn(`[pglite-template] ${file} is unusable (${(error as Error).message}): building it again`);
      await rm(file, { force: true });
    }
  }
}

const PREFIX = 'fleetmedic-pglite-template-';

/** Removes this module's archives in `dir` not read for a day and partial files older than 10 minutes. */
async function removeStale(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of (await readdir(dir)).filter((n) => n.startsWith(PREFIX))) {
    const file = path.join(dir, name);
    const stats = await stat(file).catch(() => null);
    const maxAgeMs = name.endsWith('.partial') ? 10 * 60_000 : 24 * 3600_000;
    if (stats && now - Math.max(stats.atimeMs, stats.mtimeMs) > maxAgeMs) await rm(file, { force: true });
  }
}

/** sha256 (16 hex digits) of PGlite's version and every migration's name and text. */
async function templateKey(migrations: MigrationList): Promise<string> {
  const hash = createHash('sha256').update(`pglite ${await pgliteVersion()}\n`);
  for (const m of migrations.migrationDirectories) hash.update(`${m.path}\n${m.migrationFile.content.value}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** PGlite's package version, from the package.json above its entry point (its exports hide the file). */
async function pgliteVersion(): Promise<string> {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { name?: string; version?: string }, () => null);
    if (pkg?.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json for @electric-sql/pglite above its entry point');
    dir = parent;
  }
}
