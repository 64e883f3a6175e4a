// ApiClient.batch pages a batch's commands against the real server (real database): the query it
// sends (limit, cursor, status) and the pages it reads back, whose counts cover the whole batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only reach into the server's harness, as bulk.test.ts does.
import type { FleetMedicApp } from '@fleetmedic/server';
import { buildTestApp, createToken, enroll, listen } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { ApiClient, ApiError } from '../web/api/client.js';
import type { BatchView } from '../web/api/types.js';

describe('ApiClient.batch pages', () => {
  let db: TestDatabase;
  let app: FleetMedicApp;
  let api: ApiClient;
  let batchId: string;
  const hostnames = ['bp-c-imac', 'bp-a-mbp', 'bp-e-mini', 'bp-b-air', 'bp-d-studio'];

  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildTestApp(db, { jobs: false });
    const base = (await listen(app)).replace(/^ws/, 'http').replace(/\/agent\/ws$/, '');
    api = new ApiClient(await createToken(app, 'pages operator', 'operator'), base);
    // Offline Macs: their commands stay queued while the test reads the pages.
    for (const hostname of hostnames) await enroll(app, { hostname });
    batchId = (await api.request<{ batchId: string }>('POST', '/batches', { action: { type: 'agent.collect', params: {} }, dryRun: false, filter: { search: 'bp-' } })).batchId;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  it('follows nextCursor through every page, each with the whole batch counts', async () => {
    const pages: BatchView[] = [await api.batch(batchId, { limit: 2 })];
    while (pages.at(-1)!.nextCursor && pages.length < 5) pages.push(await api.batch(batchId, { limit: 2, cursor: pages.at(-1)!.nextCursor! }));
    // Command-id order (immutable; hostnames change), each command once.
    const ids = (await db.prisma.command.findMany({ where: { batchId }, select: { id: true } })).map((c) => c.id).sort();
    expect(pages.map((p) => p.commands.map((c) => c.id))).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(pages.flatMap((p) => p.commands.map((c) => c.hostname)).sort()).toEqual([...hostnames].sort());
    expect(pages.at(-1)!.nextCursor).toBeNull();
    for (const p of pages) expect(p.counts).toEqual({ total: 5, succeeded: 0, failed: 0, pending: 5, timedOut: 0, expired: 0, cancelled: 0 });
    expect((await api.batch(batchId)).commands).toHaveLength(5);
    expect((await api.batch(batchId, { status: 'succeeded' })).commands).toEqual([]);
  });

  it('rejects with the server reason for a page size out of range', async () => {
    const err = await api.batch(batchId, { limit: 501 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toMatch(/^querystring\/limit must be/);
  });
});
