// `pnpm bench:devices [--devices 20000]`: how the admins' device list pages with a large fleet.
// Fills a fresh Postgres database (DATABASE_URL, default the local server) with N devices, a third
// of them with open findings, and history: every Mac's os, tcc and power sections reported three
// days ago, its power source changing every 3 hours since, and one Mac in thirty updating macOS
// 15.2 -> 15.3 a day ago, with Zoom denied the camera in the same report (the finding opens then).
// Times the dashboard's list queries and "what changed before it broke" through the real API
// (app.inject: no network). Prints figures; asserts nothing.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { buildApp, openDatabase } from '@fleetmedic/server';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { createBenchDatabase } from './server-process.js';

const opts = new Command()
  .option('--devices <n>', 'devices to create', '20000')
  .option('--runs <n>', 'timed runs per query', '20')
  .parse()
  .opts<{ devices: string; runs: string }>();
const N = Number(opts.devices);
const RUNS = Number(opts.runs);
const bench = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const db = await openDatabase({ databaseUrl: bench.url });
const token = `fm_admin_bench_${randomUUID()}`;
const app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { adminToken: token, jobs: false, serveDashboard: false } });
await app.ready();
try {
  const t0 = performance.now();
  // Devices: hostnames like mac-00001, a third with open findings of two kinds.
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Device" (id, hostname, "serialNumber", architecture, platform, "osVersion", "zoomVersion", "tokenHash", health, "healthRank", "openFindings", "problemSince", online, "lastSeenAt", "consoleUser")
    SELECT gen_random_uuid(), 'mac-' || lpad(i::text, 5, '0'), 'C02' || lpad(i::text, 8, '0'), 'arm64', 'darwin', '15.3.1', '6.2.5.1234',
           md5(i::text), CASE WHEN i % 3 = 0 THEN 'cannot-join' ELSE 'ready' END, CASE WHEN i % 3 = 0 THEN 0 ELSE 3 END, CASE WHEN i % 3 = 0 THEN 2 ELSE 0 END,
           CASE WHEN i % 3 = 0 THEN now() - interval '1 day' END, i % 10 <> 0, now(), 'user' || (i % 500)
    FROM generate_series(1, ${N}) AS i`);
  // Open findings: one in thirty (hostname number % 30 = 0) had the camera denied a day ago; the others of the third, Zoom outdated for a week.
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Finding" (id, "deviceId", "ruleId", key, severity, title, evidence, remedy, state, "firstSeenAt")
    SELECT gen_random_uuid(), d.id, r.rule, r.rule || ':' || d.id, r.severity, r.rule, '[]'::jsonb, '{}'::jsonb, 'open',
           CASE WHEN r.rule = 'tcc.camera.denied' THEN now() - interval '1 day' ELSE now() - interval '7 days' END
    FROM "Device" d CROSS JOIN (VALUES ('tcc.camera.denied', 'critical'), ('zoom.outdated', 'warning')) AS r(rule, severity)
    WHERE d.health = 'cannot-join' AND (r.rule = 'zoom.outdated' OR substr(d.hostname, 5)::int % 10 = 0)`);
  const os = (v: string, b: string) => JSON.stringify({ status: 'ok', sources: ['sw_vers'], data: { productName: 'macOS', productVersion: v, productVersionExtra: null, buildVersion: b } });
  const tcc = (camera: number) => JSON.stringify({ status: 'ok', sources: ['/Users/u/Library/Application Support/com.apple.TCC/TCC.db'], data: { databases: [{
    path: '/Users/u/Library/Application Support/com.apple.TCC/TCC.db', scope: 'user', user: 'u', status: 'ok', layout: 'auth-19', columns: [],
    entries: ['kTCCServiceMicrophone', 'kTCCServiceCamera', 'kTCCServiceScreenCapture', 'kTCCServiceSystemPolicyDocumentsFolder'].map((service) => ({
      service, client: 'us.zoom.xos', clientType: 'bundle', authValue: service === 'kTCCServiceCamera' ? camera : 2, authValueName: service === 'kTCCServiceCamera' && camera === 0 ? 'denied' : 'allowed',
      authReason: 2, authReasonName: 'user-consent', lastModified: '2026-11-01T00:00:00.000Z', indirectObject: null })) }] } });
  const power = (source: string) => JSON.stringify({ status: 'ok', sources: ['pmset -g batt'], data: { source, adapterConnected: source === 'ac', adapterWatts: null, adapterName: null, batteryPresent: true, batteryPercent: 50, batteryState: null } });
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "SectionChange" ("deviceId", section, hash, status, body, "reportId", "changedAt")
    SELECT d.id, s.section, md5(s.body::text), 'ok', s.body, 'first', now() - interval '3 days'
    FROM "Device" d CROSS JOIN (VALUES ('os', $1::jsonb), ('tcc', $2::jsonb), ('power', $3::jsonb)) AS s(section, body)`, os('15.2', '24C101'), tcc(2), power('ac'));
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "SectionChange" ("deviceId", section, hash, status, body, "reportId", "changedAt")
    SELECT d.id, 'power', md5(h::text), 'ok', CASE WHEN h % 2 = 0 THEN $1::jsonb ELSE $2::jsonb END, 'p' || h, now() - interval '3 days' + h * interval '3 hours'
    FROM "Device" d CROSS JOIN generate_series(1, 23) AS h`, power('ac'), power('battery'));
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "SectionChange" ("deviceId", section, hash, status, body, "reportId", "changedAt")
    SELECT f."deviceId", s.section, md5(s.body::text), 'ok', s.body, 'broke', f."firstSeenAt"
    FROM "Finding" f CROSS JOIN (VALUES ('os', $1::jsonb), ('tcc', $2::jsonb)) AS s(section, body) WHERE f."ruleId" = 'tcc.camera.denied'`, os('15.3', '24D60'), tcc(0));
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
  // A cursor deep in the list: the page after three quarters of the devices in hostname order
  // (#15,000 of 20,000), walked 500 at a time (fewer for a small fleet).
  const limit = Math.min(500, Math.max(1, Math.floor(N * 0.75)));
  const pages = Math.max(1, Math.floor((N * 0.75) / limit));
  let deep = '';
  {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) cursor = (await get(`/api/v1/devices?sort=hostname&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor;
    deep = cursor ?? '';
  }
  const changes = await db.prisma.sectionChange.count();
  console.log(`\ndevice list with ${N.toLocaleString('en')} devices (${(N / 3) | 0} with open findings, ${changes.toLocaleString('en')} section changes), Postgres, ${RUNS} runs each; fill ${(fillMs / 1000).toFixed(1)} s\n`);
  await time('first page (50, worst first: the default)', async () => '/api/v1/devices');
  await time('first page (50, by hostname)', async () => '/api/v1/devices?sort=hostname');
  await time(`page after #${(pages * limit).toLocaleString('en')} (cursor, by hostname)`, async () => `/api/v1/devices?sort=hostname&cursor=${deep}`);
  await time('filter finding=tcc.camera.denied', async () => '/api/v1/devices?finding=tcc.camera.denied');
  await time('search "mac-1234" (hostname, serial, user)', async () => '/api/v1/devices?search=mac-1234');
  await time('sort -openFindings', async () => '/api/v1/devices?sort=-openFindings');
  await time('offline only', async () => '/api/v1/devices?online=false');
  await time('fleet summary', async () => '/api/v1/fleet/summary');
  await time('changes before tcc.camera.denied (24 h)', async () => '/api/v1/fleet/changes?finding=tcc.camera.denied');
  await time('changes before every open finding (overview)', async () => '/api/v1/fleet/changes?limit=2');
  const top = (await app.inject({ url: '/api/v1/fleet/changes?finding=tcc.camera.denied&limit=3', headers: { authorization: `Bearer ${token}` } })).json() as { findings: { devices: number; changes: { change: string; devices: number }[] }[] };
  console.log(`\n  what changed before tcc.camera.denied: ${top.findings[0]?.changes.map((c) => `${c.devices} of ${top.findings[0]!.devices}: ${c.change}`).join('; ')}`);
} finally {
  await app.close();
  await db.close();
  await bench.drop();
}
