import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { packPayloads } from './dispatcher.js';
import { CHANNELS, MAX_PAYLOAD_BYTES, PgNotificationSource, createNotifyBus, type BusLog, type NotifyBus } from './notify-bus.js';

let db: TestDatabase;
const errors: Array<{ obj: object; msg: string }> = [];
const log: BusLog = {
  info: () => {},
  warn: () => {},
  error: (obj, msg) => errors.push({ obj, msg }),
};
const buses: NotifyBus[] = [];

async function startBus(): Promise<NotifyBus> {
  const bus = createNotifyBus(db, log, { reconnect: { initialDelayMs: 50 } });
  await bus.start();
  buses.push(bus);
  return bus;
}

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  for (const bus of buses) await bus.close();
  await db?.cleanup();
});

describe('NotifyBus', () => {
  it('delivers a NOTIFY to every bus on the database, the publisher included, in order', async () => {
    const a = await startBus();
    const b = await startBus();
    const gotA: string[] = [];
    const gotB: string[] = [];
    a.on(CHANNELS.commands, (p) => gotA.push(p));
    b.on(CHANNELS.commands, (p) => gotB.push(p));
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await a.publish(CHANNELS.commands, id);
    await eventually(async () => gotA.length === 3 && gotB.length === 3);
    expect(gotA).toEqual(ids);
    expect(gotB).toEqual(ids);
    expect(a.state).toBe('listening');
  });

  it('delivers a NOTIFY sent inside a transaction only at commit, and never after a rollback', async () => {
    const bus = await startBus();
    const got: string[] = [];
    bus.on(CHANNELS.sockets, (p) => got.push(p));
    await db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_notify(${CHANNELS.sockets}, 'rolled-back')`;
      throw new Error('abort');
    }).catch(() => {});
    await db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_notify(${CHANNELS.sockets}, 'committed')`;
    });
    await bus.publish(CHANNELS.sockets, 'after');
    await eventually(async () => got.includes('after'));
    expect(got).toEqual(['committed', 'after']);
  });

  it('refuses a payload over the NOTIFY limit with a RangeError naming the sizes', async () => {
    const bus = await startBus();
    await expect(bus.publish(CHANNELS.commands, 'x'.repeat(MAX_PAYLOAD_BYTES + 1))).rejects.toThrow(
      `notify payload on fleetmedic_commands is ${MAX_PAYLOAD_BYTES + 1} bytes; Postgres allows at most ${MAX_PAYLOAD_BYTES}`,
    );
  });

  it('keeps delivering to other handlers when one throws, and logs the error', async () => {
    const bus = await startBus();
    const got: string[] = [];
    bus.on(CHANNELS.events, () => {
      throw new Error('handler bug');
    });
    bus.on(CHANNELS.events, (p) => got.push(p));
    await bus.publish(CHANNELS.events, '{"type":"device.updated","deviceId":"d"}');
    await eventually(async () => got.length === 1);
    expect(errors.some((e) => e.msg === 'handler for fleetmedic_events failed' && ((e.obj as { err: Error }).err.message === 'handler bug'))).toBe(true);
  });

  it('re-opens a lost LISTEN connection, tells its reconnect handlers, and receives again (Postgres)', async (ctx) => {
    ctx.skip(db.kind !== 'postgres', 'PGlite has no separate LISTEN connection to lose (set DATABASE_URL)');
    const bus = await startBus();
    const source = (bus as unknown as { source: PgNotificationSource }).source;
    let reconnects = 0;
    bus.onReconnect(() => reconnects++);
    const got: string[] = [];
    bus.on(CHANNELS.commands, (p) => got.push(p));
    const pid = source.backendPid;
    expect(pid).toBeTypeOf('number');
    await db.prisma.$queryRaw`SELECT pg_terminate_backend(${pid}::int) AS terminated`;
    await eventually(async () => reconnects === 1);
    expect(bus.state).toBe('listening');
    expect(bus.counts.reconnects).toBe(1);
    expect(source.backendPid).not.toBe(pid);
    await bus.publish(CHANNELS.commands, 'after-reconnect');
    await eventually(async () => got.includes('after-reconnect'));
  });

  it('fails to start with the connection error when Postgres cannot be reached', async () => {
    const source = new PgNotificationSource('postgresql://postgres@127.0.0.1:1/nothing', log);
    await expect(source.start(['fleetmedic_commands'], () => {}, () => {})).rejects.toThrow(/ECONNREFUSED/);
    await source.close();
  });
});

describe('packPayloads', () => {
  it('packs device ids comma-separated into payloads under the NOTIFY limit', () => {
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    const payloads = packPayloads(ids);
    expect(payloads.length).toBe(Math.ceil(1000 / Math.floor((MAX_PAYLOAD_BYTES + 1) / 37)));
    expect(payloads.every((p) => Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES)).toBe(true);
    expect(payloads.flatMap((p) => p.split(','))).toEqual(ids);
    expect(packPayloads([])).toEqual([]);
  });
});
