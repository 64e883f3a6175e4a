import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { bearer, buildTestApp, createToken, TEST_ADMIN_TOKEN } from '../testing/harness.js';
import type { FleetMedicApp } from '../app.js';
import { DASHBOARD_SECURITY_HEADERS, dashboardRoutes } from './routes.js';

describe('dashboard serving', () => {
  it('serves index.html uncached and hashed assets for a year', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'fm-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>FleetMedic</title>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    const app = Fastify();
    await app.register(dashboardRoutes, { dist });
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>FleetMedic</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await app.inject({ url: '/nothing-here.js' });
    for (const res of [page, asset, missing]) {
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    await app.close();
  });

  it('without a built page, / answers 503 with how to build it and the server still starts', async () => {
    const app = Fastify();
    await app.register(dashboardRoutes, { dist: mkdtempSync(path.join(tmpdir(), 'fm-empty-')) });
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('pnpm --filter @fleetmedic/dashboard build');
    expect(page.headers).toMatchObject(DASHBOARD_SECURITY_HEADERS);
    await app.close();
  });
});

describe('GET /api/v1/me', () => {
  let db: TestDatabase;
  let app: FleetMedicApp;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  it('names the token and its role, for every role; 401 without a token', async () => {
    const me = await app.inject({ url: '/api/v1/me', headers: bearer(TEST_ADMIN_TOKEN) });
    expect(me.json()).toEqual({ name: expect.any(String), role: 'admin' });
    const viewer = await createToken(app, 'helpdesk', 'viewer');
    expect((await app.inject({ url: '/api/v1/me', headers: bearer(viewer) })).json()).toEqual({ name: 'helpdesk', role: 'viewer' });
    const anon = await app.inject({ url: '/api/v1/me' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().message).toMatch(/^missing API token: this route needs a viewer, operator or admin API token;/);
  });
});
