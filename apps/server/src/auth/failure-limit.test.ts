import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { DEFAULT_AUTH_FAILURE_LIMIT } from './failure-limit.js';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, TestAgent, bearer, buildTestApp, enroll, eventually, listen, upgradeStatus } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

const MAX = 5;
let db: TestDatabase;
let app: FleetMedicApp;
let wsUrl: string;

beforeAll(async () => {
  db = await openTestDatabase();
  // trustProxy: the real-socket tests below play several clients from 127.0.0.1 with X-Forwarded-For.
  app = await buildTestApp(db, { jobs: false, authFailureLimit: { maxFailures: MAX, maxDeviceFailures: MAX, windowSeconds: 600 }, trustProxy: ['127.0.0.1'] });
  wsUrl = await listen(app);
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const host = () => ({ hostname: 'ops-mbp', serialNumber: `C02${randomUUID().slice(0, 8).toUpperCase()}`, hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' });
const enrollFrom = (remoteAddress: string, enrollSecret: string) =>
  app.inject({ method: 'POST', url: '/api/v1/enroll', remoteAddress, payload: { enrollSecret, host: host() } });
const devicesFrom = (remoteAddress: string, token: string | null) =>
  app.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress, headers: token ? bearer(token) : {} });
const blockedAudits = (address: string) => db.prisma.auditLog.findMany({ where: { action: 'auth.blocked', target: `ip:${address}` } });

/** A WebSocket upgrade's refusal (status, Retry-After, body), or status 101 when it opened. */
const upgrade = (headers: Record<string, string>) => upgradeStatus(wsUrl, headers);

describe('failed enrollment secrets', () => {
  it(`${MAX} bad secrets from one address, then 429 with Retry-After for a bad secret from it; the right secret still enrolls from it`, async () => {
    const attacker = '198.51.100.20';
    for (let i = 0; i < MAX; i++) {
      const res = await enrollFrom(attacker, `guess-${i}-secret`);
      expect(res.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await enrollFrom(attacker, 'one-more-guess');
    expect(blocked.statusCode).toBe(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(blocked.json()).toEqual({
      error: 'too-many-requests',
      message: `too many failed enrollment secret attempts from this address (${MAX} in 600 s): try again in ${retryAfter} s`,
    });
    // The credential is checked first: the right secret enrolls from the blocked address.
    expect((await enrollFrom(attacker, TEST_ENROLL_SECRET)).statusCode).toBe(201);
    expect((await enrollFrom(attacker, 'and-another-guess')).statusCode).toBe(429);
    // The block is audited once, whatever the number of refused attempts after it.
    const audits = await blockedAudits(attacker);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'system', params: { credential: 'enroll-secret', failures: MAX, windowSeconds: 600 } });
  });

  it('successful enrollments are never counted: 300 in a row from one address after failures below the limit all pass', async () => {
    const office = '192.0.2.50';
    for (let i = 0; i < MAX - 1; i++) expect((await enrollFrom(office, `typo-${i}-secret`)).statusCode).toBe(401);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const status = (await enrollFrom(office, TEST_ENROLL_SECRET)).statusCode;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 201: 300 });
    // Successes neither count nor reset: one failure is left, then the address is blocked.
    expect((await enrollFrom(office, 'last-typo-secret')).statusCode).toBe(401);
    expect((await enrollFrom(office, 'one-typo-too-many')).statusCode).toBe(429);
  });

  it('100 parallel enrollments from one address all pass', async () => {
    const nat = '192.0.2.55';
    const results = await Promise.all(Array.from({ length: 100 }, () => enrollFrom(nat, TEST_ENROLL_SECRET)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(201));
    expect(new Set(results.map((r) => r.json().deviceId)).size).toBe(100);
  });

  it('a body refused by the schema (400) is not a failed secret', async () => {
    const sloppy = '192.0.2.60';
    for (let i = 0; i < MAX * 2; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', remoteAddress: sloppy, payload: { enrollSecret: 'x', host: host() } });
      expect(res.statusCode).toBe(400);
    }
    expect((await enrollFrom(sloppy, TEST_ENROLL_SECRET)).statusCode).toBe(201);
  });
});

describe('failed admin tokens', () => {
  it(`${MAX} unknown tokens, then 429 for unknown tokens from that address; the right token works from it`, async () => {
    const guesser = '198.51.100.30';
    for (let i = 0; i < MAX; i++) {
      const res = await devicesFrom(guesser, `guess-admin-token-${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toBe('unknown API token: this route needs a viewer, operator or admin API token');
    }
    const blocked = await devicesFrom(guesser, 'guess-admin-token-more');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().message).toMatch(/^too many failed API token attempts from this address \(5 in 600 s\): try again in \d+ s$/);
    // Every route behind requireRole shares the count (here /api/v1/me and the event stream's ?token=).
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: guesser, headers: bearer('guess-admin-token-me') })).statusCode).toBe(429);
    expect((await app.inject({ method: 'GET', url: '/api/v1/events?token=guess-admin-token-sse', remoteAddress: guesser })).statusCode).toBe(429);
    // The right token is checked first and passes from the blocked address.
    expect((await devicesFrom(guesser, TEST_ADMIN_TOKEN)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: guesser, headers: bearer(TEST_ADMIN_TOKEN) })).statusCode).toBe(200);
    expect(await blockedAudits(guesser)).toHaveLength(1);
  });

  it('a missing token is not a guess: never counted', async () => {
    const browser = '192.0.2.70';
    for (let i = 0; i < MAX * 2; i++) expect((await devicesFrom(browser, null)).statusCode).toBe(401);
    expect((await devicesFrom(browser, TEST_ADMIN_TOKEN)).statusCode).toBe(200);
  });

  it('each credential has its own count: an address blocked for admin tokens still enrolls', async () => {
    const mixed = '198.51.100.40';
    for (let i = 0; i < MAX; i++) await devicesFrom(mixed, `nope-${i}-token-guess`);
    expect((await devicesFrom(mixed, 'nope-last-token-guess')).statusCode).toBe(429);
    expect((await enrollFrom(mixed, 'a-wrong-secret')).statusCode).toBe(401);
  });

  it('counts are shared: two instances on one database see one count, and a restart keeps it', async () => {
    const other = await buildTestApp(db, { jobs: false, authFailureLimit: { maxFailures: MAX } });
    const guesser = '198.51.100.50';
    const otherFrom = (target: FleetMedicApp, token: string) =>
      target.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress: guesser, headers: bearer(token) });
    try {
      // Failures alternate between the instances: together they fill one window.
      for (let i = 0; i < MAX; i++) expect((await otherFrom(i % 2 === 0 ? app : other, `guess-${i}-admin-token`)).statusCode).toBe(401);
      expect((await otherFrom(other, 'guess-next-admin-token')).statusCode).toBe(429);
      expect((await otherFrom(app, 'guess-next-admin-token')).statusCode).toBe(429);
      expect((await otherFrom(other, TEST_ADMIN_TOKEN)).statusCode).toBe(200);
      expect(await blockedAudits(guesser)).toHaveLength(1);
    } finally {
      await other.close();
    }
    const restarted = await buildTestApp(db, { jobs: false, authFailureLimit: { maxFailures: MAX } });
    try {
      expect((await otherFrom(restarted, 'guess-after-restart')).statusCode).toBe(429);
      expect((await db.prisma.authFailure.findUnique({ where: { kind_address: { kind: 'admin-token', address: guesser } } }))?.failures).toBeGreaterThan(MAX);
    } finally {
      await restarted.close();
    }
  });
});

describe('after the window', () => {
  it('an unknown token gets 401 again once Retry-After has passed', async () => {
    const short = await buildTestApp(db, { jobs: false, authFailureLimit: { maxFailures: 2, windowSeconds: 2 } });
    try {
      const guesser = '198.51.100.60';
      const from = (token: string) => short.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress: guesser, headers: bearer(token) });
      // Guess until refused (on a slow machine the 2 s window may restart between guesses).
      let refused: Awaited<ReturnType<typeof from>> | null = null;
      for (let i = 0; i < 50 && !refused; i++) {
        const res = await from(`guess-${i}-admin-token`);
        if (res.statusCode === 429) refused = res;
        else expect(res.statusCode).toBe(401);
      }
      expect(refused?.statusCode).toBe(429);
      const wait = Number(refused!.headers['retry-after']);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, wait * 1000 + 100));
      expect((await from('guess-after-the-window')).statusCode).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('failed device tokens at the WebSocket upgrade (real socket)', () => {
  it(`${MAX} unknown tokens, then 429 with Retry-After before the upgrade; the right token connects from that address`, async () => {
    const { deviceToken } = await enroll(app);
    const scanner = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < MAX; i++) {
      const res = await upgrade({ ...scanner, authorization: `Bearer not-a-device-token-${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await upgrade({ ...scanner, authorization: 'Bearer not-a-device-token-more' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(blocked.body).message).toMatch(/^too many failed device token attempts from this address/);
    expect((await upgrade({ ...scanner, authorization: `Bearer ${deviceToken}` })).status).toBe(101);
    expect(await blockedAudits('203.0.113.9')).toHaveLength(1);
  });

  it('a missing device token is not counted', async () => {
    const { deviceToken } = await enroll(app);
    const agentNat = { 'x-forwarded-for': '203.0.113.20' };
    for (let i = 0; i < MAX * 2; i++) expect((await upgrade(agentNat)).status).toBe(401);
    expect((await upgrade({ ...agentNat, authorization: `Bearer ${deviceToken}` })).status).toBe(101);
  });
});

describe('a flood of garbage upgrades does not lock out the Macs behind that address (real sockets, default limits)', () => {
  it('1,000 unknown device tokens from 127.0.0.1, then a Mac with its valid token connects from 127.0.0.1 (marked online)', async () => {
    const defaults = await buildTestApp(db, { jobs: false });
    try {
      const url = await listen(defaults);
      const { deviceToken, deviceId } = await enroll(defaults);
      const statuses: number[] = [];
      for (let i = 0; i < 1_000; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => upgradeStatus(url, { authorization: `Bearer garbage-${i + j}` })));
        statuses.push(...batch.map((r) => r.status));
      }
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBe(DEFAULT_AUTH_FAILURE_LIMIT.maxDeviceFailures);
      // The address is blocked for garbage now...
      expect((await upgradeStatus(url, { authorization: 'Bearer garbage-one-more' })).status).toBe(429);
      // ...and the Mac behind it still connects and is heard.
      const agent = await TestAgent.connect(url, deviceToken);
      try {
        await eventually(async () => (await db.prisma.device.findUnique({ where: { id: deviceId } }))?.online);
      } finally {
        agent.close();
      }
    } finally {
      await defaults.close();
    }
  });
});
