// GET /api/v1/batches/:id pages its commands (limit, cursor, nextCursor, as the device list does),
// with the whole batch's counts in every page. It answered every command at once before: several
// MB for a batch to 20,000 Macs, on every poll of the dashboard. Real server, real database.
import { randomUUID } from 'node:crypto';
import type { Action, BatchView } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, enroll, useTestApp } from '../testing/harness.js';

const ctx = useTestApp({ jobs: false });
const COLLECT = { type: 'agent.collect', params: {} } satisfies Action;
// Two Macs share a hostname; the pages are in command-id order, whatever the hostnames.
const HOSTNAMES = ['pg-f-mini', 'pg-b-air', 'pg-a-mbp', 'pg-b-air', 'pg-e-studio', 'pg-c-imac', 'pg-d-mbp'];

const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.viewer) });
const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(ctx.operator), payload });

let batchId: string;
let otherBatchCommand: string;
/** The batch's commands in page order: command id. */
let expected: Array<{ id: string; hostname: string }>;

beforeAll(async () => {
  // Offline Macs: their commands stay queued, so the counts hold still while the test pages.
  for (const hostname of HOSTNAMES) await enroll(ctx.app, { hostname });
  const created = await post('/api/v1/batches', { action: COLLECT, dryRun: false, filter: { search: 'pg-' } });
  expect(created.statusCode).toBe(201);
  batchId = created.json().batchId;
  const rows = await ctx.db.prisma.command.findMany({ where: { batchId }, select: { id: true, device: { select: { hostname: true } } } });
  expected = rows.map((r) => ({ id: r.id, hostname: r.device.hostname })).sort((x, y) => (x.id < y.id ? -1 : 1));
  const cImac = expected.find((c) => c.hostname === 'pg-c-imac')!;
  expect((await post(`/api/v1/commands/${cImac.id}/cancel`, {})).statusCode).toBe(200);
  const other = await post('/api/v1/batches', { action: { type: 'zoom.quit', params: {} }, dryRun: false, filter: { search: 'pg-a-' } });
  expect(other.statusCode).toBe(201);
  otherBatchCommand = other.json().targets[0].commandId;
});

const COUNTS = { total: 7, succeeded: 0, failed: 0, pending: 6, timedOut: 0, expired: 0, cancelled: 1 };

describe('GET /api/v1/batches/:id pages its commands', () => {
  it('walks the batch 3 commands a page, in command-id order, each command once, the whole counts in every page', async () => {
    const pages: BatchView[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/batches/${batchId}?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as BatchView;
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.commands.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.nextCursor)).toEqual([pages[0]!.commands[2]!.id, pages[1]!.commands[2]!.id, null]);
    expect(pages.flatMap((p) => p.commands.map((c) => ({ id: c.id, hostname: c.hostname })))).toEqual(expected);
    for (const p of pages) {
      expect(p).toMatchObject({ id: batchId, findingId: null, action: COLLECT, filter: { search: 'pg-' }, createdBy: 'fleet-operator', counts: COUNTS, skipped: [] });
    }
    const aMbp = expected.find((c) => c.hostname === 'pg-a-mbp')!;
    expect(pages.flatMap((p) => p.commands).find((c) => c.id === aMbp.id)).toEqual({
      id: aMbp.id, deviceId: expect.any(String), hostname: 'pg-a-mbp', action: COLLECT, status: 'queued',
      reason: null, exitCode: null, sentAt: null, ackedAt: null, finishedAt: null,
    });
  });

  it('gives 50 commands by default; ?status= lists only that status while the counts stay whole', async () => {
    const all = (await get(`/api/v1/batches/${batchId}`)).json() as BatchView;
    expect(all.commands.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    expect(all.nextCursor).toBeNull();
    const cancelled = (await get(`/api/v1/batches/${batchId}?status=cancelled`)).json() as BatchView;
    expect(cancelled.commands.map((c) => [c.hostname, c.status, c.reason])).toEqual([['pg-c-imac', 'cancelled', null]]);
    expect(cancelled.counts).toEqual(COUNTS);
    const queued = (await get(`/api/v1/batches/${batchId}?status=queued&limit=5`)).json() as BatchView;
    const queuedIds = expected.filter((c) => c.hostname !== 'pg-c-imac').map((c) => c.id);
    expect(queued.commands.map((c) => c.id)).toEqual(queuedIds.slice(0, 5));
    const rest = (await get(`/api/v1/batches/${batchId}?status=queued&limit=5&cursor=${queued.nextCursor}`)).json() as BatchView;
    expect([rest.commands.map((c) => c.id), rest.nextCursor]).toEqual([queuedIds.slice(5), null]);
  });

  it('refuses a cursor of another batch or unknown, a page size outside 1..500, an unknown status or parameter (400 with the reason); 404 for an unknown batch', async () => {
    const foreign = await get(`/api/v1/batches/${batchId}?cursor=${otherBatchCommand}`);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toEqual({
      error: 'bad-request',
      message: `cursor "${otherBatchCommand}" is not a command of batch ${batchId}: pass the nextCursor of the previous page`,
    });
    expect((await get(`/api/v1/batches/${batchId}?cursor=${randomUUID()}`)).statusCode).toBe(400);
    for (const limit of ['0', '501']) {
      const res = await get(`/api/v1/batches/${batchId}?limit=${limit}`);
      expect(res.statusCode, limit).toBe(400);
      expect(res.json().message, limit).toMatch(/^querystring\/limit must be/);
    }
    const status = await get(`/api/v1/batches/${batchId}?status=done`);
    expect(status.json()).toEqual({
      error: 'bad-request',
      message: 'querystring/status must be one of queued, sent, acknowledged, succeeded, failed, timed_out, expired, cancelled; got "done"',
    });
    const page = await get(`/api/v1/batches/${batchId}?page=2`);
    expect(page.json()).toEqual({ error: 'bad-request', message: 'querystring/page is not allowed here; allowed: limit, cursor, status' });
    expect((await get(`/api/v1/batches/${randomUUID()}?limit=3`)).statusCode).toBe(404);
  });
});

