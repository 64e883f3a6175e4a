// Bulk fix: the model (filters -> request body, counts in words) and the ApiClient's remediate/batch
// against the real server (real database, Macs reporting real snapshots over real sockets).
import { randomUUID } from 'node:crypto';
import type { ServerMessage, Snapshot } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only reach into the server's harness, as testing/stack.ts does.
import type { FleetMedicApp } from '@fleetmedic/server';
import { TestAgent, buildTestApp, createToken, enroll, eventually, listen } from '@fleetmedic/server/testing/harness';
import { buildSnapshot } from '@fleetmedic/server/testing/snapshots';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { ApiClient, ApiError } from '../web/api/client.js';
import type { BatchCounts } from '../web/api/types.js';
import { batchCountWords, batchDone, canBulkFix, macs, remediationFilter } from '../web/model/bulk.js';
import { EMPTY_FILTERS, parseRoute, type DeviceFilters } from '../web/model/route.js';

const listFilters = (hash: string): DeviceFilters => {
  const route = parseRoute(hash);
  if (route.page !== 'devices') throw new Error(`not a device list: ${hash}`);
  return route.filters;
};
const counts = (c: Partial<BatchCounts>): BatchCounts => ({ total: 0, succeeded: 0, failed: 0, pending: 0, timedOut: 0, expired: 0, cancelled: 0, ...c });

describe('bulk fix model', () => {
  it('sends the list filters of the URL, online as a boolean, without sort and page size', () => {
    expect(remediationFilter(listFilters('#/devices?finding=tcc.camera.denied&search=mba&health=cannot-join&online=true&sort=hostname&limit=5')))
      .toEqual({ finding: 'tcc.camera.denied', search: 'mba', health: 'cannot-join', online: true });
    expect(remediationFilter(listFilters('#/devices?finding=tcc.camera.denied&online=false'))).toEqual({ finding: 'tcc.camera.denied', online: false });
    // A health the list does not know is not a filter there either.
    expect(remediationFilter(listFilters('#/devices?finding=tcc.camera.denied&health=bogus&online=maybe'))).toEqual({ finding: 'tcc.camera.denied' });
  });

  it('offers the button to operators and admins on a list filtered by a finding only', () => {
    const camera = { ...EMPTY_FILTERS, finding: 'tcc.camera.denied' };
    expect([canBulkFix('operator', camera), canBulkFix('admin', camera)]).toEqual([true, true]);
    expect([canBulkFix('viewer', camera), canBulkFix('unknown', camera)]).toEqual([false, false]);
    expect(canBulkFix('admin', EMPTY_FILTERS)).toBe(false);
  });

  it('says the counts in words and ends when nothing is pending', () => {
    expect(batchCountWords(counts({ total: 3, succeeded: 1, pending: 2 }))).toBe('1 succeeded, 2 pending of 3');
    expect(batchCountWords(counts({ total: 3, succeeded: 1, failed: 1, timedOut: 1 }))).toBe('1 succeeded, 1 failed, 1 timed out of 3');
    expect(batchCountWords(counts({}))).toBe('nothing of 0');
    expect(batchDone(counts({ total: 2, pending: 1, succeeded: 1 }))).toBe(false);
    expect(batchDone(counts({ total: 2, failed: 1, succeeded: 1 }))).toBe(true);
    expect([macs(1), macs(3)]).toEqual(['1 Mac', '3 Macs']);
  });
});

