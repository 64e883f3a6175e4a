// retryOnConflict against a real deadlock: two transactions lock two Device rows in opposite
// orders; Postgres kills one with 40P01, which is run again and then succeeds.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { isTransactionConflict, retryOnConflict } from './retry.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

describe('retryOnConflict', () => {
  it('runs a transaction again after Postgres broke a deadlock by killing it, and both transactions commit', async (ctx) => {
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session: two transactions cannot deadlock (set DATABASE_URL)');
    const [a, b] = [randomUUID(), randomUUID()];
    await db.prisma.device.createMany({ data: [a, b].map((id, i) => ({ id, hostname: `deadlock-${i}`, architecture: 'arm64', platform: 'darwin', tokenHash: randomUUID() })) });
    const lock = (tx: { $executeRawUnsafe: (sql: string, ...p: unknown[]) => Promise<number> }, id: string) =>
      tx.$executeRawUnsafe(`UPDATE "Device" SET hostname = hostname || '+' WHERE id = $1::uuid`, id);
    // Each holds its first row until the other holds its own, then asks for the other's.
    let holding = 0;
    const bothHold = async () => {
      holding += 1;
      while (holding < 2) await new Promise((r) => setTimeout(r, 10));
    };
    const conflicts: unknown[] = [];
    const run = (first: string, second: string) => retryOnConflict(async () => {
      try {
        await db.prisma.$transaction(async (tx) => {
          await lock(tx, first);
          await bothHold();
          await lock(tx, second);
        }, { timeout: 20_000 });
      } catch (err) {
        if (isTransactionConflict(err)) conflicts.push(err);
        throw err;
      }
    });
    await Promise.all([run(a, b), run(b, a)]);
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    expect(String((conflicts[0] as Error).message)).toMatch(/40P01|deadlock/);
    const rows = await db.prisma.device.findMany({ where: { id: { in: [a, b] } }, orderBy: { hostname: 'asc' } });
    // Each row was updated once by each transaction that committed: both did.
    expect(rows.map((r) => r.hostname)).toEqual(['deadlock-0++', 'deadlock-1++']);
  });

  it('does not retry other errors', async () => {
    let runs = 0;
    await expect(retryOnConflict(async () => {
      runs += 1;
      throw new Error('not a conflict');
    })).rejects.toThrow('not a conflict');
    expect(runs).toBe(1);
  });
});
