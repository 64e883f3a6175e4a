import { randomBytes, randomUUID } from 'node:crypto';
import type { CommandStatus } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { deleteOldRows, retentionJob } from './retention.js';
import { runExclusive } from './scheduler.js';

// The tests share one database and run in order; each leaves only rows the job keeps at NOW, so
// every count below is what that test created.
let db: TestDatabase;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY = 86_400;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY * 1000);
const JOB = { retentionDays: 90, auditRetentionDays: 365, intervalSeconds: 3600, authFailureWindowSeconds: 600 };

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

const device = () => db.prisma.device.create({
  data: { hostname: 'dave-mbp', architecture: 'arm64', platform: 'darwin', tokenHash: randomBytes(32).toString('hex') },
});

/** A command created `created` days ago, expiring `expires` days ago (negative: in the future), finished `finished` days ago (null: not yet). */
const command = (deviceId: string, status: CommandStatus, at: { created: number; expires: number; finished: number | null }, batchId?: string) => db.prisma.command.create({
  data: {
    id: randomUUID(), deviceId, type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' }, status, createdBy: 'test', batchId,
    createdAt: daysAgo(at.created), expiresAt: daysAgo(at.expires), finishedAt: at.finished === null ? null : daysAgo(at.finished),
  },
});

const commandBatch = (daysOld: number) => db.prisma.commandBatch.create({
  data: { id: randomUUID(), findingId: 'tcc.camera.denied', filter: {}, skipped: [], createdBy: 'test', createdAt: daysAgo(daysOld) },
});

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();

