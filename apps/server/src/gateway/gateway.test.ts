import { CLOSE_CODES, SECTION_NAMES } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { BAD_MESSAGE_LIMIT } from './connection.js';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, enroll, eventually, listen, upgradeStatus } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await listen(app);
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const report = (id: string, opts: Parameters<typeof buildSnapshot>[0] = {}) => ({ type: 'report', id, snapshot: buildSnapshot(opts) });

describe('upgrade authentication', () => {
  it('refuses a socket without a token with 401 and a reason, before the upgrade', async () => {
    const res = await upgradeStatus(url);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized', message: expect.stringContaining('missing device token') });
  });

  it('refuses an unknown token with 401', async () => {
    const res = await upgradeStatus(url, { authorization: 'Bearer not-a-real-device-token' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).message).toContain('unknown device token');
  });

  it('accepts an enrolled device token and marks the device online, offline after disconnect', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    await eventually(async () => (await db.prisma.device.findUnique({ where: { id: deviceId } }))?.online);
    agent.close();
    const device = await eventually(async () => {
      const d = await db.prisma.device.findUnique({ where: { id: deviceId } });
      return d && !d.online ? d : null;
    });
    expect(device.lastSeenAt).toBeInstanceOf(Date);
  });

  it('re-enrolling closes the socket that uses the old token, which is then refused', async () => {
    const serial = 'C02REENROLL1';
    const first = await enroll(app, { serialNumber: serial });
    const agent = await TestAgent.connect(url, first.deviceToken);
    const second = await enroll(app, { serialNumber: serial, deviceToken: first.deviceToken });
    expect(second.deviceId).toBe(first.deviceId);
    expect((await agent.waitClosed()).code).toBe(CLOSE_CODES.unauthorized);
    expect((await upgradeStatus(url, { authorization: `Bearer ${first.deviceToken}` })).status).toBe(401);
    expect((await upgradeStatus(url, { authorization: `Bearer ${second.deviceToken}` })).status).toBe(101);
  });
});

