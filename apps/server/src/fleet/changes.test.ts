import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { ingestReport } from '../ingest/ingest.js';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp } from '../testing/harness.js';
import { buildSnapshot, type SnapshotOptions } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
const HOUR = 3600_000;
const T0 = Date.parse('2026-12-01T08:00:00.000Z');

/** One report of `hostname`'s Mac at `hours` after T0 (server time too), on macOS `macos`. */
async function report(deviceId: string, n: number, hours: number, macos: string, opts: SnapshotOptions) {
  const snapshot = buildSnapshot({ collectedAt: new Date(T0 + hours * HOUR).toISOString(), ...opts });
  snapshot.sections.os.data = { ...snapshot.sections.os.data!, productVersion: macos, buildVersion: macos === '15.2' ? '24C101' : '24D60' };
  await ingestReport(db.prisma, { deviceId, reportId: `r-${n}`, snapshot, policy: DEFAULT_POLICY, now: new Date(T0 + hours * HOUR) });
}

let seq = 0;
const device = async () => (await db.prisma.device.create({
  data: { hostname: `changes-${++seq}`, architecture: 'arm64', platform: 'darwin', tokenHash: `changes-token-${seq}-${Date.now()}` },
})).id;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db, { jobs: false });
  // Three Macs update macOS 15.2 -> 15.3: on two the camera is denied in the same report, on the
  // third two days later (outside the 24 hours). A fourth has it denied from its first report.
  // A fifth updates and stays fine.
  for (const [i, deniedAt] of [[1, 10], [2, 12], [3, 60]] as const) {
    const id = await device();
    await report(id, 1, 0, '15.2', { zoomCamera: 'allowed' });
    await report(id, 2, i === 3 ? 10 : deniedAt, '15.3', { zoomCamera: 'allowed' });
    await report(id, 3, deniedAt, '15.3', { zoomCamera: 'denied' });
  }
  await report(await device(), 1, 5, '15.3', { zoomCamera: 'denied' });
  const fine = await device();
  await report(fine, 1, 0, '15.2', {});
  await report(fine, 2, 10, '15.3', {});
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const get = (url: string) => app.inject({ url, headers: bearer(TEST_ADMIN_TOKEN) });

describe('GET /api/v1/fleet/changes: what changed before it broke', () => {
  it('ranks the section changes made on the Macs with a finding in the 24 hours before it first appeared', async () => {
    const res = await get('/api/v1/fleet/changes?finding=tcc.camera.denied');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      windowHours: 24,
      findings: [{
        findingId: 'tcc.camera.denied', severity: 'critical', devices: 4, compared: 3,
        changes: [
          { section: 'os', change: 'macOS 15.2 → 15.3', devices: 2 },
          { section: 'tcc', change: 'kTCCServiceCamera for us.zoom.xos (user TCC.db): allowed → denied', devices: 3 },
        ].sort((a, b) => b.devices - a.devices),
      }],
    });
  });

  it('widens with hours, and lists every open finding worst first without a filter', async () => {
    const wide = (await get('/api/v1/fleet/changes?hours=72&finding=tcc.camera.denied')).json();
    expect(wide.findings[0].changes).toEqual([
      { section: 'os', change: 'macOS 15.2 → 15.3', devices: 3 },
      { section: 'tcc', change: 'kTCCServiceCamera for us.zoom.xos (user TCC.db): allowed → denied', devices: 3 },
    ]);
    const all = (await get('/api/v1/fleet/changes?limit=1')).json();
    expect(all.findings.map((f: { findingId: string; changes: unknown[] }) => [f.findingId, f.changes.length])).toEqual([['tcc.camera.denied', 1]]);
  });

  it('refuses an unknown finding id and a bad window', async () => {
    expect((await get('/api/v1/fleet/changes?finding=nope')).statusCode).toBe(400);
    expect((await get('/api/v1/fleet/changes?hours=0')).statusCode).toBe(400);
  });
});