describe('retention', () => {
  it('deletes history older than the retention, keeping the latest change per section and the latest transition per finding', async () => {
    const d = await device();
    const lonely = await device();
    const change = (deviceId: string, section: string, days: number, reportId: string) => db.prisma.sectionChange.create({
      data: { deviceId, section, hash: randomBytes(32).toString('hex'), status: 'ok', body: { status: 'ok', data: {} }, reportId, changedAt: daysAgo(days) },
    });
    const report = (deviceId: string, id: string, days: number) => db.prisma.report.create({ data: { deviceId, id, collectedAt: daysAgo(days), receivedAt: daysAgo(days) } });
    const osOldest = await change(d.id, 'os', 200, 'r-200');
    const osOld = await change(d.id, 'os', 150, 'r-150');
    const osRecent = await change(d.id, 'os', 10, 'r-10');
    const usbOnlyOld = await change(d.id, 'usb', 200, 'r-200'); // the usb section never changed since: keep
    const lonelyChange = await change(lonely.id, 'os', 300, 'l-300');
    await report(d.id, 'r-200', 200);
    await report(d.id, 'r-150', 150);
    await report(d.id, 'r-10', 10);
    await report(lonely.id, 'l-300', 300);
    const f = await db.prisma.finding.create({ data: { deviceId: d.id, ruleId: 'tcc.camera.denied', key: 'tcc.camera.denied:us.zoom.xos', severity: 'critical', title: 'Camera denied', evidence: {}, remedy: {}, state: 'resolved' } });
    const transition = (fromState: string | null, toState: string, days: number) => db.prisma.findingTransition.create({
      data: { deviceId: d.id, findingId: f.id, ruleId: f.ruleId, key: f.key, fromState, toState, at: daysAgo(days), reportId: `r-${days}` },
    });
    await transition(null, 'open', 200);
    await transition('open', 'resolved', 150);
    const lastTransition = await transition('resolved', 'open', 120); // the finding's latest, however old: keep

    // Failed-authentication counts: a window that ended (11 min old, window 10 min) goes, a running one stays.
    await db.prisma.authFailure.create({ data: { kind: 'admin-token', address: '198.51.100.1', windowStart: new Date(NOW.getTime() - 660_000), failures: 31 } });
    await db.prisma.authFailure.create({ data: { kind: 'admin-token', address: '198.51.100.2', windowStart: new Date(NOW.getTime() - 60_000), failures: 3 } });

    const outcome = await runExclusive(db.prisma, retentionJob(JOB), 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({
      ran: true,
      result: { sectionChanges: 2, findingTransitions: 2, reports: 3, commands: 0, commandBatches: 0, auditLogs: 0, hostnameChanges: 0, cutoff: daysAgo(90).toISOString(), auditCutoff: daysAgo(365).toISOString(), more: false, authFailures: 1 },
    });
    expect((await db.prisma.authFailure.findMany()).map((a) => a.address)).toEqual(['198.51.100.2']);
    const kept = await db.prisma.sectionChange.findMany({ where: { deviceId: { in: [d.id, lonely.id] } }, orderBy: { id: 'asc' } });
    expect(kept.map((c) => c.id)).toEqual([osRecent.id, usbOnlyOld.id, lonelyChange.id]);
    expect(kept.map((c) => c.id)).not.toContain(osOldest.id);
    expect(kept.map((c) => c.id)).not.toContain(osOld.id);
    const reports = await db.prisma.report.findMany({ where: { deviceId: { in: [d.id, lonely.id] } }, orderBy: { receivedAt: 'asc' } });
    expect(reports.map((r) => r.id)).toEqual(['r-10']);
    expect((await db.prisma.findingTransition.findMany({ where: { findingId: f.id } })).map((t) => t.id)).toEqual([lastTransition.id]);
  });

  it('deletes commands finished and expired before the cutoff, and the batches left without commands; keeps any that could still be delivered, acked or answered', async () => {
    const d = await device();
    const old = { created: 100, expires: 93, finished: 99 };
    const gone = [
      await command(d.id, 'succeeded', old),
      await command(d.id, 'failed', old),
      await command(d.id, 'timed_out', { ...old, finished: 93 }),
      await command(d.id, 'expired', { ...old, finished: 93 }),
      await command(d.id, 'cancelled', old),
    ];
    const kept = [
      // past expiresAt but not finished yet: the expiry job has not run; never deleted while queued, sent or acknowledged
      await command(d.id, 'queued', { ...old, finished: null }),
      await command(d.id, 'sent', { ...old, finished: null }),
      await command(d.id, 'acknowledged', { ...old, finished: null }),
      // a late result, stored 10 days ago: its finish is recent
      await command(d.id, 'succeeded', { ...old, finished: 10 }),
      // cancelled long ago, but expiring after the cutoff (a longer command TTL): the agent may still answer it
      await command(d.id, 'cancelled', { created: 100, expires: 80, finished: 99 }),
      await command(d.id, 'succeeded', { created: 5, expires: -2, finished: 5 }),
    ];
    const emptied = await commandBatch(100); // both its commands go
    gone.push(await command(d.id, 'succeeded', old, emptied.id), await command(d.id, 'expired', { ...old, finished: 93 }, emptied.id));
    const partly = await commandBatch(100); // one command goes, one still queued keeps the batch
    gone.push(await command(d.id, 'failed', old, partly.id));
    kept.push(await command(d.id, 'queued', { ...old, finished: null }, partly.id));
    const neverHadOne = await commandBatch(100); // its Macs were deleted
    const recentEmpty = await commandBatch(10);

    const outcome = await runExclusive(db.prisma, retentionJob(JOB), 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({ ran: true, result: { commands: gone.length, commandBatches: 2, more: false } });
    expect(ids(await db.prisma.command.findMany({ where: { deviceId: d.id } }))).toEqual(ids(kept));
    expect(ids(await db.prisma.commandBatch.findMany({ where: { id: { in: [emptied.id, partly.id, neverHadOne.id, recentEmpty.id] } } }))).toEqual(ids([partly, recentEmpty]));

    // What reads a deleted command or batch: 404, and a batch that lost some shows the rest.
    const app = await buildTestApp(db, { jobs: false });
    try {
      const get = (url: string) => app.inject({ url, headers: bearer(TEST_ADMIN_TOKEN) });
      expect((await get(`/api/v1/commands/${gone[0]!.id}`)).statusCode).toBe(404);
      expect((await get(`/api/v1/commands/${kept[0]!.id}`)).statusCode).toBe(200);
      expect((await get(`/api/v1/batches/${emptied.id}`)).statusCode).toBe(404);
      const page = await get(`/api/v1/batches/${partly.id}`);
      expect(page.statusCode).toBe(200);
      expect(page.json()).toMatchObject({ counts: { total: 1, pending: 1, failed: 0 }, commands: [{ id: kept.at(-1)!.id, status: 'queued' }], nextCursor: null });
      const devicePage = (await get(`/api/v1/devices/${d.id}`)).json();
      expect(ids(devicePage.commands)).toEqual(ids(kept));
    } finally {
      await app.close();
    }
  });

  it('deletes audit rows and hostname changes older than the audit retention, keeping each Mac\'s latest rename', async () => {
    const [a, b] = [await device(), await device()];
    const entry = (days: number) => db.prisma.auditLog.create({ data: { at: daysAgo(days), actor: 'admin:test', action: 'command.create', target: `device:${a.id}`, params: { days } } });
    const rename = (deviceId: string, days: number) => db.prisma.hostnameChange.create({
      data: { deviceId, fromHostname: `mac-${days + 1}`, toHostname: `mac-${days}`, reportId: `r-${days}`, changedAt: daysAgo(days) },
    });
    await entry(400);
    await entry(366);
    const keptEntries = [await entry(364), await entry(100), await entry(1)]; // 100 days: past the history cutoff, within the audit one
    await rename(a.id, 500);
    await rename(a.id, 400);
    const keptRenames = [await rename(a.id, 10), await rename(b.id, 500)]; // b's only rename is its latest, however old

    const outcome = await runExclusive(db.prisma, retentionJob(JOB), 'instance-a', { now: NOW, force: true });
    expect(outcome).toMatchObject({ ran: true, result: { auditLogs: 2, hostnameChanges: 2, auditCutoff: daysAgo(365).toISOString(), more: false } });
    const entries = await db.prisma.auditLog.findMany({ where: { actor: 'admin:test' }, orderBy: { at: 'asc' } });
    expect(entries.map((e) => e.id)).toEqual(keptEntries.map((e) => e.id));
    const renames = await db.prisma.hostnameChange.findMany({ where: { deviceId: { in: [a.id, b.id] } }, orderBy: { id: 'asc' } });
    expect(renames.map((r) => r.id)).toEqual(keptRenames.map((r) => r.id));
  });

  it('deletes at most `batch` rows per table and run, saying `more` until the backlog is gone', async () => {
    const d = await device();
    for (let i = 0; i < 3; i++) {
      await command(d.id, 'succeeded', { created: 200, expires: 193, finished: 199 });
      await db.prisma.auditLog.create({ data: { at: daysAgo(400 + i), actor: 'admin:batch', action: 'command.create' } });
    }
    const days = { history: 90, audit: 365 };
    expect(await deleteOldRows(db.prisma, days, NOW, 2)).toMatchObject({ commands: 2, auditLogs: 2, more: true });
    expect(await deleteOldRows(db.prisma, days, NOW, 2)).toMatchObject({ commands: 1, auditLogs: 1, more: false });
    expect(await deleteOldRows(db.prisma, days, NOW, 2)).toMatchObject({ commands: 0, auditLogs: 0, more: false });
    expect(await db.prisma.command.count({ where: { deviceId: d.id } })).toBe(0);
  });

  it('refuses a retention of zero days', () => {
    expect(() => retentionJob({ ...JOB, retentionDays: 0 })).toThrow('retentionDays must be > 0, got 0');
    expect(() => retentionJob({ ...JOB, auditRetentionDays: 0 })).toThrow('auditRetentionDays must be > 0, got 0');
  });
});
