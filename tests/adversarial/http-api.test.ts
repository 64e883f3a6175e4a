// Adversarial probes of the REST API (admin tokens, roles, bodies, params, command actions,
// enrollment). Tests for defects found here (re-enrollment hijack, control characters, LIKE
// wildcards, a leading "/..") are their reproductions, kept as regression tests since the fixes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp, createToken, enroll, listen, upgradeStatus } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';

let db: TestDatabase;
let app: FleetMedicApp;
let wsUrl: string;
let viewer: string;
let operator: string;
let deviceId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  wsUrl = await listen(app);
  viewer = await createToken(app, 'adv-viewer', 'viewer');
  operator = await createToken(app, 'adv-operator', 'operator');
  deviceId = (await enroll(app, { serialNumber: 'C02ADVHTTP01' })).deviceId;
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const post = (url: string, token: string, payload: unknown) => app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });
const command = (token: string, action: unknown) => post(`/api/v1/devices/${deviceId}/commands`, token, { action });
const host = (over: Record<string, unknown> = {}) => ({ hostname: 'mallory-mbp', serialNumber: null, hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin', ...over });

describe('admin tokens: missing, malformed, revoked', () => {
  it('other schemes, an empty bearer and a token with a trailing second word are 401 with a reason', async () => {
    for (const authorization of [`Basic ${Buffer.from(`x:${TEST_ADMIN_TOKEN}`).toString('base64')}`, 'Bearer ', 'Bearer', `Bearer ${TEST_ADMIN_TOKEN} extra`, `Token ${TEST_ADMIN_TOKEN}`]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().message, authorization).toMatch(/^missing API token: /);
    }
  });

  it('a token that is the sha256 hash stored in the database is not itself a token', async () => {
    const row = await db.prisma.adminToken.findFirstOrThrow({ where: { name: 'adv-viewer' } });
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(row.tokenHash) });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('unknown API token: this route needs a viewer, operator or admin API token');
  });

  it('a device token does not open the admin API, and an admin token does not open the agent socket', async () => {
    const { deviceToken } = await enroll(app);
    expect((await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(deviceToken) })).statusCode).toBe(401);
    expect((await upgradeStatus(wsUrl, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status).toBe(401);
  });

  it('a revoked admin token stays refused even on routes it could use before (and for writes)', async () => {
    const token = await createToken(app, 'adv-soon-revoked', 'operator');
    const { id } = (await db.prisma.adminToken.findFirstOrThrow({ where: { name: 'adv-soon-revoked' } }));
    expect((await post(`/api/v1/admin/tokens/${id}/revoke`, TEST_ADMIN_TOKEN, {})).statusCode).toBe(200);
    const res = await command(token, { type: 'zoom.quit', params: {} });
    expect(res.statusCode).toBe(401);
    expect(await db.prisma.command.count({ where: { createdBy: 'adv-soon-revoked' } })).toBe(0);
  });
});