describe('ApiClient.remediate and .batch against the real server', () => {
  let db: TestDatabase;
  let app: FleetMedicApp;
  let operator: ApiClient;
  let viewer: ApiClient;
  const agents: TestAgent[] = [];

  /** Enrolls a Mac, connects it and reports `snapshot`; resolves after the server's ack. */
  async function macReporting(hostname: string, snapshot: (serial: string) => Snapshot, wsUrl: string) {
    const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
    const { deviceId, deviceToken } = await enroll(app, { hostname, serialNumber });
    const agent = await TestAgent.connect(wsUrl, deviceToken);
    agents.push(agent);
    const id = `report-${randomUUID()}`;
    agent.send({ type: 'report', id, snapshot: snapshot(serialNumber) });
    await agent.next((m) => m.type === 'ack' && m.id === id);
    return { deviceId, agent };
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildTestApp(db);
    const wsUrl = await listen(app);
    const base = `${wsUrl.replace(/^ws/, 'http').replace(/\/agent\/ws$/, '')}`;
    operator = new ApiClient(await createToken(app, 'bulk operator', 'operator'), base);
    viewer = new ApiClient(await createToken(app, 'bulk viewer', 'viewer'), base);
    const camera = (host: string, mdm = false) => (serial: string) => {
      const s = buildSnapshot({ hostname: host, serialNumber: serial, zoomCamera: 'denied' });
      // auth_reason 6: an MDM PPPC profile set the row; no automatic remedy.
      if (mdm) Object.assign(s.sections.tcc.data!.databases[0]!.entries.find((e) => e.service === 'kTCCServiceCamera')!, { authReason: 6, authReasonName: 'mdm-policy' });
      return s;
    };
    await macReporting('dash-anna-mbp', camera('dash-anna-mbp'), wsUrl);
    await macReporting('dash-carla-imac', camera('dash-carla-imac', true), wsUrl);
  }, 60_000);
  afterAll(async () => {
    for (const a of agents) a.close();
    await app?.close();
    await db?.cleanup();
  });

  it('a dry run names the target Mac and the skipped one with the reason; a viewer is refused with 403', async () => {
    const plan = await operator.remediate('tcc.camera.denied', true, { finding: 'tcc.camera.denied', search: 'dash-' });
    expect(plan.batchId).toBeNull();
    expect(plan.targets.map((t) => [t.hostname, t.action])).toEqual([['dash-anna-mbp', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }]]);
    expect(plan.skipped.map((s) => s.hostname)).toEqual(['dash-carla-imac']);
    expect(plan.skipped[0]!.reason).toMatch(/^no automatic remedy/);
    const refused = await viewer.remediate('tcc.camera.denied', true).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).forbidden).toBe(true);
  });

  it('a real run gives a batch whose status follows the command to its end; a second run is 409', async () => {
    const created = await operator.remediate('tcc.camera.denied', false, { search: 'dash-' });
    expect(created.batchId).toMatch(/^[0-9a-f-]{36}$/);
    const batchId = created.batchId!;
    const first = await operator.batch(batchId);
    expect(first.counts).toMatchObject({ total: 1, pending: 1, succeeded: 0 });
    expect(first.commands.map((c) => c.hostname)).toEqual(['dash-anna-mbp']);
    expect(first.skipped.map((s) => s.hostname)).toEqual(['dash-carla-imac']);
    expect(batchDone(first.counts)).toBe(false);

    const anna = agents[0]!;
    const sent = await anna.next<Extract<ServerMessage, { type: 'command' }>>((m) => m.type === 'command');
    const at = new Date().toISOString();
    anna.send({ type: 'command.result', id: sent.command.id, result: {
      status: 'succeeded', exitCode: 0, stdout: '', stderr: '', reason: 'reset Camera for us.zoom.xos',
      argv: [['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']], startedAt: at, finishedAt: at, durationMs: 3,
    } });
    const done = await eventually(async () => {
      const b = await operator.batch(batchId);
      return batchDone(b.counts) ? b : null;
    });
    expect(done.counts).toEqual(counts({ total: 1, succeeded: 1 }));
    expect(done.commands.map((c) => [c.hostname, c.status, c.reason])).toEqual([['dash-anna-mbp', 'succeeded', 'reset Camera for us.zoom.xos']]);
    expect(batchCountWords(done.counts)).toBe('1 succeeded of 1');

    const again = await operator.remediate('tcc.camera.denied', false, { search: 'dash-carla' }).catch((e: unknown) => e);
    expect((again as ApiError).status).toBe(409);
    expect((again as ApiError).message).toMatch(/nothing was queued/);
    const missing = await operator.batch(randomUUID()).catch((e: unknown) => e);
    expect((missing as ApiError).notFound).toBe(true);
  });
});
