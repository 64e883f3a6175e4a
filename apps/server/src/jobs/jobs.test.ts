import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { commandExpiryJob } from './command-expiry.js';
import { fleetSampleJob } from './fleet-sample.js';
import { offlineDetectionJob } from './offline-detection.js';
import { DUE_FRACTION, JobScheduler, jobLockKey, runExclusive, type ScheduledJob } from './scheduler.js';

let db: TestDatabase;
const log = pino({ level: 'silent' });
const NOW = new Date('2026-06-01T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const DAY = 86_400;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

async function device(data: { online?: boolean; lastSeenAt?: Date | null; hostname?: string } = {}) {
  return db.prisma.device.create({
    data: { hostname: data.hostname ?? 'dave-mbp', architecture: 'arm64', platform: 'darwin', tokenHash: randomBytes(32).toString('hex'), online: data.online ?? false, lastSeenAt: data.lastSeenAt ?? null },
  });
}

async function command(deviceId: string, status: string, expiresAt: Date) {
  return db.prisma.command.create({
    data: { id: randomUUID(), deviceId, type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' }, status, createdBy: 'test', expiresAt },
  });
}

describe('offline detection', () => {
  it('marks online devices silent for longer than offlineAfterSeconds offline, and records the run', async () => {
    const stale = await device({ online: true, lastSeenAt: ago(200) });
    const fresh = await device({ online: true, lastSeenAt: ago(20) });
    const neverSeen = await device({ online: true, lastSeenAt: null });
    const alreadyOff = await device({ online: false, lastSeenAt: ago(5000) });
    const job = offlineDetectionJob(90, 30);
    const outcome = await runExclusive(db.prisma, job, 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({ job: 'offline-detection', ran: true, result: { offline: 2 } });
    const rows = await db.prisma.device.findMany({ where: { id: { in: [stale.id, fresh.id, neverSeen.id, alreadyOff.id] } } });
    const online = Object.fromEntries(rows.map((d) => [d.id, d.online]));
    expect(online).toEqual({ [stale.id]: false, [fresh.id]: true, [neverSeen.id]: false, [alreadyOff.id]: false });
    const run = await db.prisma.jobRun.findUniqueOrThrow({ where: { name: 'offline-detection' } });
    expect(run).toMatchObject({ instanceId: 'instance-a', runs: 1, result: { offline: 2 } });
    expect(run.startedAt.toISOString()).toBe(NOW.toISOString());
  });
});

describe('command expiry', () => {
  it('expires queued commands and times out delivered ones past expiresAt; leaves live ones', async () => {
    const d = await device();
    const queuedOld = await command(d.id, 'queued', ago(1));
    const sentOld = await command(d.id, 'sent', ago(1));
    const ackedOld = await command(d.id, 'acknowledged', ago(60));
    const queuedLive = await command(d.id, 'queued', new Date(NOW.getTime() + 3600_000));
    const done = await command(d.id, 'succeeded', ago(60));
    const outcome = await runExclusive(db.prisma, commandExpiryJob(60), 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({ ran: true, result: { expired: 1, timedOut: 2 } });
    const status = async (id: string) => (await db.prisma.command.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(queuedOld.id)).toBe('expired');
    expect(await status(sentOld.id)).toBe('timed_out');
    expect(await status(ackedOld.id)).toBe('timed_out');
    expect(await status(queuedLive.id)).toBe('queued');
    expect(await status(done.id)).toBe('succeeded');
    expect((await db.prisma.command.findUniqueOrThrow({ where: { id: queuedOld.id } })).finishedAt?.toISOString()).toBe(NOW.toISOString());
  });
});

describe('fleet sample', () => {
  async function device2(health: string, online: boolean, findings: string[], severity = 'critical') {
    const d = await db.prisma.device.create({
      data: { hostname: `sample-${health}`, architecture: 'arm64', platform: 'darwin', tokenHash: randomBytes(32).toString('hex'), health, online, lastSeenAt: online ? new Date() : null },
    });
    for (const [i, ruleId] of findings.entries()) {
      await db.prisma.finding.create({ data: { deviceId: d.id, ruleId, key: `${ruleId}#${i}`, severity, title: ruleId, evidence: {}, remedy: {} } });
    }
    return d;
  }

  it('records the counts GET /api/v1/fleet/summary shows, once across two instances attempting it at the same time', async () => {
    await device2('ready', true, []);
    await device2('cannot-join', true, ['sample.camera.denied', 'sample.camera.denied', 'sample.mic.denied']);
    await device2('cannot-join', false, ['sample.camera.denied']);
    await device2('at-risk', false, ['sample.usb.power'], 'warning');
    await device2('unknown', false, []);
    const app = await buildTestApp(db, { jobs: false });
    try {
      const summary = (await app.inject({ url: '/api/v1/fleet/summary', headers: bearer(TEST_ADMIN_TOKEN) })).json();
      expect(summary.findings).toEqual(expect.arrayContaining([
        { id: 'sample.camera.denied', severity: 'critical', devices: 2, open: 3 }, { id: 'sample.mic.denied', severity: 'critical', devices: 1, open: 1 },
        { id: 'sample.usb.power', severity: 'warning', devices: 1, open: 1 },
      ]));
      // Two instances (two schedulers, as two servers would have) attempt the job at the same moment.
      const job = fleetSampleJob(90, 90, 900);
      const a = new JobScheduler({ prisma: db.prisma, instanceId: 'instance-a', log }).add(job);
      const b = new JobScheduler({ prisma: db.prisma, instanceId: 'instance-b', log }).add(job);
      const now = new Date();
      const outcomes = await Promise.all([a.runNow('fleet-sample', { now }), b.runNow('fleet-sample', { now })]);
      expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
      expect(outcomes.find((o) => !o.ran)).toMatchObject({ ran: false, reason: expect.stringMatching(/^(locked|not-due)$/) });

      const rows = await db.prisma.fleetSample.findMany();
      expect(rows).toHaveLength(1);
      const { total, cannotJoin, atRisk, ready, unknown, offline } = summary;
      expect(rows[0]).toMatchObject({ total, cannotJoin, atRisk, ready, unknown, offline });
      expect(rows[0]!.at.toISOString()).toBe(now.toISOString());
      expect(rows[0]!.findings).toEqual(Object.fromEntries(summary.findings.map((f: { id: string; devices: number }) => [f.id, f.devices])));
      expect(rows[0]!.findings).toMatchObject({ 'sample.camera.denied': 2, 'sample.mic.denied': 1, 'sample.usb.power': 1 });
      expect(total).toBeGreaterThanOrEqual(5);
      expect(ready).toBeGreaterThanOrEqual(1);
      expect(cannotJoin).toBeGreaterThanOrEqual(2);
      expect(atRisk).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
    }
  });

  it('deletes samples older than the retention days when it records one', async () => {
    const counts = { total: 1, cannotJoin: 0, atRisk: 0, unknown: 0, ready: 1, offline: 0, findings: {} };
    await db.prisma.fleetSample.createMany({ data: [{ at: ago(31 * DAY), ...counts }, { at: ago(29 * DAY), ...counts }] });
    const outcome = await runExclusive(db.prisma, fleetSampleJob(90, 30, 900), 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({ ran: true, result: { deleted: 1 } });
    const kept = await db.prisma.fleetSample.findMany({ where: { at: { lte: NOW } }, orderBy: { at: 'asc' } });
    expect(kept.map((s) => s.at.toISOString())).toEqual([ago(29 * DAY).toISOString(), NOW.toISOString()]);
  });

  it('refuses a retention of zero days', () => {
    expect(() => fleetSampleJob(90, 0, 900)).toThrow('retentionDays must be > 0, got 0');
  });
});

describe('runExclusive', () => {
  const counting = (name: string): ScheduledJob & { calls: number } => {
    const job = { name, intervalSeconds: 60, calls: 0, run: async () => ({ call: ++job.calls }) };
    return job;
  };

  it('skips a job that ran less than DUE_FRACTION of its interval ago, on any instance, unless forced', async () => {
    const job = counting('test-due');
    expect(await runExclusive(db.prisma, job, 'instance-a', { now: NOW })).toMatchObject({ ran: true, result: { call: 1 } });
    const soon = new Date(NOW.getTime() + 60_000 * DUE_FRACTION - 1000);
    expect(await runExclusive(db.prisma, job, 'instance-b', { now: soon })).toEqual({ job: 'test-due', ran: false, reason: 'not-due' });
    expect(await runExclusive(db.prisma, job, 'instance-b', { now: soon, force: true })).toMatchObject({ ran: true, result: { call: 2 } });
    const later = new Date(soon.getTime() + 60_000);
    expect(await runExclusive(db.prisma, job, 'instance-b', { now: later })).toMatchObject({ ran: true, result: { call: 3 } });
    expect(await db.prisma.jobRun.findUniqueOrThrow({ where: { name: 'test-due' } })).toMatchObject({ runs: 3, instanceId: 'instance-b' });
  });

  it('rolls back and rethrows when the work fails, leaving the JobRun row as it was', async () => {
    const job: ScheduledJob = { name: 'test-fails', intervalSeconds: 60, run: async (tx) => {
      await tx.jobRun.create({ data: { name: 'test-fails-side-effect', startedAt: NOW, finishedAt: NOW, instanceId: 'x' } });
      throw new Error('disk full');
    } };
    await expect(runExclusive(db.prisma, job, 'instance-a', { now: NOW })).rejects.toThrow('disk full');
    expect(await db.prisma.jobRun.count({ where: { name: { in: ['test-fails', 'test-fails-side-effect'] } } })).toBe(0);
  });

  it('skips with "locked" while another session holds the job\'s advisory lock (Postgres)', async (ctx) => {
    ctx.skip(db.kind !== 'postgres', 'PGlite is one session in one process: there is no other session to hold the lock (set DATABASE_URL)');
    const job = counting('test-locked');
    const other = new pg.Client({ connectionString: db.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1::bigint)', [jobLockKey(job.name).toString()]);
      expect(await runExclusive(db.prisma, job, 'instance-a', { now: NOW })).toEqual({ job: 'test-locked', ran: false, reason: 'locked' });
      expect(job.calls).toBe(0);
      await other.query('COMMIT');
      expect(await runExclusive(db.prisma, job, 'instance-a', { now: NOW })).toMatchObject({ ran: true });
    } finally {
      await other.end();
    }
  });

  it('derives a stable, distinct signed 64-bit lock key per job name', () => {
    const key = jobLockKey('retention');
    expect(typeof key).toBe('bigint');
    expect(jobLockKey('retention')).toBe(key);
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
    expect(new Set(['offline-detection', 'command-expiry', 'retention', 'fleet-sample'].map(jobLockKey)).size).toBe(4);
  });
});

describe('JobScheduler', () => {
  it('runs its jobs on timers until stopped, counting attempts', async () => {
    const scheduler = new JobScheduler({ prisma: db.prisma, instanceId: 'instance-t', log });
    let calls = 0;
    scheduler.add({ name: 'test-timer', intervalSeconds: 0.1, run: async () => ({ call: ++calls }) });
    await scheduler.start();
    expect(calls).toBe(1); // the first attempt is made (and awaited) at start
    await expectEventually(() => calls >= 3);
    await scheduler.stop();
    const stats = scheduler.stats()['test-timer']!;
    expect(stats.ran).toBe(calls);
    expect(stats.attempts).toBe(stats.ran + stats.notDue + stats.locked + stats.failed);
    expect((await db.prisma.jobRun.findUniqueOrThrow({ where: { name: 'test-timer' } })).runs).toBe(calls);
  });

  it('refuses an unknown job name and a non-positive interval', async () => {
    const scheduler = new JobScheduler({ prisma: db.prisma, instanceId: 'i', log });
    await expect(scheduler.runNow('nope')).rejects.toThrow('no scheduled job "nope"');
    expect(() => scheduler.add({ name: 'x', intervalSeconds: 0, run: async () => ({}) })).toThrow('intervalSeconds must be > 0');
  });

  it('is wired into the app with the five server jobs', async () => {
    const app = await buildTestApp(db, { jobs: false });
    try {
      expect(app.services.jobs.names).toEqual(['offline-detection', 'command-expiry', 'retention', 'fleet-sample', 'fleet-arrival-sample']);
    } finally {
      await app.close();
    }
  });
});

async function expectEventually(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
