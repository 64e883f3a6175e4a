// Scale-out: two server instances on one database. A real agent process (a recorded Mac) is
// connected to instance B; commands created through instance A's API reach it through Postgres
// LISTEN/NOTIFY and their results are stored; A's event stream sees B's writes; a device moving
// from A to B keeps one socket; scheduled jobs run once across both instances (advisory locks).
// With DATABASE_URL: a fresh database, each instance with its own pool and LISTEN connection.
// Without: both instances share one embedded PGlite (one process, so one session; LISTEN/NOTIFY
// through pglite.listen), and the tests that need a second Postgres session are skipped.
import { CLOSE_CODES } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openDatabase, type Database, type FleetMedicApp, type ScheduledJob } from '@fleetmedic/server';
import { TestAgent, eventually } from '@fleetmedic/server/testing/harness';
import { SseClient } from '@fleetmedic/server/testing/sse';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { hostOf, startAgent, waitFor, type AgentProcess } from './support/agents.js';

const ENROLL_SECRET = 'scale-out-enroll-secret-0123';
const ADMIN_TOKEN = 'fm_admin_scaleout_0123456789abcdefghij';
const MAC = 'mba-m2-14-camera-denied';
const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
const FINAL = ['succeeded', 'failed', 'timed_out', 'expired', 'cancelled'];

interface CommandView { id: string; deviceId: string; status: string; exitCode: number | null; stdout: string | null }
interface DeviceView { id: string; hostname: string; serialNumber: string | null; lastReportAt: string | null; online: boolean }

let dbA: TestDatabase;
let dbB: Database;
let a: FleetMedicApp;
let b: FleetMedicApp;
let urlA: string;
let urlB: string;
let agent: AgentProcess;

/** A test job both schedulers run: it records how many runs overlap (must never exceed one). */
const overlap = { active: 0, maxActive: 0, runs: 0 };
const overlapJob: ScheduledJob = {
  name: 'test-overlap',
  intervalSeconds: 0.2,
  run: async () => {
    overlap.active++;
    overlap.maxActive = Math.max(overlap.maxActive, overlap.active);
    await new Promise((r) => setTimeout(r, 30));
    overlap.active--;
    return { run: ++overlap.runs };
  },
};

