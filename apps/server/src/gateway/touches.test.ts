import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TestAgent, buildTestApp, enroll, eventually, listen } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { markSilentDevicesOffline } from '../jobs/offline-detection.js';
import { DeviceTouches, OnlineWriter, type SocketRef } from './touches.js';

let db: TestDatabase;
let writer: OnlineWriter;

beforeAll(async () => {
  db = await openTestDatabase();
  writer = new OnlineWriter(db.prisma);
});
afterAll(async () => {
  await db?.cleanup();
});

const newDevice = async () => (await db.prisma.device.create({
  data: { hostname: 'mba', architecture: 'arm64', platform: 'darwin', tokenHash: randomUUID() },
})).id;
const row = async (id: string) => db.prisma.device.findUniqueOrThrow({ where: { id }, select: { online: true, connectionId: true } });
/** Sockets in the order they connected, a second apart. */
let clock = Date.parse('2026-12-07T04:00:00Z');
const socket = (): SocketRef => ({ id: randomUUID(), connectedAt: (clock += 1_000) });

describe('OnlineWriter: a disconnect changes the row only while it names that socket', () => {
  it('a connect marks the Mac online with its socket, its own disconnect offline', async () => {
    const id = await newDevice();
    const a = socket();
    await writer.set(id, true, a);
    expect(await row(id)).toEqual({ online: true, connectionId: a.id });
    await writer.set(id, false, a);
    expect(await row(id)).toEqual({ online: false, connectionId: null });
  });

  it('the late disconnect of an older socket, written after the next socket connected, leaves the Mac online', async () => {
    const id = await newDevice();
    const [older, newer] = [socket(), socket()];
    await writer.set(id, true, older);
    await writer.set(id, true, newer);
    await writer.set(id, false, older); // was: online = false while `newer` was connected
    expect(await row(id)).toEqual({ online: true, connectionId: newer.id });
    await writer.set(id, false, newer);
    expect(await row(id)).toEqual({ online: false, connectionId: null });
  });

  it('in one batch: a connect, then an older socket\'s disconnect, keeps the connect', async () => {
    const id = await newDevice();
    const [older, newer] = [socket(), socket()];
    // The first set is written alone; the two after it wait for that write and go together.
    const first = writer.set(id, true, older);
    const both = [writer.set(id, true, newer), writer.set(id, false, older)];
    await Promise.all([first, ...both]);
    expect(await row(id)).toEqual({ online: true, connectionId: newer.id });
  });

  it('in one batch: disconnects of two sockets, in either order, take the Mac offline when one of them holds it', async () => {
    for (const order of ['older first', 'newer first'] as const) {
      const id = await newDevice();
      const [older, newer] = [socket(), socket()];
      await writer.set(id, true, older);
      await writer.set(id, true, newer);
      const other = newDevice(); // a write in flight, so the two disconnects below share the next batch
      const flight = writer.set(await other, true, socket());
      const closes = order === 'older first' ? [writer.set(id, false, older), writer.set(id, false, newer)] : [writer.set(id, false, newer), writer.set(id, false, older)];
      await Promise.all([flight, ...closes]);
      expect(await row(id), order).toEqual({ online: false, connectionId: null });
    }
  });

  it('a connect and its own disconnect in one batch leave the Mac offline', async () => {
    const id = await newDevice();
    const [older, newer] = [socket(), socket()];
    const first = writer.set(id, true, older);
    const rest = [writer.set(id, true, newer), writer.set(id, false, newer), writer.set(id, false, older)];
    await Promise.all([first, ...rest]);
    expect(await row(id)).toEqual({ online: false, connectionId: null });
  });
});

describe('a touch flushed after the disconnect (loop run of 12-07, PGlite run 4)', () => {
  it('leaves the Mac offline: the disconnect forgot the socket the touch names', async () => {
    const touches = new DeviceTouches(db.prisma, 3_600_000, (err) => { throw err; });
    const id = await newDevice();
    const s = socket();
    await writer.set(id, true, s);
    touches.touch(id, s.id); // a pong just before the socket closed...
    await writer.set(id, false, s);
    await touches.close(); // ...flushed after its disconnect: was online = true again, with no socket
    expect(await row(id)).toEqual({ online: false, connectionId: null });
  });
});

