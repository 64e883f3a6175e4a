import { randomUUID } from 'node:crypto';
import type { CommandResult } from '@fleetmedic/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, enroll, eventually, listen } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

const METRICS_TOKEN = 'test-metrics-token-0123456789';
let db: TestDatabase;
let app: FleetMedicApp;
let wsUrl: string;
let httpUrl: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db, { jobs: false, metricsToken: METRICS_TOKEN });
  wsUrl = await listen(app);
  httpUrl = wsUrl.replace(/^ws/, 'http').replace('/api/v1/agent/ws', '');
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

/** GET /metrics over a real socket. */
async function scrape(token: string | null = METRICS_TOKEN): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${httpUrl}/metrics`, { headers: token ? bearer(token) : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The samples of a Prometheus text exposition: `name{labels}` exactly as written -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

const value = async (key: string): Promise<number | undefined> => samples((await scrape()).text).get(key);

/** Holds every write to Report (Postgres: a table lock from another session; PGlite, one session: an open transaction) until the returned function is called. */
async function holdReportWrites(): Promise<() => Promise<void>> {
  if (db.databaseUrl) {
    const client = new pg.Client({ connectionString: db.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE "Report" IN EXCLUSIVE MODE');
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let begun!: () => void;
  const started = new Promise<void>((resolve) => { begun = resolve; });
  const transaction = db.pglite!.transaction(async () => {
    begun();
    await held;
  });
  await started;
  return async () => {
    release();
    await transaction;
  };
}

const result: CommandResult = {
  status: 'succeeded', exitCode: 0, stdout: 'Successfully reset Camera approval status for us.zoom.xos\n', stderr: '',
  argv: [['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']], startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:00.412Z', durationMs: 412,
};

describe('GET /metrics', () => {
  it('401 without the metrics token, with a wrong one, and with an admin API token', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong-metrics-token-000000')).status).toBe(401);
    expect((await scrape(TEST_ADMIN_TOKEN)).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('404 when no metrics token is configured', async () => {
    const off = await buildTestApp(db, { jobs: false });
    try {
      expect((await off.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('moves with real traffic: connections, reports ingested and refused, ingest bytes queued, command round trip, job runs', async () => {
    const before = samples((await scrape()).text);
    const at = (key: string) => before.get(key) ?? 0;
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(wsUrl, deviceToken);
    try {
      // Connected and marked online (the socket's first writes are done before Report is held).
      await eventually(async () => app.services.registry.get(deviceId) && (await db.prisma.device.findUnique({ where: { id: deviceId } }))?.online);
      expect(await value('fleetmedic_agent_connections')).toBe(at('fleetmedic_agent_connections') + 1);

      // A report held behind a lock on Report is queued: its bytes show until it commits.
      const release = await holdReportWrites();
      const reportId = `metrics-${randomUUID()}`;
      const text = JSON.stringify({ type: 'report', id: reportId, snapshot: buildSnapshot() });
      agent.send(text);
      const queued = await eventually(async () => ((await value('fleetmedic_ingest_queued_bytes')) ?? 0) > 0 && value('fleetmedic_ingest_queued_bytes'));
      expect(queued).toBe(Buffer.byteLength(text));
      expect(await value('fleetmedic_ingest_queued_reports')).toBe(1);
      await release();
      await agent.next((m) => m.type === 'ack' && m.id === reportId);
      expect(await value('fleetmedic_ingest_queued_bytes')).toBe(0);
      expect(await value('fleetmedic_reports_ingested_total{form="whole"}')).toBe(at('fleetmedic_reports_ingested_total{form="whole"}') + 1);

      agent.send('{"type": "report", "id": ');
      agent.send({ type: 'report', id: 'metrics-bad-1', snapshot: { not: 'a snapshot' } });
      await agent.next((m) => m.type === 'error' && m.id === 'metrics-bad-1');
      const refused = samples((await scrape()).text);
      expect(refused.get('fleetmedic_agent_messages_rejected_total{reason="not-json"}')).toBe(at('fleetmedic_agent_messages_rejected_total{reason="not-json"}') + 1);
      expect(refused.get('fleetmedic_agent_messages_rejected_total{reason="invalid-report"}')).toBe(at('fleetmedic_agent_messages_rejected_total{reason="invalid-report"}') + 1);

      // A command from the API to its result stored.
      const created = await app.inject({
        method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN),
        payload: { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } },
      });
      expect(created.statusCode).toBe(201);
      const command = await agent.next((m) => m.type === 'command');
      const id = (command as { command: { id: string } }).command.id;
      agent.send({ type: 'command.result', id, result });
      await agent.next((m) => m.type === 'ack' && m.id === id);
      const after = samples((await scrape()).text);
      expect(after.get('fleetmedic_command_round_trip_seconds_count')).toBe(at('fleetmedic_command_round_trip_seconds_count') + 1);
      const seconds = after.get('fleetmedic_command_round_trip_seconds_sum')! - at('fleetmedic_command_round_trip_seconds_sum');
      expect(seconds).toBeGreaterThan(0);
      expect(after.get('fleetmedic_command_round_trip_seconds_bucket{le="+Inf"}')).toBe(after.get('fleetmedic_command_round_trip_seconds_count'));
    } finally {
      agent.close();
    }
    await eventually(async () => (await value('fleetmedic_agent_connections')) === at('fleetmedic_agent_connections'));

    await app.services.jobs.runNow('retention', { force: true });
    await app.services.jobs.runNow('retention');
    const jobs = samples((await scrape()).text);
    expect(jobs.get('fleetmedic_job_runs_total{job="retention",outcome="ran"}')).toBe(at('fleetmedic_job_runs_total{job="retention",outcome="ran"}') + 1);
    expect(jobs.get('fleetmedic_job_runs_total{job="retention",outcome="not-due"}')).toBe(at('fleetmedic_job_runs_total{job="retention",outcome="not-due"}') + 1);
  });

  it('database pool connections and waiting queries on Postgres; none on PGlite, which has no pool', async () => {
    const all = samples((await scrape()).text);
    if (db.kind === 'postgres') {
      expect(all.get('fleetmedic_db_pool_waiting_queries{pool="main"}')).toBe(0);
      expect(all.get('fleetmedic_db_pool_waiting_queries{pool="commands"}')).toBe(0);
      // The traffic above opened connections in both pools.
      expect(all.get('fleetmedic_db_pool_connections{pool="main",state="idle"}')! + all.get('fleetmedic_db_pool_connections{pool="main",state="busy"}')!).toBeGreaterThan(0);
      expect(all.get('fleetmedic_db_pool_connections{pool="commands",state="idle"}')! + all.get('fleetmedic_db_pool_connections{pool="commands",state="busy"}')!).toBeGreaterThan(0);
    } else {
      expect([...all.keys()].filter((k) => k.startsWith('fleetmedic_db_pool_'))).toEqual([]);
    }
  });

  it('each instance counts only what it saw', async () => {
    const other = await buildTestApp(db, { jobs: false, metricsToken: METRICS_TOKEN });
    try {
      const res = await other.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
      const own = samples(res.body);
      expect(own.get('fleetmedic_reports_ingested_total{form="whole"}') ?? 0).toBe(0);
      expect(own.get('fleetmedic_command_round_trip_seconds_count')).toBe(0);
      expect((await value('fleetmedic_reports_ingested_total{form="whole"}'))!).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});
