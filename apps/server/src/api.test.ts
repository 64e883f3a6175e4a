import { SECTION_NAMES } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from './app.js';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, createToken, enroll, listen } from './testing/harness.js';
import { buildSnapshot, type SnapshotOptions } from './testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
let viewer: string;
const ids: Record<string, string> = {};
let onlineAgent: TestAgent;

/** Sends reports over a real socket and waits for their acks. */
async function reportOver(agent: TestAgent, reports: Array<{ id: string } & SnapshotOptions>) {
  for (const r of reports) {
    agent.send({ type: 'report', id: r.id, snapshot: buildSnapshot(r) });
    await agent.next((m) => m.type === 'ack' && m.id === r.id);
  }
}

// A small fleet, one Mac per health: dave (camera denied: cannot join; twice reported, stays online),
// erin (ready), frank (TCC unreadable: unknown), gina (never reported: unknown), hank (old Zoom: at risk).
beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await listen(app);
  viewer = await createToken(app, 'noc-screen', 'viewer');
  const fleet: Array<[string, string, Array<{ id: string } & SnapshotOptions>]> = [
    ['dave', 'C02DAVE0001', [
      { id: 'dave-0001', hostname: 'dave-mbp', consoleUser: 'dave', zoomCamera: 'denied', collectedAt: '2026-01-01T10:00:00.000Z', batteryPercent: 90 },
      { id: 'dave-0002', hostname: 'dave-mbp', consoleUser: 'dave', zoomCamera: 'denied', collectedAt: '2026-01-01T11:00:00.000Z', batteryPercent: 70 },
    ]],
    ['erin', 'C02ERIN0001', [{ id: 'erin-0001', hostname: 'erin-air', consoleUser: 'erin' }]],
    ['frank', 'C02FRANK001', [{ id: 'frank-0001', hostname: 'frank-mini', consoleUser: 'frank', tccUnavailable: true }]],
    ['gina', 'C02GINA0001', []],
    ['hank', 'C02HANK0001', [{ id: 'hank-0001', hostname: 'hank-mbp', consoleUser: 'hank', zoomShortVersion: '5.16.10 (25689)' }]],
  ];
  for (const [name, serial, reports] of fleet) {
    const { deviceId, deviceToken } = await enroll(app, { hostname: `${name}-mac`, serialNumber: serial });
    ids[name] = deviceId;
    if (reports.length === 0) continue;
    const agent = await TestAgent.connect(url, deviceToken);
    await reportOver(agent, reports.map((r) => ({ serialNumber: serial, ...r })));
    if (name === 'dave') onlineAgent = agent;
    else agent.close();
  }
  await new Promise((r) => setTimeout(r, 300)); // let the closes mark devices offline
});
afterAll(async () => {
  onlineAgent?.close();
  await app?.close();
  await db?.cleanup();
});

const get = (path: string, token = viewer) => app.inject({ method: 'GET', url: path, headers: bearer(token) });
const hostnames = (body: { devices: Array<{ hostname: string }> }) => body.devices.map((d) => d.hostname);

