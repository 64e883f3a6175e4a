// GET /api/v1/batches/:id pages its commands (limit, cursor, nextCursor, as the device list does),
// with the whole batch's counts in every page. It answered every command at once before: several
// MB for a batch to 20,000 Macs, on every poll of the dashboard. Real server, real database.
import { randomUUID } from 'node:crypto';
import type { Action, BatchView } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, enroll, useTestApp } from '../testing/harness.js';

const ctx = useTestApp({ jobs: false });
const COLLECT = { type: 'agent.collect', params: {} } satisfies Action;
// Two Macs share a hostname: the page order breaks the tie by command id, across a page boundary too.
const HOSTNAMES = ['pg-f-mini', 'pg-b-air', 'pg-a-mbp', 'pg-b-air', 'pg-e-studio', 'pg-c-imac', 'pg-d-mbp'];

const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.viewer) });
const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(ctx.operator), payload });

let batchId: string;
let otherBatchCommand: string;
/** The batch's commands as the database orders them: hostname, then id. */
let expected: Array<{ id: string; hostname: string }>;

beforeAll(async () => {
  // Offline Macs: their commands stay queued, so the counts hold still while the test pages.
  for (const hostname of HOSTNAMES) await enroll(ctx.app, { hostname });
  const created = await post('/api/v1/batches', { action: COLLECT, dryRun: false, filter: { search: 'pg-' } });
  expect(created.statusCode).toBe(201);
  batchId = created.json().batchId;
  const rows = await ctx.db.prisma.command.findMany({ where: { batchId }, select: { id: true, device: { select: { hostname: true } } } });
  expected = rows.map((r) => ({ id: r.id, hostname: r.device.hostname }))
    .sort((x, y) => (x.hostname === y.hostname ? (x.id < y.id ? -1 : 1) : x.hostname < y.hostname ? -1 : 1));
  const cImac = expected.find((c) => c.hostname === 'pg-c-imac')!;
  expect((await post(`/api/v1/commands/${cImac.id}/cancel`, {})).statusCode).toBe(200);
  const other = await post('/api/v1/batches', { action: { type: 'zoom.quit', params: {} }, dryRun: false, filter: { search: 'pg-a-' } });
  expect(other.statusCode).toBe(201);
  otherBatchCommand = other.json().targets[0].commandId;
});

const COUNTS = { total: 7, succeeded: 0, failed: 0, pending: 6, timedOut: 0, expired: 0, cancelled: 1 };

describe('GET /api/v1/batches/:id pages its commands', () => {
  it('walks the batch 3 commands a page, in hostname order, each command once, the whole counts in every page', async () => {
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
    expect(pages[0]!.commands[0]).toEqual({
      id: expected[0]!.id, deviceId: expect.any(String), hostname: 'pg-a-mbp', action: COLLECT, status: 'queued',
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
    expect(queued.commands.map((c) => c.hostname)).toEqual(['pg-a-mbp', 'pg-b-air', 'pg-b-air', 'pg-d-mbp', 'pg-e-studio']);
    const rest = (await get(`/api/v1/batches/${batchId}?status=queued&limit=5&cursor=${queued.nextCursor}`)).json() as BatchView;
    expect([rest.commands.map((c) => c.hostname), rest.nextCursor]).toEqual([['pg-f-mini'], null]);
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
