import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/index.js';
import { loadMigrations } from '../db/schema-engine.js';
import { migratedPGliteArchiveFile, openMigratedPGlite } from './pglite-template.js';

describe('the migrated PGlite archive test databases start from', () => {
  it('holds every migration in prisma/migrations: opening it with migrate applies none', async () => {
    const file = await migratedPGliteArchiveFile();
    const db = await openDatabase({ dataDir: 'memory://', pgliteArchive: new Blob([await readFile(file)]) });
    try {
      expect(db.appliedMigrations).toEqual([]);
      const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
      const expected = (await loadMigrations()).migrationDirectories.map((m) => m.path);
      expect(expected.length).toBeGreaterThan(20);
      expect(rows.map((r) => r.migration_name)).toEqual(expected);
      expect(await db.prisma.device.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('is one file per migration set: a second call returns the same path', async () => {
    const file = await migratedPGliteArchiveFile();
    expect(file).toMatch(/fleetmedic-pglite-template-[0-9a-f]{16}\.tar$/);
    expect(await migratedPGliteArchiveFile()).toBe(file);
  });

  it('a damaged archive (cut short by a full disk, say) is built again, not a failure of every run; stale partial files go', async () => {
    // A folder of its own: the archive in the OS temp folder is shared with other test runs.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fm-template-'));
    const file = await migratedPGliteArchiveFile(dir);
    await writeFile(file, 'not a tarball');
    const killed = path.join(dir, 'fleetmedic-pglite-template-0000000000000000.tar.123.partial');
    await writeFile(killed, 'half');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(killed, hourAgo, hourAgo);
    const db = await openMigratedPGlite(dir);
    try {
      expect(await db.prisma.device.count()).toBe(0);
    } finally {
      await db.close();
    }
    expect((await readdir(dir)).sort()).toEqual([path.basename(file)]);
    await rm(dir, { recursive: true, force: true });
  });
});