describe('OnlineWriter on two instances: the later connect wins, whichever commits last', () => {
  it('a slow instance\'s connect of the socket the Mac left, committed after the next socket\'s, changes nothing', async () => {
    const [x, y] = [new OnlineWriter(db.prisma), new OnlineWriter(db.prisma)];
    const id = await newDevice();
    const [left, current] = [socket(), socket()];
    await y.set(id, true, current);
    await x.set(id, true, left); // was: the row named `left`, whose disconnect then took the connected Mac offline
    expect(await row(id)).toEqual({ online: true, connectionId: current.id });
    await x.set(id, false, left);
    expect(await row(id)).toEqual({ online: true, connectionId: current.id });
    await y.set(id, false, current); // was: nothing matched, and the Mac that left stayed online
    expect(await row(id)).toEqual({ online: false, connectionId: null });
  });

  it('a connect and its own disconnect in one batch leave a later socket of another instance alone', async () => {
    const [x, y] = [new OnlineWriter(db.prisma), new OnlineWriter(db.prisma)];
    const id = await newDevice();
    const [left, current] = [socket(), socket()];
    await y.set(id, true, current);
    const flight = x.set(await newDevice(), true, socket()); // the two below share x's next batch
    await Promise.all([flight, x.set(id, true, left), x.set(id, false, left)]);
    expect(await row(id)).toEqual({ online: true, connectionId: current.id });
  });
});

describe('the gateway names each socket', () => {
  let app: FleetMedicApp;
  let other: FleetMedicApp;
  let appUrl: string;
  let otherUrl: string;
  beforeAll(async () => {
    app = await buildTestApp(db);
    other = await buildTestApp(db);
    [appUrl, otherUrl] = await Promise.all([listen(app), listen(other)]);
  });
  afterAll(async () => {
    await app?.close();
    if (other && !other.server.listening) return; // closed by its test
    await other?.close();
  });

  it('a connected Mac marked offline as silent (a database outage longer than the limit) is online again at its next sign of life', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const agent = await TestAgent.connect(appUrl, deviceToken);
    await (await eventually(async () => app.services.registry.get(deviceId))).ready;
    // What offline detection does once the database is back: the touches of the outage were lost.
    await db.prisma.device.update({ where: { id: deviceId }, data: { lastSeenAt: new Date(Date.now() - 3_600_000) } });
    expect((await markSilentDevicesOffline(db.prisma, 60, new Date())).offline).toBeGreaterThanOrEqual(1);
    expect((await row(deviceId)).online).toBe(false);
    agent.send({ type: 'report', id: 'report-after-outage', snapshot: buildSnapshot() });
    await agent.next((m) => m.type === 'ack');
    // was: offline until the Mac reconnected; the next touch flush (every 5 s) marks it online.
    await eventually(async () => (await row(deviceId)).online, 30_000);
    agent.close();
  });

  it('an instance shutting down leaves offline only the Macs whose row still names its socket', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const first = await TestAgent.connect(otherUrl, deviceToken);
    const held = await eventually(async () => other.services.registry.get(deviceId));
    await held.ready;
    expect(await row(deviceId)).toEqual({ online: true, connectionId: held.id });
    // The Mac moves to the other instance (its first socket half-open, say) before this one stops.
    const second = await TestAgent.connect(appUrl, deviceToken);
    const moved = await eventually(async () => app.services.registry.get(deviceId));
    await moved.ready;
    await other.close(); // was: online = false for every device of its sockets, by id
    expect(await row(deviceId)).toEqual({ online: true, connectionId: moved.id });
    second.close();
    await eventually(async () => ((await row(deviceId)).online ? undefined : true));
    first.close();
  });
});