// Found by an adversarial test: the pages were ordered by the device's current hostname and the
// cursor's hostname was read again on every page, so a Mac renamed mid-walk (re-enrollment, a
// full report) moved the cursor: rn-a re-enrolled as rn-z after page 1 ended the walk there, 4
// of 5 commands lost without an error.
describe('GET /api/v1/batches/:id while Macs are renamed', () => {
  it('a walk returns every command of the batch exactly once when Macs change hostname between pages', async () => {
    const macs = new Map<string, { deviceId: string; deviceToken: string; serialNumber: string }>();
    for (const hostname of ['rn-a', 'rn-b', 'rn-c', 'rn-d', 'rn-e']) {
      const serialNumber = `C02RN${hostname.at(-1)!.toUpperCase()}${randomUUID().slice(0, 4).toUpperCase()}`;
      const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
      macs.set(hostname, { deviceId, deviceToken, serialNumber });
    }
    const created = await post('/api/v1/batches', { action: COLLECT, dryRun: false, filter: { search: 'rn-' } });
    expect(created.statusCode).toBe(201);
    const renamedBatch: string = created.json().batchId;
    const all = (await ctx.db.prisma.command.findMany({ where: { batchId: renamedBatch }, select: { id: true, deviceId: true } }));
    expect(all).toHaveLength(5);
    const rename = async (from: string, to: string) => {
      const mac = [...macs.entries()].find(([h]) => h === from)![1];
      const again = await enroll(ctx.app, { hostname: to, serialNumber: mac.serialNumber, deviceToken: mac.deviceToken });
      expect(again.deviceId).toBe(mac.deviceId);
      mac.deviceToken = again.deviceToken; // re-enrollment may issue a new token
      expect((await ctx.db.prisma.device.findUniqueOrThrow({ where: { id: mac.deviceId } })).hostname).toBe(to);
    };

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let n = 1; n <= 10; n++) {
      const res = await get(`/api/v1/batches/${renamedBatch}?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as BatchView;
      expect(page.counts.total).toBe(5);
      seen.push(...page.commands.map((c) => c.id));
      cursor = page.nextCursor;
      if (!cursor) break;
      // After page 1: rn-a becomes rn-z (the brief's case; it ordered first, now last). After page 2:
      // a Mac not listed yet becomes rn-0 (now first, before the cursor).
      if (n === 1) await rename('rn-a', 'rn-z');
      if (n === 2) {
        const unseen = all.find((c) => !seen.includes(c.id))!;
        const from = [...macs.entries()].find(([, m]) => m.deviceId === unseen.deviceId)![0];
        await rename(from, 'rn-0');
      }
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(all.map((c) => c.id)));
  });
});
