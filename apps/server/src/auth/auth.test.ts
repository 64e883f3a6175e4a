import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp, createToken } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { sha256Hex } from './secrets.js';

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

describe('admin bearer tokens', () => {
  it('401 with a reason when the token is missing', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: 'missing admin token: send Authorization: Bearer <admin token>' });
  });

  it('401 with a reason when the token is unknown', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer('not-a-token') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: 'unknown admin token' });
  });

  it('403 with a reason when the role is too low, for each role boundary', async () => {
    const viewer = await createToken(app, 'viewer-1', 'viewer');
    const operator = await createToken(app, 'operator-1', 'operator');
    expect((await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(viewer) })).statusCode).toBe(200);
    const asViewer = await app.inject({ method: 'GET', url: '/api/v1/policy', headers: bearer(viewer) });
    expect(asViewer.statusCode).toBe(403);
    expect(asViewer.json()).toEqual({ error: 'forbidden', message: 'token "viewer-1" has role viewer; this needs admin or higher' });
    const asOperator = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(operator), payload: { name: 'x', role: 'admin' } });
    expect(asOperator.statusCode).toBe(403);
    expect(asOperator.json().message).toBe('token "operator-1" has role operator; this needs admin or higher');
  });

  it('stores only the sha256 of a new token, returns it once, and audits its creation', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN), payload: { name: 'ci-bot', role: 'operator' } });
    expect(res.statusCode).toBe(201);
    const { token, id } = res.json();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db.prisma.adminToken.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ name: 'ci-bot', role: 'operator', tokenHash: sha256Hex(token) });
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN) });
    expect(JSON.stringify(list.json())).not.toContain(token);
    expect(list.json().tokens.map((t: { name: string }) => t.name)).toContain('ci-bot');
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'admin-token.create', target: `admin-token:${id}` } });
    expect(audit).toMatchObject({ actor: 'env', params: { name: 'ci-bot', role: 'operator' } });
  });

  it('a revoked token gets 401 saying so; the revocation is audited', async () => {
    const token = await createToken(app, 'leaving-admin', 'viewer');
    const id = (await db.prisma.adminToken.findUniqueOrThrow({ where: { tokenHash: sha256Hex(token) } })).id;
    const revoked = await app.inject({ method: 'POST', url: `/api/v1/admin/tokens/${id}/revoke`, headers: bearer(TEST_ADMIN_TOKEN) });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toEqual(expect.any(String));
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(token) });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/^admin token "leaving-admin" was revoked on \d{4}-/);
    expect(await db.prisma.auditLog.count({ where: { action: 'admin-token.revoke', target: `admin-token:${id}`, actor: 'env' } })).toBe(1);
  });

  it('validates admin bodies: an unknown role is refused with 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN), payload: { name: 'x', role: 'root' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad-request', message: expect.stringContaining('body/role') });
  });
});

describe('enrollment secrets (admin)', () => {
  it('creates a secret (returned once, stored hashed, audited) that enrolls, and revocation stops it', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/admin/enroll-secrets', headers: bearer(TEST_ADMIN_TOKEN), payload: { name: 'berlin-office' } });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect((await db.prisma.enrollSecret.findUniqueOrThrow({ where: { id } })).secretHash).toBe(sha256Hex(secret));
    const host = { hostname: 'berlin-1', serialNumber: 'C02BERLIN01', hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: secret, host } })).statusCode).toBe(201);

    const listed = await app.inject({ method: 'GET', url: '/api/v1/admin/enroll-secrets', headers: bearer(TEST_ADMIN_TOKEN) });
    expect(listed.json().secrets.map((s: { name: string }) => s.name)).toEqual(['env', 'berlin-office']);

    await app.inject({ method: 'POST', url: `/api/v1/admin/enroll-secrets/${id}/revoke`, headers: bearer(TEST_ADMIN_TOKEN) });
    const refused = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: secret, host } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'unauthorized', message: 'unknown or revoked enrollment secret' });
    const actions = (await db.prisma.auditLog.findMany({ where: { target: `enroll-secret:${id}` }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['enroll-secret.create', 'enroll-secret.revoke']);
  });

  it('the audit log is readable by admins, newest first', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=3', headers: bearer(TEST_ADMIN_TOKEN) });
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries;
    expect(entries).toHaveLength(3);
    expect(Number(entries[0].id)).toBeGreaterThan(Number(entries[1].id));
    expect(entries[0].action).toBe('enroll-secret.revoke');
  });

  it('bootstrap credentials from the config exist once, however often the app starts', async () => {
    const again = await buildTestApp(db);
    await again.close();
    expect(await db.prisma.enrollSecret.count({ where: { secretHash: sha256Hex(TEST_ENROLL_SECRET) } })).toBe(1);
    expect(await db.prisma.adminToken.count({ where: { tokenHash: sha256Hex(TEST_ADMIN_TOKEN) } })).toBe(1);
  });
});