describe('reports', () => {
  it('acks a report after commit, with Report, SectionState, SectionChange and Device summary rows', async () => {
    const { deviceId, deviceToken } = await enroll(app, { hostname: 'bob-mba' });
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send(report('report-0001', { hostname: 'bob-mba', consoleUser: 'bob', zoomCamera: 'denied' }));
    expect(await agent.next((m) => m.type === 'ack')).toEqual({ type: 'ack', id: 'report-0001' });
    // The ack follows the commit: everything is readable right away.
    const reports = await db.prisma.report.findMany({ where: { deviceId } });
    expect(reports.map((r) => r.id)).toEqual(['report-0001']);
    const sections = await db.prisma.sectionState.findMany({ where: { deviceId }, orderBy: { section: 'asc' } });
    expect(sections.map((s) => s.section)).toEqual([...SECTION_NAMES].sort());
    expect(sections.every((s) => /^[0-9a-f]{64}$/.test(s.hash))).toBe(true);
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({
      hostname: 'bob-mba', consoleUser: 'bob', osVersion: '15.3.1', zoomVersion: '6.3.11 (51090)',
      health: 'cannot-join', openFindings: 1, unknownSections: [],
    });
    const findings = await db.prisma.finding.findMany({ where: { deviceId } });
    expect(findings.map((f) => [f.key, f.state])).toEqual([['tcc.camera.denied:us.zoom.xos', 'open']]);
    agent.close();
  });

  it('reads a report written as agents write it (type first) a slice at a time, and one in another key order on arrival: both stored, acked in the order sent', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    const stats = async () => (await app.inject({ method: 'GET', url: '/api/v1/agent/ingest-stats', headers: bearer(TEST_ADMIN_TOKEN) })).json() as { slicedJobs: number };
    const before = (await stats()).slicedJobs;
    // Collected one second apart, in the order sent: the second is newer, so it is stored, not taken for a late one.
    const { type, ...rest } = report('report-order-2', { hostname: 'order-mac', zoomCamera: 'denied', collectedAt: '2026-12-07T01:00:01.000Z' });
    agent.send(report('report-order-1', { hostname: 'order-mac', collectedAt: '2026-12-07T01:00:00.000Z' }));
    agent.send(JSON.stringify({ ...rest, type })); // `type` last: no agent writes this, the server still takes it
    const acks = [await agent.next((m) => m.type === 'ack'), await agent.next((m) => m.type === 'ack')];
    expect(acks.map((a) => (a as { id: string }).id)).toEqual(['report-order-1', 'report-order-2']);
    expect((await db.prisma.report.findMany({ where: { deviceId }, orderBy: { id: 'asc' } })).map((r) => r.id)).toEqual(['report-order-1', 'report-order-2']);
    expect(await db.prisma.finding.count({ where: { deviceId, state: 'open' } })).toBe(1); // the second one's denied camera
    expect((await stats()).slicedJobs - before).toBe(1);
    agent.close();
  });

  it('acks a duplicate report id again without writing a second Report row', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    const message = report('report-dup-1');
    agent.send(message);
    await agent.next((m) => m.type === 'ack' && m.id === 'report-dup-1');
    agent.send(message);
    await agent.next((m) => m.type === 'ack' && m.id === 'report-dup-1');
    expect(await db.prisma.report.count({ where: { deviceId } })).toBe(1);
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);
    agent.close();
  });

  it('writes a SectionChange only for the sections whose content changed', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send(report('report-sc-1', { batteryPercent: 80, collectedAt: '2026-01-01T10:00:00.000Z' }));
    await agent.next((m) => m.type === 'ack' && m.id === 'report-sc-1');
    agent.send(report('report-sc-2', { batteryPercent: 80, collectedAt: '2026-01-01T10:05:00.000Z' }));
    await agent.next((m) => m.type === 'ack' && m.id === 'report-sc-2');
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);
    agent.send(report('report-sc-3', { batteryPercent: 64, collectedAt: '2026-01-01T10:10:00.000Z' }));
    await agent.next((m) => m.type === 'ack' && m.id === 'report-sc-3');
    const changes = await db.prisma.sectionChange.findMany({ where: { deviceId, reportId: 'report-sc-3' } });
    expect(changes.map((c) => c.section)).toEqual(['power']);
    expect((changes[0]!.body as { data: { batteryPercent: number } }).data.batteryPercent).toBe(64);
    // report-sc-2 changed nothing: counted on the device, no row of its own.
    expect((await db.prisma.report.findMany({ where: { deviceId }, orderBy: { id: 'asc' } })).map((r) => r.id)).toEqual(['report-sc-1', 'report-sc-3']);
    expect(await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).toMatchObject({ reportCount: 3, lastReportId: 'report-sc-3' });
    agent.close();
  });

  it('answers an invalid snapshot with invalid-report and the validation messages, and no ack', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    const bad = report('report-bad-1');
    (bad.snapshot.sections.os as { status: string }).status = 'fine';
    agent.send(bad);
    const error = await agent.next((m) => m.type === 'error');
    expect(error).toMatchObject({ type: 'error', code: 'invalid-report', id: 'report-bad-1' });
    expect((error as { message: string }).message).toContain('/snapshot/sections/os/status');
    expect(agent.received.filter((m) => m.type === 'ack')).toEqual([]);
    expect(await db.prisma.report.count({ where: { deviceId } })).toBe(0);
    agent.close();
  });

  it('answers bad JSON and unknown messages with an error and keeps the socket usable', async () => {
    const { deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send('{not json');
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringContaining('not JSON') });
    agent.send({ type: 'hello', id: 'abcdefgh' });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringContaining('unknown message type "hello"') });
    agent.send({ type: 'command.ack', id: 'x' });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringContaining('/id') });
    agent.send(report('report-after-errors'));
    expect(await agent.next((m) => m.type === 'ack')).toEqual({ type: 'ack', id: 'report-after-errors' });
    agent.close();
  });

  it(`closes with ${CLOSE_CODES.badMessage} after ${BAD_MESSAGE_LIMIT} bad messages in a minute`, async () => {
    const { deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    for (let i = 0; i < BAD_MESSAGE_LIMIT; i++) agent.send(`garbage ${i}`);
    const closed = await agent.waitClosed();
    expect(closed.code).toBe(CLOSE_CODES.badMessage);
    expect(agent.received.filter((m) => m.type === 'error')).toHaveLength(BAD_MESSAGE_LIMIT);
  });
});

