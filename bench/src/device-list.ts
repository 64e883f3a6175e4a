// `pnpm bench:devices [--devices 20000]`: how the admins' device list pages with a large fleet.
// Fills a fresh Postgres database (DATABASE_URL, default the local server) with N devices, a third
// of them with open findings, then times the dashboard's list queries through the real API
// (app.inject: no network). Prints figures; asserts nothing.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import pg from 'pg';
import { buildApp, openDatabase } from '@fleetmedic/server';

const opts = new Command()
  .option('--devices <n>', 'devices to create', '20000')
  .option('--runs <n>', 'timed runs per query', '20')
  .parse()
  .opts<{ devices: string; runs: string }>();
const N = Number(opts.devices);
const RUNS = Number(opts.runs);
const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `fleetmedic_bench_list_${Date.now().toString(36)}`;

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = await openDatabase({ databaseUrl: url.toString() });
const token = `fm_admin_bench_${randomUUID()}`;
const app = await buildApp({ db, config: { adminToken: token, jobs: false, serveDashboard: false } });
await app.ready();
try {
  const t0 = performance.now();
  // Devices: hostnames like mac-00001, a third with open findings of two kinds.
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Device" (id, hostname, "serialNumber", architecture, platform, "osVersion", "zoomVersion", "tokenHash", health, "openFindings", online, "lastSeenAt", "consoleUser")
    SELECT gen_random_uuid(), 'mac-' || lpad(i::text, 5, '0'), 'C02' || lpad(i::text, 8, '0'), 'arm64', 'darwin', '15.3.1', '6.2.5.1234',
           md5(i::text), CASE WHEN i % 3 = 0 THEN 'problems' ELSE 'healthy' END, CASE WHEN i % 3 = 0 THEN 2 ELSE 0 END,
           i % 10 <> 0, now(), 'user' || (i % 500)
    FROM generate_series(1, ${N}) AS i`);
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Finding" (id, "deviceId", "ruleId", key, severity, title, evidence, remedy, state)
    SELECT gen_random_uuid(), d.id, r.rule, r.rule || ':' || d.id, 'critical', r.rule, '[]'::jsonb, '{}'::jsonb, 'open'
    FROM "Device" d CROSS JOIN (VALUES ('tcc.camera.denied'), ('zoom.outdated')) AS r(rule) WHERE d.health = 'problems'`);
  await db.prisma.$executeRawUnsafe('ANALYZE');
  const fillMs = performance.now() - t0;

  const get = async (path: string) => {
    const res = await app.inject({ url: path, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
    return res.json() as { devices: { id: string }[]; nextCursor: string | null };
  };
  const time = async (label: string, path: () => Promise<string>) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await path();
      const s = performance.now();
      await get(p);
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))]!.toFixed(1);
    console.log(`${label.padEnd(52)} p50 ${q(0.5).padStart(7)} ms   p95 ${q(0.95).padStart(7)} ms`);
  };
  // A cursor deep in the list: the page after device #15,000 in hostname order.
  let deep = '';
  {
    let cursor: string | null = null;
    for (let i = 0; i < Math.floor((N * 0.75) / 500); i++) cursor = (await get(`/api/v1/devices?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor;
    deep = cursor ?? '';
  }
  console.log(`\ndevice list with ${N.toLocaleString('en')} devices (${(N / 3) | 0} with open findings), Postgres, ${RUNS} runs each; fill ${(fillMs / 1000).toFixed(1)} s\n`);
  await time('first page (50, by hostname)', async () => '/api/v1/devices');
  await time('page after #15,000 (cursor)', async () => `/api/v1/devices?cursor=${deep}`);
  await time('filter finding=tcc.camera.denied', async () => '/api/v1/devices?finding=tcc.camera.denied');
  await time('search "mac-1234" (hostname, serial, user)', async () => '/api/v1/devices?search=mac-1234');
  await time('sort -openFindings', async () => '/api/v1/devices?sort=-openFindings');
  await time('offline only', async () => '/api/v1/devices?online=false');
  await time('fleet summary', async () => '/api/v1/fleet/summary');
} finally {
  await app.close();
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