async function start(db: Database): Promise<{ app: FleetMedicApp; url: string }> {
  const app = await buildApp({
    db,
    keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY,
    config: { enrollSecrets: [ENROLL_SECRET], adminToken: ADMIN_TOKEN, offlineSweepSeconds: 0.25 },
    // A wide reconnect window, so a test can create a command while B's LISTEN connection is down.
    reconnect: { initialDelayMs: 1500 },
  });
  app.services.jobs.add(overlapJob);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const finished = (base: string, id: string) => waitFor(`command ${id} to finish`, async () => {
  const c = await api<CommandView>(base, 'GET', `/api/v1/commands/${id}`);
  return FINAL.includes(c.status) ? c : undefined;
});

beforeAll(async () => {
  dbA = await openTestDatabase();
  if (dbA.kind === 'postgres') {
    dbB = await openDatabase({ databaseUrl: dbA.databaseUrl });
  } else {
    console.info('[scale-out] no DATABASE_URL: both instances share one PGlite (one process); set DATABASE_URL for two real Postgres sessions');
    dbB = dbA;
  }
  ({ app: a, url: urlA } = await start(dbA));
  ({ app: b, url: urlB } = await start(dbB));
  agent = startAgent(MAC, urlB, ENROLL_SECRET);
});

afterAll(async () => {
  await agent?.stop();
  await a?.close();
  await b?.close();
  if (dbB && dbB !== dbA) await dbB.close();
  await dbA?.cleanup();
});

describe('two server instances on one database', () => {
  let device: DeviceView;

  it('the agent connected to B is visible through A', async () => {
    const host = hostOf(MAC);
    device = await waitFor('the agent to enroll and report through B', async () => {
      const { devices } = await api<{ devices: DeviceView[] }>(urlA, 'GET', '/api/v1/devices?limit=100');
      return devices.find((d) => d.serialNumber === host.serialNumber && d.lastReportAt);
    }, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${agent.logs().slice(-3000)}`);
    });
    expect(b.services.registry.get(device.id)).toBeDefined();
    expect(a.services.registry.get(device.id)).toBeUndefined();
    expect(device.online).toBe(true);
  });

  it('a command created through A reaches the Mac on B, its result is stored, and A\'s event stream sees every status', async () => {
    const sse = await SseClient.open(`${urlA}/api/v1/events?token=${ADMIN_TOKEN}`);
    await sse.next((e) => e.event === 'ready');
    const publishedBefore = a.services.bus.counts.published;
    const created = await api<CommandView>(urlA, 'POST', `/api/v1/devices/${device.id}/commands`, { action: RESET_CAMERA });
    // A does not hold the socket: it stored the command and sent one NOTIFY fleetmedic_commands
    // (B may already have delivered it by the time A answers: 'sent').
    expect(a.services.bus.counts.published - publishedBefore).toBe(1);
    expect(['queued', 'sent']).toContain(created.status);
    const done = await finished(urlA, created.id);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(done.stdout).toMatch(/Successfully reset Camera approval status for us\.zoom\.xos/);
    const stored = await dbA.prisma.command.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.sentAt).toBeInstanceOf(Date);
    expect(stored.finishedAt).toBeInstanceOf(Date);
    // Sent and acknowledged are the server's clock, the ack stamped when it arrived; finished is the
    // Mac's own (what TCC and boot times are compared with), so it is not ordered against the ack:
    // a command quicker than the ack's way to the server finishes "before" it arrives (run 2 of
    // 2026-12-06: acked 1 ms after finished).
    expect(stored.sentAt!.getTime()).toBeLessThanOrEqual(stored.ackedAt!.getTime());
    expect(stored.finishedAt!.toISOString()).toBe((stored.result as { finishedAt: string }).finishedAt);
    for (const status of ['queued', 'sent', 'acknowledged', 'succeeded']) {
      const event = await sse.next((e) => e.event === 'command.updated' && (e.data as { commandId: string; status: string }).commandId === created.id && (e.data as { status: string }).status === status);
      expect(event.data).toEqual({ commandId: created.id, deviceId: device.id, status });
    }
    sse.close();
  });

  it('a bulk command created through A reaches the Mac on B with one NOTIFY naming the batch, and its result is stored', async () => {
    const publishedBefore = a.services.bus.counts.published;
    const batch = await api<{ batchId: string; targets: Array<{ deviceId: string; commandId: string }> }>(
      urlA, 'POST', '/api/v1/batches', { action: { type: 'agent.collect', params: {} }, dryRun: false, filter: { search: device.hostname } });
    expect(batch.targets.map((t) => t.deviceId)).toEqual([device.id]);
    expect(a.services.bus.counts.published - publishedBefore).toBe(1);
    const done = await finished(urlA, batch.targets[0]!.commandId);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const status = await api<{ counts: { total: number; succeeded: number } }>(urlA, 'GET', `/api/v1/batches/${batch.batchId}`);
    expect(status.counts).toMatchObject({ total: 1, succeeded: 1 });
  });

  it('a command created while B\'s LISTEN connection is down is delivered when it comes back (Postgres)', async (ctx) => {
    ctx.skip(dbA.kind !== 'postgres', 'PGlite has no separate LISTEN connection to lose (set DATABASE_URL)');
    const source = (b.services.bus as unknown as { source: { backendPid: number | null } }).source;
    await dbA.prisma.$queryRaw`SELECT pg_terminate_backend(${source.backendPid}::int) AS terminated`;
    await eventually(async () => b.services.bus.state === 'reconnecting');
    const created = await api<CommandView>(urlA, 'POST', `/api/v1/devices/${device.id}/commands`, { action: RESET_CAMERA });
    // B was not listening when A's NOTIFY went out: only the catch-up after reconnecting can deliver it.
    expect(b.services.bus.state).toBe('reconnecting');
    expect(created.status).toBe('queued');
    const done = await finished(urlA, created.id);
    expect(done.status).toBe('succeeded');
    expect(b.services.bus.counts.reconnects).toBe(1);
  });

  it('a device that moves from A to B keeps one socket, and stays online', async () => {
    const enrolled = await fetch(`${urlA}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollSecret: ENROLL_SECRET, host: { hostname: 'erin-mbp', serialNumber: 'C02SCALEOUT1', hardwareModel: 'MacBookPro18,3', architecture: 'arm64', platform: 'darwin' } }),
    });
    expect(enrolled.status).toBe(201);
    const { deviceId, deviceToken } = (await enrolled.json()) as { deviceId: string; deviceToken: string };
    const ws = (url: string) => `${url.replace(/^http/, 'ws')}/api/v1/agent/ws`;
    const onA = await TestAgent.connect(ws(urlA), deviceToken);
    await eventually(async () => a.services.registry.get(deviceId));
    const onB = await TestAgent.connect(ws(urlB), deviceToken);
    expect(await onA.waitClosed()).toEqual({ code: CLOSE_CODES.replaced, reason: 'replaced by a newer connection on another server instance' });
    expect(a.services.registry.get(deviceId)).toBeUndefined();
    expect(b.services.registry.get(deviceId)).toBeDefined();
    await eventually(async () => (await dbA.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online);
    // The old socket's close wrote no offline over B's online.
    expect((await dbA.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online).toBe(true);
    onB.close();
  });
});

