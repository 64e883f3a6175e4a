// Adversarial probe: guessing credentials at full speed. Before the fix every wrong enrollment
// secret and admin token was answered 401 forever (60 in a row, no lockout); now a wrong one from an
// address gets 429 after DEFAULT_AUTH_FAILURE_LIMIT failures in the window, while the right one
// still passes (checked first). Runs with the default limits.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetMedicApp, DEFAULT_AUTH_FAILURE_LIMIT } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';

const { maxFailures, windowSeconds } = DEFAULT_AUTH_FAILURE_LIMIT;
let db: TestDatabase;
let app: FleetMedicApp;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db, { jobs: false });
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const host = () => ({ hostname: 'mallory-mbp', serialNumber: `C02${randomUUID().slice(0, 8).toUpperCase()}`, hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' });
const enrollFrom = (remoteAddress: string, enrollSecret: string) =>
  app.inject({ method: 'POST', url: '/api/v1/enroll', remoteAddress, payload: { enrollSecret, host: host() } });
const devicesFrom = (remoteAddress: string, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress, headers: bearer(token) });

/** How many answers had each status, e.g. { 401: 30, 429: 30 }. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

describe('credential guessing at full speed (regression: no lockout before)', () => {
  it(`60 wrong enrollment secrets in a row: ${maxFailures} get 401, the rest 429; the right secret from that address enrolls`, async () => {
    const mallory = '198.51.100.66';
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await enrollFrom(mallory, `guess-${i.toString().padStart(6, '0')}`)).statusCode);
    expect(tally(statuses)).toEqual({ 401: maxFailures, 429: 60 - maxFailures });
    expect(statuses.slice(0, maxFailures).every((s) => s === 401)).toBe(true);
    const wrong = await enrollFrom(mallory, 'guess-one-more');
    expect(wrong.statusCode).toBe(429);
    expect(Number(wrong.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(wrong.headers['retry-after'])).toBeLessThanOrEqual(windowSeconds);
    // The Macs behind that address are not locked out: the right secret enrolls from it.
    expect((await enrollFrom(mallory, TEST_ENROLL_SECRET)).statusCode).toBe(201);
  });

  it(`60 unknown admin tokens in a row: ${maxFailures} get 401, the rest 429; audited once; the right token passes`, async () => {
    const mallory = '198.51.100.68';
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await devicesFrom(mallory, `guess-${i}-admin-token`)).statusCode);
    expect(tally(statuses)).toEqual({ 401: maxFailures, 429: 60 - maxFailures });
    expect((await devicesFrom(mallory, TEST_ADMIN_TOKEN)).statusCode).toBe(200);
    const audit = await app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=auth.blocked', headers: bearer(TEST_ADMIN_TOKEN) });
    const targets = (audit.json().entries as Array<{ target: string }>).map((e) => e.target);
    expect(targets.filter((t) => t === `ip:${mallory}`)).toHaveLength(1);
  });

  it('an IPv6 attacker cannot reset the count by moving within its /64', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < maxFailures + 5; i++) statuses.push((await devicesFrom(`2001:db8:66:1::${(i + 1).toString(16)}`, `guess-${i}-admin-token`)).statusCode);
    expect(tally(statuses)).toEqual({ 401: maxFailures, 429: 5 });
  });

  it('a parallel burst from a fresh address cannot outrun the count: exactly the limit gets 401 (one atomic count per failure)', async () => {
    const mallory = '198.51.100.70';
    const burst = 3 * maxFailures;
    const statuses = (await Promise.all(Array.from({ length: burst }, (_, i) => devicesFrom(mallory, `burst-${i}-admin-token`)))).map((r) => r.statusCode);
    expect(tally(statuses)).toEqual({ 401: maxFailures, 429: burst - maxFailures });
    // Once the burst has landed the address is blocked for the rest of the window, burst or not.
    const after = await Promise.all(Array.from({ length: burst }, (_, i) => devicesFrom(mallory, `after-${i}-admin-token`)));
    expect(tally(after.map((r) => r.statusCode))).toEqual({ 429: burst });
  });
});
