import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { bearer, buildTestApp, createToken } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let viewer: string;
const HOUR = 3600_000;
const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR);

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db, { jobs: false });
  viewer = await createToken(app, 'noc-screen', 'viewer');
  // Written out of order, as the fleet-sample job would have over ~10 days.
  const sample = (hoursAgo: number, ready: number, cannotJoin: number, findings: Record<string, number>) =>
    ({ at: at(hoursAgo), total: 12, cannotJoin, atRisk: 1, unknown: 11 - ready - cannotJoin, ready, offline: 1, findings });
  await db.prisma.fleetSample.createMany({ data: [
    sample(2, 10, 1, { 'tcc.camera.denied': 1 }),
    sample(240, 6, 4, { 'tcc.camera.denied': 4, 'zoom.outdated': 2 }),
    sample(100, 8, 3, { 'tcc.camera.denied': 3 }),
    sample(30, 9, 2, { 'tcc.camera.denied': 2 }),
  ] });
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const get = (url: string, token: string | null = viewer) => app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

describe('GET /api/v1/fleet/trend', () => {
  it('returns the last 168 hours of samples by default, oldest first, to a viewer', async () => {
    const res = await get('/api/v1/fleet/trend');
    expect(res.statusCode).toBe(200);
    const { samples } = res.json();
    expect(samples.map((s: { ready: number }) => s.ready)).toEqual([8, 9, 10]);
    expect(samples[0]).toEqual({ at: expect.any(String), total: 12, cannotJoin: 3, atRisk: 1, unknown: 0, ready: 8, offline: 1, findings: { 'tcc.camera.denied': 3 } });
    const times = samples.map((s: { at: string }) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.abs(times[0] - at(100).getTime())).toBeLessThan(60_000);
  });

  it('honours hours: a shorter window, and up to 90 days', async () => {
    expect((await get('/api/v1/fleet/trend?hours=24')).json().samples.map((s: { ready: number }) => s.ready)).toEqual([10]);
    const all = (await get('/api/v1/fleet/trend?hours=2160')).json().samples;
    expect(all.map((s: { ready: number }) => s.ready)).toEqual([6, 8, 9, 10]);
    expect(all[0].findings).toEqual({ 'tcc.camera.denied': 4, 'zoom.outdated': 2 });
  });

  it('refuses bad hours with 400 and the reason', async () => {
    for (const hours of ['0', '2161', 'week', '-5']) {
      const res = await get(`/api/v1/fleet/trend?hours=${hours}`);
      expect(res.statusCode, hours).toBe(400);
      expect(res.json().error).toBe('bad-request');
      expect(res.json().message, hours).toMatch(/hours/);
    }
  });

  it('401 without a token', async () => {
    const res = await get('/api/v1/fleet/trend', null);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthorized');
  });
});
