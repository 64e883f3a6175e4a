import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pendingSchemaDiff } from './migrate.js';
import { openDatabase } from './client.js';
import { PRISMA_DIR } from './paths.js';

describe('prisma migrations', () => {
  it('match schema.prisma exactly (drift check: run `pnpm db:migration <name>` when this fails)', async () => {
    const sql = await pendingSchemaDiff();
    expect(sql, `schema.prisma and prisma/migrations differ; the missing migration is:\n${sql}`).toBe('');
  });

  it('are in Prisma folder format: <timestamp>_<name>/migration.sql plus migration_lock.toml', () => {
    const dir = path.join(PRISMA_DIR, 'migrations');
    const entries = readdirSync(dir, { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThan(0);
    for (const f of folders) {
      expect(f).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(readFileSync(path.join(dir, f, 'migration.sql'), 'utf8')).toMatch(/CREATE|ALTER|DROP/);
    }
    expect(readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
  });

  it('apply on a fresh PGlite and record themselves in _prisma_migrations; a second open applies nothing', async () => {
    const dataDir = path.join(process.env.TMPDIR ?? '/tmp', `fm-pglite-${process.pid}-${Date.now()}`);
    const first = await openDatabase({ dataDir });
    const folders = readdirSync(path.join(PRISMA_DIR, 'migrations')).filter((n) => /^\d{14}_/.test(n)).sort();
    expect(first.appliedMigrations).toEqual(folders);
    const rows = await first.prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    // Device pages keep room for HOT updates of the heartbeat columns (not in schema.prisma, so not in the drift check).
    const [device] = await first.prisma.$queryRawUnsafe<{ reloptions: string[] }[]>(`SELECT reloptions FROM pg_class WHERE relname = 'Device'`);
    expect(device!.reloptions).toEqual(['fillfactor=70']);
    await first.close();
    const second = await openDatabase({ dataDir });
    expect(second.appliedMigrations).toEqual([]);
    await second.close();
  });
});
