import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Result of one raw-insert measurement. */
export interface PgBaseline {
  rows: number;
  seconds: number;
  /** rows committed per second */
  rate: number;
  batchSize: number;
  connections: number;
}

/**
 * The database limit for the rows a report writes: multi-row `INSERT ... VALUES (...), (...)` of
 * Report-shaped rows (same columns, same primary key and index: `LIKE "Report" INCLUDING ALL`)
 * with plain `pg`, `batchSize` rows per statement (each its own commit), `connections` at once,
 * for `seconds`. The scratch table is dropped afterwards.
 */
export async function measureRawInsert(databaseUrl: string, batchSize = 200, connections = 2, seconds = 8): Promise<PgBaseline> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query('DROP TABLE IF EXISTS bench_raw_report');
  await admin.query('CREATE TABLE bench_raw_report (LIKE "Report" INCLUDING ALL)');
  const devices = Array.from({ length: 1000 }, () => randomUUID());
  let rows = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  try {
    await Promise.all(Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        while (performance.now() < until) {
          const values: unknown[] = [];
          const tuples: string[] = [];
          const now = new Date();
          for (let i = 0; i < batchSize; i++) {
            const at = new Date(now.getTime() - i);
            values.push(`${at.getTime().toString(36).padStart(9, '0')}-${randomUUID()}`, devices[(rows + i) % devices.length], at, now);
            const b = i * 4;
            tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4})`);
          }
          await c.query(`INSERT INTO bench_raw_report (id, "deviceId", "collectedAt", "receivedAt") VALUES ${tuples.join(',')}`, values);
          rows += batchSize;
        }
      } finally {
        await c.end();
      }
    }));
  } finally {
    await admin.query('DROP TABLE IF EXISTS bench_raw_report');
    await admin.end();
  }
  const elapsed = (performance.now() - started) / 1000;
  return { rows, seconds: elapsed, rate: rows / elapsed, batchSize, connections };
}
