import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TestAgent, buildTestApp, enroll, eventually, listen } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { OnlineWriter } from './touches.js';

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

describe('OnlineWriter: a disconnect changes the row only while it names that socket', () => {
  it('a connect marks the Mac online with its socket, its own disconnect offline', async () => {
    const id = await newDevice();
    const a = randomUUID();
    await writer.set(id, true, a);
    expect(await row(id)).toEqual({ online: true, connectionId: a });
    await writer.set(id, false, a);
    expect(await row(id)).toEqual({ online: false, connectionId: a });
  });

  it('the late disconnect of an older socket, written after the next socket connected, leaves the Mac online', async () => {
    const id = await newDevice();
    const [older, newer] = [randomUUID(), randomUUID()];
    await writer.set(id, true, older);
    await writer.set(id, true, newer);
    await writer.set(id, false, older); // was: online = false while `newer` was connected
    expect(await row(id)).toEqual({ online: true, connectionId: newer });
    await writer.set(id, false, newer);
    expect(await row(id)).toEqual({ online: false, connectionId: newer });
  });

  it('in one batch: a connect, then an older socket\'s disconnect, keeps the connect', async () => {
    const id = await newDevice();
    const [older, newer] = [randomUUID(), randomUUID()];
    // The first set is written alone; the two after it wait for that write and go together.
    const first = writer.set(id, true, older);
    const both = [writer.set(id, true, newer), writer.set(id, false, older)];
    await Promise.all([first, ...both]);
    expect(await row(id)).toEqual({ online: true, connectionId: newer });
  });

  it('in one batch: disconnects of two sockets, in either order, take the Mac offline when one of them holds it', async () => {
    for (const order of ['older first', 'newer first'] as const) {
      const id = await newDevice();
      const [older, newer] = [randomUUID(), randomUUID()];
      await writer.set(id, true, older);
      await writer.set(id, true, newer);
      const other = newDevice(); // a write in flight, so the two disconnects below share the next batch
      const flight = writer.set(await other, true, randomUUID());
      const closes = order === 'older first' ? [writer.set(id, false, older), writer.set(id, false, newer)] : [writer.set(id, false, newer), writer.set(id, false, older)];
      await Promise.all([flight, ...closes]);
      expect(await row(id), order).toEqual({ online: false, connectionId: newer });
    }
  });

  it('a connect and its own disconnect in one batch leave the Mac offline, naming that socket', async () => {
    const id = await newDevice();
    const [older, newer] = [randomUUID(), randomUUID()];
    const first = writer.set(id, true, older);
    const rest = [writer.set(id, true, newer), writer.set(id, false, newer), writer.set(id, false, older)];
    await Promise.all([first, ...rest]);
    expect(await row(id)).toEqual({ online: false, connectionId: newer });
  });
});

describe('the gateway names each socket', () => {
  let app: FleetMedicApp;
  let other: FleetMedicApp;
  beforeAll(async () => {
    app = await buildTestApp(db);
    other = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
    if (other && !other.server.listening) return; // closed by its test
    await other?.close();
  });

  it('an instance shutting down leaves offline only the Macs whose row still names its socket', async () => {
    const { deviceId, deviceToken } = await enroll(app);
    const [appUrl, otherUrl] = await Promise.all([listen(app), listen(other)]);
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
