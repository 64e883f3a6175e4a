// pnpm bench:auth-failures [--requests 500] [--database-url postgres://…] [--pglite]
// What the failed-authentication limiter (apps/server/src/auth/failure-limit.ts) costs a request:
// GET /api/v1/me answered in process (app.inject) with the right API token (the limiter is not
// involved), with a wrong one from fresh addresses (counted: one upsert into AuthFailure), and
// with a wrong one from a blocked address (429 from this instance's memory of the block). Runs on
// a fresh Postgres database (dropped at the end) or in-memory PGlite. Prints figures with the load
// average beside them; asserts nothing.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { buildApp, openDatabase } from '@fleetmedic/server';
import { positiveInt } from './args.js';
import { fmt, percentile } from './report.js';
import { createBenchDatabase } from './server-process.js';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';

const o = new Command()
  .name('bench:auth-failures')
  .description('latency of a request with a right, a wrong (counted) and a wrong (blocked) API token')
  .option('--requests <n>', 'requests per measurement', positiveInt, 500)
  .option('--database-url <url>', 'Postgres server (a database is created and dropped)', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  .option('--pglite', 'in-memory PGlite instead of Postgres')
  .parse()
  .opts<{ requests: number; databaseUrl: string; pglite?: boolean }>();

const TOKEN = `bench-auth-failures-${Date.now()}`;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const bench = o.pglite ? null : await createBenchDatabase(o.databaseUrl);
const db = await openDatabase(bench ? { databaseUrl: bench.url } : { dataDir: 'memory://' });
const app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { adminToken: TOKEN, jobs: false, serveDashboard: false } });
await app.ready();

/** Sequential requests; per-request latency (ms) and the statuses seen. */
async function measure(token: (i: number) => string, address: (i: number) => string): Promise<{ latencies: number[]; statuses: Set<number> }> {
  const latencies: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < o.requests; i++) {
    const t = performance.now();
    const res = await app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: address(i), headers: { authorization: `Bearer ${token(i)}` } });
    latencies.push(performance.now() - t);
    statuses.add(res.statusCode);
  }
  return { latencies, statuses };
}

try {
  // Warm-up: JIT, pools, prepared plans.
  await measure(() => TOKEN, () => '192.0.2.1');
  const blocked = '198.51.100.99';
  for (let i = 0; i < 40; i++) await app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: blocked, headers: { authorization: `Bearer wrong-${i}` } });
  const rows = [
    ['right token (limiter not involved)', await measure(() => TOKEN, () => '192.0.2.2')],
    ['wrong token, counted (fresh addresses)', await measure((i) => `wrong-token-${i}`, (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)],
    ['wrong token, address blocked (429)', await measure((i) => `wrong-blocked-${i}`, () => blocked)],
  ] as const;
  console.log(`${db.kind}, ${o.requests} sequential requests each, load average ${loadavg()}`);
  for (const [name, { latencies, statuses }] of rows) {
    console.log(`  ${name.padEnd(40)} median ${fmt(percentile(latencies, 50), 2)} ms  p95 ${fmt(percentile(latencies, 95), 2)} ms  statuses ${[...statuses].join(',')}`);
  }
} finally {
  await app.close();
  await db.close();
  await bench?.drop();
}
