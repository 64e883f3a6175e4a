// The transport limit: a bare `ws` server (no JSON, no database) answering every message with a
// small ack, and clients sending real delta-report text as fast as the acks come back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Result of one bare-ws measurement. */
export interface WsBaseline {
  connections: number;
  seconds: number;
  messages: number;
  /** messages acked per second */
  rate: number;
  messageBytes: number;
}

/** A bare ws server on 127.0.0.1:<free port> acking each message with a 60-byte text (run it in its own process). */
export async function startBareServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, maxPayload: 8 * 1024 * 1024 });
  const ack = JSON.stringify({ type: 'ack', id: '0000000000-00000000-0000-0000-0000-000000000000' });
  wss.on('connection', (ws) => ws.on('message', () => ws.send(ack)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      server.close(() => r());
    }),
  };
}

/**
 * In the measuring process: `connections` sockets, each keeping `window` messages in flight,
 * for `seconds`; counts acks.
 */
export async function measureBareWs(port: number, text: string, connections = 200, window = 8, seconds = 8): Promise<WsBaseline> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  let acked = 0;
  let running = true;
  const started = performance.now();
  for (const ws of sockets) {
    ws.on('message', () => {
      acked += 1;
      if (running) ws.send(text);
    });
    for (let i = 0; i < window; i++) ws.send(text);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  const messages = acked;
  for (const ws of sockets) ws.terminate();
  return { connections, seconds: elapsed, messages, rate: messages / elapsed, messageBytes: Buffer.byteLength(text) };
}