describe('delta reports', () => {
  const deltaOf = (id: string, snapshot: ReturnType<typeof buildSnapshot>, changed: string[] = []) => {
    const { sections, ...rest } = snapshot;
    return { type: 'report', id, delta: { ...rest, hashes: sectionHashes(sections), sections: Object.fromEntries(changed.map((n) => [n, sections[n as keyof typeof sections]])) } };
  };

  it('acks a delta merged with the stored state, asks for a whole report when that state is gone, and refuses a wrong hash', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send(report('delta-gw-0001', { collectedAt: '2026-06-01T10:00:00.000Z', batteryPercent: 80 }));
    await agent.next((m) => m.type === 'ack' && m.id === 'delta-gw-0001');

    const unchanged = deltaOf('delta-gw-0002', buildSnapshot({ collectedAt: '2026-06-01T10:15:00.000Z', batteryPercent: 80 }));
    expect(JSON.stringify(unchanged).length).toBeLessThan(JSON.stringify(report('x', {})).length / 3);
    agent.send(unchanged);
    expect(await agent.next((m) => (m as { id?: string }).id === 'delta-gw-0002')).toEqual({ type: 'ack', id: 'delta-gw-0002' });
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);

    agent.send(deltaOf('delta-gw-0003', buildSnapshot({ collectedAt: '2026-06-01T10:30:00.000Z', batteryPercent: 40 }), ['power']));
    expect(await agent.next((m) => (m as { id?: string }).id === 'delta-gw-0003')).toEqual({ type: 'ack', id: 'delta-gw-0003' });
    const power = await db.prisma.sectionState.findUniqueOrThrow({ where: { deviceId_section: { deviceId, section: 'power' } } });
    expect((power.body as { data: { batteryPercent: number } }).data.batteryPercent).toBe(40);

    // The database lost the device's state (restored from an older backup).
    await db.prisma.sectionState.deleteMany({ where: { deviceId } });
    const later = buildSnapshot({ collectedAt: '2026-06-01T10:45:00.000Z', batteryPercent: 40 });
    agent.send(deltaOf('delta-gw-0004', later));
    const resync = await agent.next((m) => (m as { id?: string }).id === 'delta-gw-0004');
    expect(resync).toMatchObject({ type: 'error', code: 'resync', id: 'delta-gw-0004' });
    agent.send({ type: 'report', id: 'delta-gw-0004', snapshot: later });
    expect(await agent.next((m) => (m as { id?: string }).id === 'delta-gw-0004')).toEqual({ type: 'ack', id: 'delta-gw-0004' });
    expect(await db.prisma.sectionState.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);

    const lying = deltaOf('delta-gw-0005', buildSnapshot({ collectedAt: '2026-06-01T11:00:00.000Z', batteryPercent: 7 }), ['power']);
    lying.delta.hashes.power = lying.delta.hashes.os;
    agent.send(lying);
    expect(await agent.next((m) => (m as { id?: string }).id === 'delta-gw-0005')).toMatchObject({ type: 'error', code: 'invalid-report', message: expect.stringContaining('power') });
    agent.close();
  });
});

describe('one socket per device', () => {
  it(`closes the older socket with ${CLOSE_CODES.replaced} and keeps the device online`, async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const first = await TestAgent.connect(url, deviceToken);
    const second = await TestAgent.connect(url, deviceToken);
    expect((await first.waitClosed()).code).toBe(CLOSE_CODES.replaced);
    second.send(report('report-second-socket'));
    expect(await second.next((m) => m.type === 'ack')).toEqual({ type: 'ack', id: 'report-second-socket' });
    expect(app.services.registry.get(deviceId)).toBeDefined();
    expect((await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online).toBe(true);
    second.close();
  });
});

describe('heartbeat', () => {
  it('terminates a socket that does not answer pings', async () => {
    const hbDb = await openTestDatabase();
    const hbApp = await buildTestApp(hbDb, { heartbeatSeconds: 0.2 });
    try {
      const hbUrl = await listen(hbApp);
      const { deviceId, deviceToken } = await enroll(hbApp);
      const agent = await TestAgent.connect(hbUrl, deviceToken, { autoPong: false });
      const closed = await agent.waitClosed(5000);
      expect(closed.code).toBe(1006);
      await eventually(async () => !(await hbDb.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online);
    } finally {
      await hbApp.close();
      await hbDb.cleanup();
    }
  });
});

describe('heartbeat of a paused socket', () => {
  it('does not judge a socket by a pong it could not read while the read budget paused it', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(url, deviceToken, { autoPong: false });
    const conn = await eventually(async () => app.services.registry.get(deviceId));
    expect(conn.heartbeat()).toBe(false); // pinged; the agent never answers
    conn.pause();
    expect(conn.heartbeat()).toBe(false); // unanswered, but nothing was read: pinged again
    expect(conn.heartbeat()).toBe(false);
    conn.resume();
    expect(conn.heartbeat()).toBe(false); // read again from here: this ping is the one to answer
    expect(conn.heartbeat()).toBe(true);
    expect((await agent.waitClosed()).code).toBe(1006);
  });
});

describe('shutdown', () => {
  it(`closes agent sockets with ${CLOSE_CODES.serverShutdown} and marks their devices offline before the database closes`, async () => {
    const other = await buildTestApp(db);
    const otherUrl = await listen(other);
    const { deviceId, deviceToken } = await enroll(other);
    const agent = await TestAgent.connect(otherUrl, deviceToken);
    await eventually(async () => (await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online);
    await other.close();
    expect((await agent.waitClosed()).code).toBe(CLOSE_CODES.serverShutdown);
    expect((await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online).toBe(false);
  });
});
