import { CLOSE_CODES } from '@fleetmedic/protocol';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConnection } from '../gateway/connection.js';
import { eventually } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { CHANNELS, createNotifyBus, type BusLog, type NotifyBus } from './notify-bus.js';
import { ClusterRegistry } from './registry.js';

let db: TestDatabase;
let server: WebSocketServer;
/** server side of each test socket, by the path its client opened (`/<n>`) */
const accepted = new Map<string, (ws: WebSocket) => void>();
let opened = 0;
const clients: WebSocket[] = [];
const buses: NotifyBus[] = [];
const log: BusLog = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  db = await openTestDatabase();
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws, req) => accepted.get(req.url ?? '')?.(ws));
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  for (const c of clients) c.terminate();
  await new Promise((r) => server.close(r));
  for (const bus of buses) await bus.close();
  await db?.cleanup();
});

/** A real socket pair: the server side wrapped as the gateway wraps it, and the client side's close code. */
async function socketFor(deviceId: string): Promise<{ conn: AgentConnection; closed: Promise<number> }> {
  const path = `/${++opened}`;
  const serverSide = new Promise<WebSocket>((resolve) => accepted.set(path, resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  clients.push(client);
  const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
  await new Promise((r) => client.once('open', r));
  return { conn: new AgentConnection(deviceId, await serverSide), closed };
}

async function registry(instanceId: string): Promise<ClusterRegistry> {
  const bus = createNotifyBus(db, log);
  await bus.start();
  buses.push(bus);
  return new ClusterRegistry(bus, instanceId, log);
}

describe('ClusterRegistry', () => {
  it('closes the older sockets of devices that connected to another instance, announcing them in batches', async () => {
    const a = await registry('instance-a');
    const b = await registry('instance-b');
    const devices = Array.from({ length: 300 }, () => randomUUID());
    const onA = await Promise.all(devices.map((id) => socketFor(id)));
    for (const { conn } of onA) a.attach(conn);
    const bus = buses[1]!;
    const seen: string[] = [];
    bus.on(CHANNELS.sockets, (p) => seen.push(p));
    const publishedBefore = bus.counts.published;
    const onB = await Promise.all(devices.map((id) => socketFor(id)));
    for (const { conn } of onB) b.attach(conn);
    const codes = await Promise.all(onA.map((s) => s.closed));
    expect(new Set(codes)).toEqual(new Set([CLOSE_CODES.replaced]));
    expect(devices.every((id) => a.get(id) === undefined && b.get(id) !== undefined)).toBe(true);
    // 300 connects in one batch: 300 × ~51 bytes fit in 2 payloads.
    expect(bus.counts.published - publishedBefore).toBe(2);
    await eventually(async () => seen.filter((p) => p.startsWith('instance-b ')).length === 2);
    // (the two payloads go out on two pooled connections: either may arrive first)
    const announced = seen.filter((p) => p.startsWith('instance-b ')).flatMap((p) => p.slice(11).split(',')).map((e) => e.split('@')[0]);
    expect(announced.sort()).toEqual([...devices].sort());
  });

  it('keeps a socket opened here after the announced one', async () => {
    const a = await registry('instance-c');
    const b = await registry('instance-d');
    const deviceId = randomUUID();
    const older = await socketFor(deviceId);
    b.attach(older.conn); // B's socket is the older one...
    await new Promise((r) => setTimeout(r, 5)); // (a later millisecond: a tie would go to the greater instance id)
    const newer = await socketFor(deviceId);
    a.attach(newer.conn); // ...A's the newer: A's announcement closes B's, B's (older) leaves A's alone.
    await b.announce();
    expect(await older.closed).toBe(CLOSE_CODES.replaced);
    expect(a.get(deviceId)).toBe(newer.conn);
    expect(newer.conn.open).toBe(true);
  });

  it('settles a same-millisecond tie: the instance with the greater id keeps its socket, the other closes its own', async () => {
    const low = await registry('instance-1');
    const high = await registry('instance-2');
    const deviceId = randomUUID();
    const onLow = await socketFor(deviceId);
    const onHigh = await socketFor(deviceId);
    const now = Date.now;
    Date.now = () => 1_800_000_000_000; // both attach "at the same moment"
    try {
      low.attach(onLow.conn);
      high.attach(onHigh.conn);
    } finally {
      Date.now = now;
    }
    await Promise.all([low.announce(), high.announce()]);
    expect(await onLow.closed).toBe(CLOSE_CODES.replaced);
    expect(high.get(deviceId)).toBe(onHigh.conn);
    expect(onHigh.conn.open).toBe(true);
  });
});
