import { createHash } from 'node:crypto';
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../db/index.js';
import { loadMigrations } from '../db/schema-engine.js';

/**
 * The path of a PGlite data folder archive (PGlite's `dumpDataDir('none')` tarball, ~40 MB) with
 * every migration in prisma/migrations applied: what test databases on PGlite start from
 * (`openDatabase({ pgliteArchive })`). An empty PGlite's initdb plus 21 migrations took ~3.5 s
 * per suite on the 2-CPU CI machine; loading the archive takes ~1 s.
 *
 * Kept in the OS temp folder under a key of the migrations' text and PGlite's version, so a
 * changed migration or PGlite builds a new one; written to a temporary name and renamed, so a
 * reader never sees a half-written archive. Throws what openDatabase throws when a migration fails.
 */
export async function migratedPGliteArchiveFile(): Promise<string> {
  const file = path.join(os.tmpdir(), `fleetmedic-pglite-template-${await templateKey()}.tar`);
  if (await access(file).then(() => true, () => false)) return file;
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

/** The migrated archive (migratedPGliteArchiveFile) read into memory, for `openDatabase({ pgliteArchive })`. */
export async function migratedPGliteArchive(file?: string): Promise<Blob> {
  return new Blob([await readFile(file ?? (await migratedPGliteArchiveFile()))]);
}

/** sha256 (16 hex digits) of PGlite's version and every migration's name and text. */
async function templateKey(): Promise<string> {
  const hash = createHash('sha256').update(`pglite ${await pgliteVersion()}\n`);
  for (const m of (await loadMigrations()).migrationDirectories) hash.update(`${m.path}\n${m.migrationFile.content.value}\n`);
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
