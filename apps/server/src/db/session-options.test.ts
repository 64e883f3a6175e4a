// Every connection of ours runs with JIT off (SESSION_OPTIONS): with it on, Postgres compiled the
// ingest fast path's plan for 2.2 s at each statement, and spent most of a 20,000-Mac run's CPU on it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

describe('session options', () => {
  it('both pools run with JIT off while the server default is on (Postgres; PGlite has no JIT)', async (ctx) => {
    if (db.kind !== 'postgres' || !db.databaseUrl) return ctx.skip();
    const jit = async (client: typeof db.prisma) => (await client.$queryRawUnsafe<{ jit: string }[]>(`SELECT current_setting('jit') AS jit`))[0]!.jit;
    expect(await jit(db.prisma)).toBe('off');
    expect(await jit(db.commandPrisma)).toBe('off');
    const raw = new pg.Client({ connectionString: db.databaseUrl });
    await raw.connect();
    try {
      expect((await raw.query(`SELECT current_setting('jit') AS jit`)).rows[0].jit).toBe('on');
    } finally {
      await raw.end();
    }
  });
});
