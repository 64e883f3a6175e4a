import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { sha256Hex } from '../auth/secrets.js';
import { TEST_ENROLL_SECRET, buildTestApp } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

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

const host = (serialNumber: string | null, hostname = 'carol-imac') =>
  ({ hostname, serialNumber, hardwareModel: 'iMac21,1', architecture: 'arm64', platform: 'darwin' });
const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/enroll', payload });

describe('POST /api/v1/enroll', () => {
  it('enrolls with a good secret: a new device and a 32-byte base64url token stored as sha256', async () => {
    const res = await post({ enrollSecret: TEST_ENROLL_SECRET, host: host('C02ENROLL001') });
    expect(res.statusCode).toBe(201);
    const { deviceId, deviceToken, serverPublicKey } = res.json();
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The fleet's command-signing key, the same for every device, as stored in ServerSigningKey.
    expect(serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(serverPublicKey).not.toBe(deviceToken);
    expect((await db.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } })).publicKey).toBe(serverPublicKey);
    const other = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host('C02ENROLL00X', 'dave-mbp') })).json();
    expect(other.serverPublicKey).toBe(serverPublicKey);
    expect(Buffer.from(deviceToken, 'base64url')).toHaveLength(32);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ hostname: 'carol-imac', serialNumber: 'C02ENROLL001', hardwareModel: 'iMac21,1', tokenHash: sha256Hex(deviceToken), health: 'unknown', online: false });
  });

  it('refuses a bad secret with 401 and creates nothing', async () => {
    const before = await db.prisma.device.count();
    const res = await post({ enrollSecret: 'wrong-secret-123', host: host('C02ENROLL002') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: 'unknown or revoked enrollment secret' });
    expect(await db.prisma.device.count()).toBe(before);
  });

  it('refuses a malformed body with 400 naming the field', async () => {
    const res = await post({ enrollSecret: 'short', host: host('C02ENROLL003') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad-request', message: expect.stringContaining('enrollSecret') });
  });

  it('re-enrolling with the current device token keeps the device (and its history) with a new token', async () => {
    const first = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host('C02ENROLL004') })).json();
    await db.prisma.report.create({ data: { id: 'kept-report-1', deviceId: first.deviceId, collectedAt: new Date() } });
    const second = (await post({ enrollSecret: TEST_ENROLL_SECRET, deviceToken: first.deviceToken, host: host('C02ENROLL004', 'carol-imac-reinstalled') })).json();
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.deviceToken).not.toBe(first.deviceToken);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: first.deviceId } });
    expect(device.tokenHash).toBe(sha256Hex(second.deviceToken));
    expect(device.hostname).toBe('carol-imac-reinstalled');
    expect(await db.prisma.report.count({ where: { deviceId: first.deviceId } })).toBe(1);
    expect(await db.prisma.device.count({ where: { serialNumber: 'C02ENROLL004' } })).toBe(1);
  });

  it('a known serial number without the device token enrolls a NEW device: a serial proves nothing', async () => {
    const victim = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host('C02ENROLL005') })).json();
    const other = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host('C02ENROLL005', 'someone-else') })).json();
    expect(other.deviceId).not.toBe(victim.deviceId);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: victim.deviceId } });
    expect(device.tokenHash).toBe(sha256Hex(victim.deviceToken)); // the real Mac keeps its token
    const wrongToken = (await post({ enrollSecret: TEST_ENROLL_SECRET, deviceToken: 'not-the-token', host: host('C02ENROLL005') })).json();
    expect(wrongToken.deviceId).not.toBe(victim.deviceId);
  });

  it('a device without a serial number enrolls as a new device each time', async () => {
    const a = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host(null, 'linux-vm') })).json();
    const b = (await post({ enrollSecret: TEST_ENROLL_SECRET, host: host(null, 'linux-vm') })).json();
    expect(a.deviceId).not.toBe(b.deviceId);
  });
});