describe('role escalation', () => {
  it('a viewer cannot create or cancel commands (403, nothing stored)', async () => {
    const before = await db.prisma.command.count();
    const res = await command(viewer, { type: 'zoom.quit', params: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('API token "adv-viewer" has role viewer; this route needs an operator or admin API token');
    expect((await post('/api/v1/commands/00000000-0000-0000-0000-000000000000/cancel', viewer, {})).statusCode).toBe(403);
    expect(await db.prisma.command.count()).toBe(before);
  });

  it('an operator cannot create, list or revoke tokens or secrets, nor change the policy', async () => {
    const adminRow = await db.prisma.adminToken.findFirstOrThrow({ where: { name: 'env' } });
    const attempts = [
      post('/api/v1/admin/tokens', operator, { name: 'evil', role: 'admin' }),
      app.inject({ method: 'GET', url: '/api/v1/admin/tokens', headers: bearer(operator) }),
      post(`/api/v1/admin/tokens/${adminRow.id}/revoke`, operator, {}),
      post('/api/v1/admin/enroll-secrets', operator, { name: 'evil' }),
      app.inject({ method: 'PUT', url: '/api/v1/policy', headers: bearer(operator), payload: { minZoomVersion: '1.0.0' } }),
      app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: bearer(operator) }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.statusCode).toBe(403);
    expect((await db.prisma.adminToken.findUniqueOrThrow({ where: { id: adminRow.id } })).revokedAt).toBeNull();
    expect(await db.prisma.adminToken.count({ where: { name: 'evil' } })).toBe(0);
  });

  it('the role check runs before the body is looked at: a viewer with an invalid body still gets 403, not 400', async () => {
    const res = await command(viewer, { type: 'rm -rf /', params: {} });
    // Fastify validates the body before preHandler; the action itself is checked in the handler.
    expect(res.statusCode).toBe(403);
  });
});

describe('bodies: malformed JSON, size, content type', () => {
  it('malformed JSON is 400 with the parser reason', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', headers: { 'content-type': 'application/json' }, payload: '{"enrollSecret": "x",' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad-request');
  });

  it('a 2 MB body is 413 before any handler runs', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ enrollSecret: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload-too-large');
  });

  it('text/plain and form bodies are refused (400 from the body schema, or 415) and store nothing', async () => {
    const before = await db.prisma.command.count();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: { ...bearer(operator), 'content-type': type }, payload: 'action=zoom.quit' });
      expect([400, 415], type).toContain(res.statusCode);
    }
    expect(await db.prisma.command.count()).toBe(before);
  });

  it('a JSON body that is an array, a string or null is 400', async () => {
    for (const payload of ['[]', '"x"', 'null']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
    }
  });

  it('__proto__ keys in the policy body are refused as unknown keys, and pollute nothing', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...bearer(TEST_ADMIN_TOKEN), 'content-type': 'application/json' }, payload: '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}' });
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('path and query parameters', () => {
  it('a device id that is not a UUID is 400, not a database error', async () => {
    for (const id of ['1', "1' OR '1'='1", '..%2F..%2Fadmin', '00000000-0000-0000-0000-00000000000g']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/devices/${id}`, headers: bearer(viewer) });
      expect(res.statusCode, id).toBe(400);
    }
  });

  it('a command id of any shape is looked up as text: 404, never 500', async () => {
    for (const id of ["x' OR 1=1 --", '%00', 'a'.repeat(64)]) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/commands/${encodeURIComponent(id)}`, headers: bearer(viewer) });
      expect([400, 404], id).toContain(res.statusCode);
    }
  });

  it('SQL-ish search strings are plain text: 200, no rows, no error', async () => {
    for (const search of ["' OR 1=1 --", '%', '_', '\\', "'; DROP TABLE \"Device\"; --"]) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/devices?search=${encodeURIComponent(search)}`, headers: bearer(viewer) });
      expect(res.statusCode, search).toBe(200);
    }
    expect(await db.prisma.device.count()).toBeGreaterThan(0);
  });

  it('search is literal: "%" and "_" are not LIKE wildcards', async () => {
    const pct = await app.inject({ method: 'GET', url: `/api/v1/devices?search=${encodeURIComponent('%')}`, headers: bearer(viewer) });
    expect(pct.json().devices).toEqual([]);
    const under = await app.inject({ method: 'GET', url: `/api/v1/devices?search=${encodeURIComponent('_')}`, headers: bearer(viewer) });
    expect(under.json().devices).toEqual([]);
  });

  it('limit out of range, unknown sort and unknown finding ids are 400 with a reason', async () => {
    for (const q of ['limit=100000', 'limit=-1', 'sort=tokenHash', 'finding=../../etc', 'cursor=not-a-uuid', 'online=maybe']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/devices?${q}`, headers: bearer(viewer) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().message.length, q).toBeGreaterThan(0);
    }
  });

  it('the device list never exposes the device token hash', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices?limit=500', headers: bearer(viewer) });
    expect(res.body).not.toMatch(/tokenHash/);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/devices/${deviceId}`, headers: bearer(viewer) });
    expect(detail.body).not.toMatch(/tokenHash/);
  });

  it('a NUL byte in ?search= is a 400 with a reason', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices?search=%00', headers: bearer(viewer) });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/search/);
  });
});

describe('command actions: only the closed list, every parameter checked', () => {
  const refused: [string, unknown][] = [
    ['shell text as a type', { type: 'sh -c "rm -rf /"', params: {} }],
    ['shell metacharacters in bundleId', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos; rm -rf /' } }],
    ['command substitution in bundleId', { type: 'tcc.reset', params: { service: 'Camera', bundleId: '$(id).zoom' } }],
    ['unknown TCC service', { type: 'tcc.reset', params: { service: 'kTCCServiceCamera', bundleId: 'us.zoom.xos' } }],
    ['service with a flag', { type: 'tcc.reset', params: { service: '--help', bundleId: 'us.zoom.xos' } }],
    ['relative appPath', { type: 'firewall.allow', params: { appPath: 'Applications/zoom.us.app' } }],
    ['.. in appPath', { type: 'firewall.allow', params: { appPath: '/Applications/../bin/sh' } }],
    ['trailing .. in appPath', { type: 'firewall.allow', params: { appPath: '/Applications/..' } }],
    ['newline in appPath', { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app\n--setglobalstate off' } }],
    ['NUL in appPath', { type: 'firewall.block', params: { appPath: '/Applications/zoom.us.app\u0000' } }],
    ['extra parameter', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos', user: 'root' } }],
    ['extra top-level property', { type: 'zoom.quit', params: {}, shell: 'killall Dock' }],
    ['params for a parameterless action', { type: 'zoom.quit', params: { signal: 'KILL' } }],
    ['missing params', { type: 'agent.collect' }],
    ['array instead of action', [{ type: 'zoom.quit', params: {} }]],
  ];
  for (const [what, action] of refused) {
    it(`refuses ${what} with 400 and stores nothing`, async () => {
      const before = await db.prisma.command.count({ where: { deviceId } });
      const res = await command(operator, action);
      expect(res.statusCode).toBe(400);
      // NUL anywhere in a body is refused at the schema edge, before the action check.
      expect(res.json().message).toMatch(/^invalid action: |^body\/action\/params\/appPath must not contain NUL/);
      expect(await db.prisma.command.count({ where: { deviceId } })).toBe(before);
    });
  }

  it('a valid action for an unknown device is 404, for a valid device 201 and audited with the actor', async () => {
    const missing = await post('/api/v1/devices/00000000-0000-4000-8000-000000000000/commands', operator, { action: { type: 'zoom.quit', params: {} } });
    expect(missing.statusCode).toBe(404);
    const res = await command(operator, { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } });
    expect(res.statusCode).toBe(201);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'command.create', target: `device:${deviceId}` }, orderBy: { id: 'desc' } });
    expect(audit.actor).toBe('adv-operator');
  });

  it('an appPath that starts with "/../" is refused like any other ".." (APP_PATH_PATTERN)', async () => {
    const res = await command(operator, { type: 'firewall.allow', params: { appPath: '/../Applications/zoom.us.app' } });
    expect(res.statusCode).toBe(400);
  });

  it('firewall actions take only application bundles under /Applications: /bin/sh, / and DEL are refused, U+2028 in a bundle name is a name', async () => {
    const sh = await command(operator, { type: 'firewall.allow', params: { appPath: '/bin/sh' } });
    const root = await command(operator, { type: 'firewall.allow', params: { appPath: '/' } });
    const del = await command(operator, { type: 'firewall.allow', params: { appPath: '/Applications/zoom\u007f.app' } });
    const lineSep = await command(operator, { type: 'firewall.allow', params: { appPath: '/Applications/zoom\u2028.app' } });
    expect([sh.statusCode, root.statusCode, del.statusCode, lineSep.statusCode]).toEqual([400, 400, 400, 201]);
  });
});

describe('enrollment', () => {
  it('a wrong, empty, too-short or revoked-looking secret is refused; nothing is created', async () => {
    const before = await db.prisma.device.count();
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: 'wrong-secret-123', host: host() } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'unauthorized', message: 'unknown or revoked enrollment secret' });
    const short = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: 'x', host: host() } });
    expect(short.statusCode).toBe(400);
    const hashAsSecret = (await db.prisma.enrollSecret.findFirstOrThrow()).secretHash;
    expect((await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: hashAsSecret, host: host() } })).statusCode).toBe(401);
    expect(await db.prisma.device.count()).toBe(before);
  });

  // Brute force (60 wrong secrets / admin tokens all answered 401, no lockout) was fixed: see auth-guessing.test.ts.

  it('no re-enrollment hijack: the fleet enroll secret plus a Mac\'s serial number get a NEW device, not that Mac', async () => {
    const victim = await enroll(app, { hostname: 'ceo-mbp', serialNumber: 'C02VICTIM001' });
    const attacker = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: TEST_ENROLL_SECRET, host: host({ hostname: 'ceo-mbp', serialNumber: 'C02VICTIM001' }) } });
    expect(attacker.statusCode).toBe(201);
    expect(attacker.json().deviceId).not.toBe(victim.deviceId);
    // The real Mac keeps its socket: its token still opens the gateway.
    expect((await upgradeStatus(wsUrl, { authorization: `Bearer ${victim.deviceToken}` })).status).toBe(101);
  });

  it('a NUL byte in the enrolling hostname is a 400 with a reason', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: TEST_ENROLL_SECRET, host: host({ hostname: 'mbp\u0000evil' }) } });
    expect(res.statusCode).toBe(400);
  });

  it('control characters in the hostname (ANSI escapes) are refused; markup is stored as text for the UI to escape', async () => {
    const ansi = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: TEST_ENROLL_SECRET, host: host({ hostname: '\u001b[31mred\u001b[0m' }) } });
    expect(ansi.statusCode).toBe(400);
    const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { enrollSecret: TEST_ENROLL_SECRET, host: host({ hostname: '<script>alert(1)</script>' }) } });
    expect(res.statusCode).toBe(201);
    const row = await db.prisma.device.findUniqueOrThrow({ where: { id: res.json().deviceId } });
    expect(row.hostname).toBe('<script>alert(1)</script>');
  });
});
