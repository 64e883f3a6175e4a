// Smoke test of the fleet simulator: 20 simulated Macs (the real agent daemon on recorded-Mac
// snapshots) against a real server on a real database, for a few seconds. Correctness only:
// speed is the benchmark's business (pnpm bench), never asserted here.
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { Fleet } from './fleet.js';
import { simSerial } from './sim-mac.js';

const AGENTS = 20;
let db: TestDatabase;
let app: FleetMedicApp;
let fleet: Fleet;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  fleet = new Fleet({
    agents: AGENTS, serverUrl: url, enrollSecret: TEST_ENROLL_SECRET,
    stateRoot: await mkdtemp(path.join(os.tmpdir(), 'fm-fleet-smoke-')),
    intervalSeconds: 1, changeProbability: 0.3, connectConcurrency: 10,
  });
  await fleet.start(60_000);
});

afterAll(async () => {
  await fleet?.stop();
  await app?.close();
  await db?.cleanup();
});

const until = async (what: string, probe: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(fleet.stats())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('fleet simulator against the real server', () => {
  it('every simulated Mac enrolls with its own identity and keeps its socket', async () => {
    expect(fleet.connected).toBe(AGENTS);
    const devices = await db.prisma.device.findMany({ select: { serialNumber: true, hostname: true, online: true } });
    expect(devices.map((d) => d.serialNumber).sort()).toEqual(Array.from({ length: AGENTS }, (_, i) => simSerial(i)).sort());
    expect(new Set(devices.map((d) => d.hostname)).size).toBe(AGENTS);
    expect(devices.every((d) => /-sim\d+$/.test(d.hostname))).toBe(true);
    expect(app.services.registry.size).toBe(AGENTS);
  });

  it('reports are stored: one whole report per Mac, then deltas far smaller than whole ones', async () => {
    await until('three reports acked per Mac', () => fleet.stats().acked >= AGENTS * 3);
    const s = fleet.stats();
    // Whole: each Mac's first report, resyncs, and any report a Mac sent before its first one's
    // ack came back (no acked base yet: seen in CI on a loaded machine, 21 whole for 20 Macs).
    expect(s.fullReports).toBeGreaterThanOrEqual(AGENTS + s.resyncs);
    expect(s.deltaReports).toBeGreaterThanOrEqual(AGENTS * 3 - s.fullReports);
    // Every acked report is counted; one that changes nothing keeps no Report row (history lean).
    const { _sum } = await db.prisma.device.aggregate({ _sum: { reportCount: true } });
    expect(_sum.reportCount).toBeGreaterThanOrEqual(s.acked);
    expect(await db.prisma.device.count({ where: { lastReportAt: { not: null } } })).toBe(AGENTS);

    const res = await app.inject({ method: 'GET', url: '/api/v1/agent/ingest-stats', headers: bearer(TEST_ADMIN_TOKEN) });
    const stats = res.json() as { wholeMessages: number; wholeBytes: number; deltaMessages: number; deltaBytes: number; unchanged: number };
    expect(stats.wholeMessages).toBeGreaterThanOrEqual(AGENTS);
    const whole = stats.wholeBytes / stats.wholeMessages;
    const delta = stats.deltaBytes / stats.deltaMessages;
    expect(delta).toBeLessThan(whole / 3);
    expect(stats.unchanged).toBeGreaterThan(0);
  });

  it('the variations reach the server as section changes, and the stored state matches each Mac', async () => {
    await until('a changed report', () => fleet.stats().changedReports > 0);
    await until('its ack', async () => (await db.prisma.sectionChange.count()) > AGENTS * 6);
    const changes = await db.prisma.sectionChange.groupBy({ by: ['section'], _count: true });
    const changed = new Set(changes.filter((c) => c._count > AGENTS).map((c) => c.section));
    expect([...changed].every((s) => ['tcc', 'usb', 'zoom'].includes(s))).toBe(true);
  });

  it('answers a command like the agent: ack, result stored, then a re-collect', async () => {
    const device = await db.prisma.device.findFirstOrThrow({ where: { serialNumber: simSerial(3) } });
    const res = await app.inject({
      method: 'POST', url: `/api/v1/devices/${device.id}/commands`, headers: bearer(TEST_ADMIN_TOKEN),
      payload: { action: { type: 'agent.collect', params: {} } },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id?: string; command?: { id: string } };
    const id = body.command?.id ?? body.id!;
    await until('the stored result', async () => (await db.prisma.command.findUniqueOrThrow({ where: { id } })).status === 'succeeded');
    const timing = fleet.commands.get(id);
    expect(timing?.receivedAt).toBeGreaterThan(0);
    await until('the result ack', () => fleet.commands.get(id)?.resultAckedAt !== undefined);
    expect(fleet.commands.get(id)!.resultAckedAt!).toBeGreaterThanOrEqual(timing!.receivedAt);
  });

  it('runs a bulk remediation on the shared replay runners without a process per command', async () => {
    // At 20,000 Macs, 14,285 simulated tcc.reset runs gave no result in 20 minutes: each forked this
    // (large) process for a sqlite3 write, blocking its event loop each time. Counted here: spawns.
    let spawned = 0;
    const onSpawn = () => void (spawned += 1);
    diagnostics.subscribe('child_process', onSpawn);
    try {
      fleet.configure({ changeProbability: 0 }); // no permission flips behind the remediation's back
      const denied = await fleet.denyCamera(30_000);
      expect(denied.denied).toBeGreaterThan(0);
      expect(denied.stored).toBe(denied.denied);
      const res = await app.inject({
        method: 'POST', url: '/api/v1/remediations', headers: bearer(TEST_ADMIN_TOKEN),
        payload: { findingId: 'tcc.camera.denied', dryRun: false },
      });
      expect(res.statusCode).toBe(201);
      const ids = (res.json() as { targets: Array<{ commandId: string }> }).targets.map((t) => t.commandId);
      expect(ids.length).toBeGreaterThanOrEqual(denied.denied);
      const finished = async () => db.prisma.command.findMany({ where: { id: { in: ids }, finishedAt: { not: null } }, select: { status: true, reason: true } });
      await until('every remediation result', async () => (await finished()).length === ids.length);
      const results = await finished();
      // Recordings with a captured tccutil answer and a console user succeed; the others fail, saying why.
      expect(results.filter((r) => r.status === 'succeeded').length).toBeGreaterThan(0);
      for (const r of results.filter((x) => x.status !== 'succeeded')) expect(r.reason).toMatch(/not installed|no recorded answer|no console user/);
      expect(spawned).toBe(0);
    } finally {
      diagnostics.unsubscribe('child_process', onSpawn);
    }
  });
});
