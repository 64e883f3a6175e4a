import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/index.js';
import { loadMigrations } from '../db/schema-engine.js';
import { migratedPGliteArchive, migratedPGliteArchiveFile } from './pglite-template.js';

describe('the migrated PGlite archive test databases start from', () => {
  it('holds every migration in prisma/migrations: opening it with migrate applies none', async () => {
    const db = await openDatabase({ dataDir: 'memory://', pgliteArchive: await migratedPGliteArchive() });
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
});
