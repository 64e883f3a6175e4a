import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveFeed, toLiveEvent, type LiveEvent, type LiveMode } from '../web/api/live.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];
const feeds: LiveFeed[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events`;
}

function feed(url: string, extra: Partial<ConstructorParameters<typeof LiveFeed>[0]> = {}) {
  const events: LiveEvent[] = [];
  const modes: LiveMode[] = [];
  const f = new LiveFeed({ url, headers: () => ({ Authorization: 'Bearer t0ken' }), pollMs: 50, retryMs: 50, reprobeMs: 60_000, ...extra });
  f.subscribe((e) => events.push(e));
  f.onMode((m) => modes.push(m));
  feeds.push(f);
  return { f, events, modes };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

afterEach(async () => {
  for (const f of feeds.splice(0)) f.stop();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('LiveFeed', () => {
  it('reads device.updated and command.updated from a text/event-stream, sending the bearer token', async () => {
    let auth: string | undefined;
    const url = await serve((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': connected\n\n');
      res.write('event: device.updated\ndata: {"deviceId":"d-1"}\n\n');
      // One event split over two writes, as TCP may deliver it.
      res.write('event: command.updated\ndata: {"commandId":"c-1","deviceId":"d-1",');
      setTimeout(() => res.write('"status":"acknowledged"}\n\nevent: unknown.thing\ndata: {}\n\n'), 20);
    });
    const { f, events, modes } = feed(url);
    f.start();
    await until(() => events.length >= 2);
    expect(auth).toBe('Bearer t0ken');
    expect(events).toEqual([
      { type: 'device.updated', deviceId: 'd-1' },
      { type: 'command.updated', commandId: 'c-1', deviceId: 'd-1', status: 'acknowledged' },
    ]);
    expect(modes).toEqual(['streaming']);
  });

  it('polls (resync ticks) when the server has no event endpoint (404)', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits += 1;
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not-found","message":"no route GET /api/v1/events"}');
    });
    const { f, events, modes } = feed(url);
    f.start();
    await until(() => events.length >= 3);
    expect(events.every((e) => e.type === 'resync')).toBe(true);
    expect(modes).toEqual(['polling']);
    expect(f.mode).toBe('polling');
    expect(hits).toBe(1);
  });

  it('polls while a broken stream is retried, then streams again and resyncs once', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      if (n === 1) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: device.updated\ndata: {"deviceId":"d-2"}\n\n');
    });
    const { f, events, modes } = feed(url);
    f.start();
    await until(() => events.some((e) => e.type === 'device.updated'));
    expect(modes).toEqual(['polling', 'streaming']);
    const firstDevice = events.findIndex((e) => e.type === 'device.updated');
    expect(events[firstDevice - 1]).toEqual({ type: 'resync' });
  });

  it('stops and reports a rejected token (401)', async () => {
    const url = await serve((_req, res) => void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized","message":"unknown admin token"}'));
    let rejected = 0;
    const { f, events } = feed(url, { onUnauthorized: (status) => { rejected = status; } });
    f.start();
    await until(() => rejected !== 0);
    expect(rejected).toBe(401);
    await new Promise((r) => setTimeout(r, 150));
    expect(events).toEqual([]);
  });

  it('ignores events whose data is not the agreed JSON', () => {
    expect(toLiveEvent({ event: 'device.updated', data: 'not json' })).toBeNull();
    expect(toLiveEvent({ event: 'device.updated', data: '{"device":"x"}' })).toBeNull();
    expect(toLiveEvent({ event: 'command.updated', data: '{"commandId":"c","deviceId":"d","status":"failed"}' }))
      .toEqual({ type: 'command.updated', commandId: 'c', deviceId: 'd', status: 'failed' });
  });
});