describe('scheduled jobs across two instances', () => {
  it('both schedulers fire, but each run happens on one instance at a time and is counted once', async () => {
    await eventually(async () => {
      const sa = a.services.jobs.stats()['offline-detection']!;
      const sb = b.services.jobs.stats()['offline-detection']!;
      return sa.attempts >= 4 && sb.attempts >= 4 && overlap.runs >= 4;
    }, 30_000);
    const [sa, sb] = [a.services.jobs.stats(), b.services.jobs.stats()];
    for (const name of ['offline-detection', 'test-overlap']) {
      const ran = sa[name]!.ran + sb[name]!.ran;
      const attempts = sa[name]!.attempts + sb[name]!.attempts;
      // Every run wrote the JobRun row once; the other instance's attempts found it locked or not due.
      const row = await dbA.prisma.jobRun.findUniqueOrThrow({ where: { name } });
      expect(row.runs, name).toBeGreaterThanOrEqual(ran); // a run may have committed after the stats were read
      expect(row.runs, name).toBeLessThanOrEqual(ran + 2);
      expect(attempts, name).toBeGreaterThan(ran);
      expect(sa[name]!.failed + sb[name]!.failed, name).toBe(0);
    }
    expect(overlap.maxActive).toBe(1);
  });

  it('when both instances try at once, one runs and the other is refused by the advisory lock', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    let runs = 0;
    const blocking: ScheduledJob = { name: 'test-blocking', intervalSeconds: 3600, run: async () => { runs++; entered(); await gate; return { runs }; } };
    a.services.jobs.add(blocking);
    b.services.jobs.add(blocking);
    const first = a.services.jobs.runNow('test-blocking');
    await inside;
    const second = b.services.jobs.runNow('test-blocking');
    let outB;
    if (dbA.kind === 'postgres') {
      outB = await second; // refused at once, while A still holds the lock
      release();
    } else {
      // PGlite is one session: B's transaction waits for A's, then finds the job not due.
      release();
      outB = await second;
    }
    const outA = await first;
    expect(outA).toMatchObject({ job: 'test-blocking', ran: true, result: { runs: 1 } });
    expect(outB).toEqual({ job: 'test-blocking', ran: false, reason: dbA.kind === 'postgres' ? 'locked' : 'not-due' });
    expect(runs).toBe(1);
    expect((await dbA.prisma.jobRun.findUniqueOrThrow({ where: { name: 'test-blocking' } })).runs).toBe(1);
  });
});