describe('GET /api/v1/devices', () => {
  it('lists every device worst first by default: cannot join, unknown, at risk, ready; then most causes; each with its top reason', async () => {
    const res = await get('/api/v1/devices');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(hostnames(body)).toEqual(['dave-mbp', 'frank-mini', 'gina-mac', 'hank-mbp', 'erin-air']);
    expect(body.devices[0]).toMatchObject({
      id: ids.dave, health: 'cannot-join', openFindings: 1, online: true, reportCount: 2, osVersion: '15.3.1', zoomVersion: '6.3.11 (51090)', consoleUser: 'dave',
      openFindingIds: ['tcc.camera.denied'], topReason: { findingId: 'tcc.camera.denied', severity: 'critical', title: 'Zoom is denied the camera' },
    });
    expect(body.devices[1]).toMatchObject({ health: 'unknown', unknownSections: ['tcc'], topReason: { findingId: 'tcc.unreadable', severity: 'unknown', title: 'Privacy permissions could not be read' } });
    expect(body.devices[2]).toMatchObject({ health: 'unknown', osVersion: null, lastReportAt: null, reportCount: 0, online: false, topReason: { findingId: null, severity: 'unknown', title: 'No report yet' } });
    expect(body.devices[3]).toMatchObject({ health: 'at-risk', openFindings: 1, topReason: { findingId: 'zoom.outdated', severity: 'warning' } });
    expect(body.devices[4]).toMatchObject({ health: 'ready', openFindings: 0, online: false, topReason: null });
    expect(body.nextCursor).toBeNull();
  });

  it('sorts by hostname or health on request, the id breaking ties', async () => {
    expect(hostnames((await get('/api/v1/devices?sort=hostname')).json())).toEqual(['dave-mbp', 'erin-air', 'frank-mini', 'gina-mac', 'hank-mbp']);
    expect((await get('/api/v1/devices?sort=-health')).json().devices.map((d: { health: string }) => d.health))
      .toEqual(['ready', 'at-risk', 'unknown', 'unknown', 'cannot-join']);
  });

  it('filters by search (hostname, serial, console user), finding id, health and online', async () => {
    expect(hostnames((await get('/api/v1/devices?search=ERIN')).json())).toEqual(['erin-air']);
    expect(hostnames((await get('/api/v1/devices?search=c02frank')).json())).toEqual(['frank-mini']);
    expect(hostnames((await get('/api/v1/devices?finding=tcc.camera.denied')).json())).toEqual(['dave-mbp']);
    expect(hostnames((await get('/api/v1/devices?finding=tcc.unreadable')).json())).toEqual(['frank-mini']);
    expect(hostnames((await get('/api/v1/devices?health=ready')).json())).toEqual(['erin-air']);
    expect(hostnames((await get('/api/v1/devices?health=cannot-join')).json())).toEqual(['dave-mbp']);
    expect(hostnames((await get('/api/v1/devices?health=at-risk')).json())).toEqual(['hank-mbp']);
    expect(hostnames((await get('/api/v1/devices?health=unknown')).json())).toEqual(['frank-mini', 'gina-mac']);
    expect(hostnames((await get('/api/v1/devices?online=true')).json())).toEqual(['dave-mbp']);
    expect(hostnames((await get('/api/v1/devices?online=false&sort=-hostname')).json())).toEqual(['hank-mbp', 'gina-mac', 'frank-mini', 'erin-air']);
  });

  it('pages with limit and cursor, in the worst-first order', async () => {
    const first = (await get('/api/v1/devices?limit=3')).json();
    expect(hostnames(first)).toEqual(['dave-mbp', 'frank-mini', 'gina-mac']);
    expect(first.nextCursor).toBe(ids.gina);
    const second = (await get(`/api/v1/devices?limit=3&cursor=${first.nextCursor}`)).json();
    expect(hostnames(second)).toEqual(['hank-mbp', 'erin-air']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses bad queries with 400 and the reason', async () => {
    const unknownFinding = await get('/api/v1/devices?finding=tcc.camera.sad');
    expect(unknownFinding.statusCode).toBe(400);
    expect(unknownFinding.json().message).toMatch(/^unknown finding id "tcc.camera.sad"; known: tcc.camera.denied, /);
    expect((await get('/api/v1/devices?sort=serial')).statusCode).toBe(400);
    expect((await get('/api/v1/devices?limit=0')).json()).toMatchObject({ error: 'bad-request', message: expect.stringContaining('limit') });
  });
});

describe('GET /api/v1/devices/:id and /history', () => {
  it('gives the device, its current sections, open findings and last commands', async () => {
    await app.inject({
      method: 'POST', url: `/api/v1/devices/${ids.dave}/commands`, headers: bearer(TEST_ADMIN_TOKEN),
      payload: { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } },
    });
    const res = await get(`/api/v1/devices/${ids.dave}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.device.hostname).toBe('dave-mbp');
    expect(body.sections.map((s: { section: string }) => s.section)).toEqual([...SECTION_NAMES].sort());
    expect(body.sections.find((s: { section: string }) => s.section === 'power').body.data.batteryPercent).toBe(70);
    expect(body.findings).toHaveLength(1);
    expect(body.findings[0]).toMatchObject({
      ruleId: 'tcc.camera.denied', state: 'open', severity: 'critical',
      remedy: { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } },
    });
    expect(body.commands).toHaveLength(1);
    expect(body.commands[0]).toMatchObject({ action: { type: 'tcc.reset' }, status: 'sent' });
    // A reset still in flight is not "the last permission reset".
    expect(body.restart).toEqual({ lastBootAt: '2024-06-03T07:00:00.000Z', lastTccResetAt: null, restartedSinceTccReset: null });
  });

  it('says whether the Mac booted after its last succeeded tcc.reset', async () => {
    const reset = (id: string, finishedAt: Date, status = 'succeeded') => db.prisma.command.create({
      data: { id, deviceId: ids.erin!, type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' }, status, createdBy: 'operator', expiresAt: new Date(finishedAt.getTime() + 3600_000), finishedAt },
    });
    const restart = async () => (await get(`/api/v1/devices/${ids.erin}`)).json().restart;
    // erin booted 2024-06-03T07:00Z (her report's kern.boottime).
    await reset('restart-reset-1', new Date('2024-06-02T09:00:00Z'));
    expect(await restart()).toEqual({ lastBootAt: '2024-06-03T07:00:00.000Z', lastTccResetAt: '2024-06-02T09:00:00.000Z', restartedSinceTccReset: true });
    await reset('restart-reset-2', new Date('2024-06-03T12:00:00Z'));
    await reset('restart-reset-failed', new Date('2024-06-04T12:00:00Z'), 'failed');
    expect(await restart()).toEqual({ lastBootAt: '2024-06-03T07:00:00.000Z', lastTccResetAt: '2024-06-03T12:00:00.000Z', restartedSinceTccReset: false });
  });

  it('404 for an unknown device, 400 for a malformed id', async () => {
    const missing = await get('/api/v1/devices/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not-found', message: 'device 00000000-0000-4000-8000-000000000000 not found' });
    expect((await get('/api/v1/devices/not-a-uuid')).statusCode).toBe(400);
  });

  it('history holds section changes (not copies) and finding transitions, newest first', async () => {
    const body = (await get(`/api/v1/devices/${ids.dave}/history`)).json();
    // First report: every section; second: only power changed (battery 90 -> 70).
    expect(body.sectionChanges).toHaveLength(SECTION_NAMES.length + 1);
    expect(body.sectionChanges[0]).toMatchObject({ section: 'power', reportId: 'dave-0002', status: 'ok' });
    expect(body.sectionChanges[0].body.data.batteryPercent).toBe(70);
    expect(body.findingTransitions).toEqual([
      expect.objectContaining({ ruleId: 'tcc.camera.denied', fromState: null, toState: 'open', reportId: 'dave-0001' }),
    ]);
    const power = (await get(`/api/v1/devices/${ids.dave}/history?section=power`)).json();
    expect(power.sectionChanges.map((c: { reportId: string }) => c.reportId)).toEqual(['dave-0002', 'dave-0001']);
  });
});

describe('GET /api/v1/fleet/summary', () => {
  it('counts devices by health and connectivity, and devices per finding id', async () => {
    const res = await get('/api/v1/fleet/summary');
    expect(res.json()).toEqual({
      total: 5, cannotJoin: 1, unknown: 2, atRisk: 1, ready: 1, online: 1, offline: 4,
      findings: [
        { id: 'tcc.camera.denied', severity: 'critical', devices: 1, open: 1 },
        { id: 'tcc.unreadable', severity: 'warning', devices: 1, open: 1 },
        { id: 'zoom.outdated', severity: 'warning', devices: 1, open: 1 },
      ],
    });
  });
});

describe('policy', () => {
  it('shows the configured policy, stores a valid change (audited) and refuses a bad one', async () => {
    const initial = (await get('/api/v1/policy', TEST_ADMIN_TOKEN)).json();
    expect(initial).toMatchObject({ source: 'config', policy: { minZoomVersion: '6.0.0', minMacosVersion: '14.0' } });

    const put = await app.inject({ method: 'PUT', url: '/api/v1/policy', headers: bearer(TEST_ADMIN_TOKEN), payload: { minZoomVersion: '6.4.0' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ source: 'stored', updatedBy: 'env', policy: { minZoomVersion: '6.4.0', minMacosVersion: '14.0', zoomBundleId: 'us.zoom.xos' } });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'policy.update' } });
    expect(audit).toMatchObject({ actor: 'env', target: 'policy:default', params: { before: { minZoomVersion: '6.0.0' }, after: { minZoomVersion: '6.4.0' } } });

    const bad = await app.inject({ method: 'PUT', url: '/api/v1/policy', headers: bearer(TEST_ADMIN_TOKEN), payload: { minZoomVersion: 'latest', colour: 'red' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('unknown key "colour"');
    expect(bad.json().message).toContain('minZoomVersion "latest" is not a dotted numeric version');
    expect((await get('/api/v1/policy', TEST_ADMIN_TOKEN)).json().policy.minZoomVersion).toBe('6.4.0');
  });

  it('the next report is diagnosed with the stored policy', async () => {
    await reportOver(onlineAgent, [{ id: 'dave-0003', serialNumber: 'C02DAVE0001', hostname: 'dave-mbp', consoleUser: 'dave', zoomCamera: 'denied', collectedAt: '2026-01-01T12:00:00.000Z', batteryPercent: 70 }]);
    const findings = (await get(`/api/v1/devices/${ids.dave}`)).json().findings.map((f: { ruleId: string }) => f.ruleId);
    expect(findings).toEqual(['tcc.camera.denied', 'zoom.outdated']);
  });
});

describe('GET /api/v1/health', () => {
  it('answers without auth with ok and the database kind', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, db: db.kind });
  });

  it('unknown routes get 404 in the error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not-found', message: 'no route GET /api/v1/nothing-here' });
  });
});

describe('HTTP body errors', () => {
  it('a body that is not JSON gets 400 in the error shape', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', headers: { 'content-type': 'application/json' }, payload: '{"enrollSecret":' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad-request', message: expect.stringContaining('JSON') });
  });
});
