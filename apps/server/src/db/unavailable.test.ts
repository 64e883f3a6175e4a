// isDatabaseUnavailable on real failures: a Postgres that is not listening, an embedded PGlite
// that was closed, and errors that are not about reaching the database. The Prisma P1001 of a
// stopped Postgres is covered end to end by tests/db-outage.test.ts (its own cluster).
import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './index.js';
import { isDatabaseUnavailable } from './unavailable.js';

/** A 127.0.0.1 port nothing listens on (taken and released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const failure = (work: () => Promise<unknown>) => work().then(() => { throw new Error('expected a failure'); }, (err: unknown) => err);

describe('isDatabaseUnavailable', () => {
  it('is true for a Postgres that does not listen (pg: ECONNREFUSED)', async () => {
    const client = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${await closedPort()}/postgres` });
    const err = await failure(() => client.connect());
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it('is true for a closed PGlite through Prisma, false for a bad statement and a unique violation', async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const bad = await failure(() => db.prisma.$queryRawUnsafe('SELECT no_such_column FROM "Device"'));
    expect(isDatabaseUnavailable(bad)).toBe(false);
    const dup = await failure(async () => {
      await db.prisma.$executeRawUnsafe(`CREATE TEMP TABLE t (id int PRIMARY KEY)`);
      await db.prisma.$executeRawUnsafe(`INSERT INTO t VALUES (1), (1)`);
    });
    expect(isDatabaseUnavailable(dup)).toBe(false);
    await db.close();
    const closed = await failure(() => db.prisma.device.count());
    expect(isDatabaseUnavailable(closed)).toBe(true);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
  });
});
