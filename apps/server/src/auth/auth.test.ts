import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp, createToken, enroll, eventually } from '../testing/harness.js';
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

const VIEWER_UP = 'a viewer, operator or admin API token';
const OPERATOR_UP = 'an operator or admin API token';
const ADMIN = 'an admin API token';

describe('API bearer tokens', () => {
  it('401 with a reason when the token is missing, naming the token the route needs', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: `missing API token: this route needs ${VIEWER_UP}; send Authorization: Bearer <API token>` });
    const write = await app.inject({ method: 'POST', url: '/api/v1/batches', payload: { action: { type: 'agent.collect', params: {} }, dryRun: true } });
    expect(write.json().message).toBe(`missing API token: this route needs ${OPERATOR_UP}; send Authorization: Bearer <API token>`);
    const admin = await app.inject({ method: 'GET', url: '/api/v1/admin/tokens' });
    expect(admin.json().message).toBe(`missing API token: this route needs ${ADMIN}; send Authorization: Bearer <API token>`);
  });

  it('401 with a reason when the token is unknown', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer('not-a-token') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: `unknown API token: this route needs ${VIEWER_UP}` });
  });

  it('a device token or an enrollment secret sent as an API token: 401 saying which credential it is and what the route needs', async () => {
    // Said "unknown admin token" before, for every route and whatever was sent.
    const { deviceToken } = await enroll(app);
    const asDevice = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(deviceToken) });
    expect(asDevice.statusCode).toBe(401);
    expect(asDevice.json()).toEqual({
      error: 'unauthorized',
      message: `this is a device token, which only opens a Mac's agent socket (GET /api/v1/agent/ws); this route needs ${VIEWER_UP}`,
    });
    const asSecret = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ENROLL_SECRET), payload: { name: 'x', role: 'viewer' } });
    expect(asSecret.statusCode).toBe(401);
    expect(asSecret.json()).toEqual({
      error: 'unauthorized',
      message: `this is an enrollment secret, which only enrolls a Mac (POST /api/v1/enroll); this route needs ${ADMIN}`,
    });
    expect(await db.prisma.adminToken.count({ where: { name: 'x' } })).toBe(0);
  });

  it('403 with a reason when the role is too low, for each role boundary', async () => {
    const viewer = await createToken(app, 'viewer-1', 'viewer');
    const operator = await createToken(app, 'operator-1', 'operator');
    expect((await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(viewer) })).statusCode).toBe(200);
    const asViewer = await app.inject({ method: 'GET', url: '/api/v1/policy', headers: bearer(viewer) });
    expect(asViewer.statusCode).toBe(403);
    expect(asViewer.json()).toEqual({ error: 'forbidden', message: `API token "viewer-1" has role viewer; this route needs ${ADMIN}` });
    const asOperator = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(operator), payload: { name: 'x', role: 'admin' } });
    expect(asOperator.statusCode).toBe(403);
    expect(asOperator.json().message).toBe(`API token "operator-1" has role operator; this route needs ${ADMIN}`);
    const viewerWrites = await app.inject({ method: 'POST', url: '/api/v1/batches', headers: bearer(viewer), payload: { action: { type: 'agent.collect', params: {} }, dryRun: true } });
    expect(viewerWrites.statusCode).toBe(403);
    expect(viewerWrites.json().message).toBe(`API token "viewer-1" has role viewer; this route needs ${OPERATOR_UP}`);
  });

  it('a stored token with a role the server does not know: 403 naming the roles and what the route needs', async () => {
    // Only a hand-edited row can hold one: the API refuses unknown roles (400).
    const row = await db.prisma.adminToken.create({ data: { name: 'hand-made', role: 'root', tokenHash: sha256Hex('hand-made-token-0123456789') } });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer('hand-made-token-0123456789') });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toBe(`API token "hand-made" has an unknown role "root" (roles: viewer, operator, admin); this route needs ${VIEWER_UP}`);
    } finally {
      // GET /api/v1/admin/tokens cannot list such a row (its role schema refuses it): not left for the tests below.
      await db.prisma.adminToken.delete({ where: { id: row.id } });
    }
  });

  it('stores only the sha256 of a new token, returns it once, and audits its creation', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN), payload: { name: 'ci-bot', role: 'operator' } });
    expect(res.statusCode).toBe(201);
    const { token, id } = res.json();
    expect(token).toMatch(/^fm_operator_[A-Za-z0-9_-]{43}$/); // says what it is and may do
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
    expect(res.json().message).toMatch(new RegExp(`^API token "leaving-admin" was revoked on \\d{4}-[^;]+; this route needs ${VIEWER_UP}$`));
    expect(await db.prisma.auditLog.count({ where: { action: 'admin-token.revoke', target: `admin-token:${id}`, actor: 'env' } })).toBe(1);
  });

  it('keeps a token row between revocations: a change in SQL is not read at each call, and a revocation through one instance is in force on another once its notification arrives', async () => {
    const other = await buildTestApp(db, { jobs: false }); // a second instance on the same database
    try {
      const token = await createToken(app, 'kept-operator', 'operator');
      const write = () => other.inject({ method: 'POST', url: '/api/v1/batches', headers: bearer(token), payload: { action: { type: 'agent.collect', params: {} }, dryRun: true } });
      expect((await write()).statusCode).toBe(200);
      // Kept: the other instance does not read the row again at each call.
      await db.prisma.adminToken.update({ where: { tokenHash: sha256Hex(token) }, data: { role: 'viewer' } });
      expect((await write()).statusCode).toBe(200);
      await db.prisma.adminToken.update({ where: { tokenHash: sha256Hex(token) }, data: { role: 'operator' } });
      const id = (await db.prisma.adminToken.findUniqueOrThrow({ where: { tokenHash: sha256Hex(token) } })).id;
      expect((await app.inject({ method: 'POST', url: `/api/v1/admin/tokens/${id}/revoke`, headers: bearer(TEST_ADMIN_TOKEN) })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(token) })).statusCode).toBe(401); // here at once
      await eventually(async () => (await write()).statusCode === 401);
      expect((await write()).json().message).toMatch(/^API token "kept-operator" was revoked on /);
    } finally {
      await other.close();
    }
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
