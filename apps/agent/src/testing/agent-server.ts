import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { testSigner } from './command-signer.js';

/** A message the fake server received. */
export type Msg = { type: string; id: string; [k: string]: unknown };

/**
 * A real HTTP + WebSocket server on 127.0.0.1:0 speaking the agent protocol: POST /api/v1/enroll
 * (secret "secret-12345" -> device-1/token-1 and the public half of its own command-signing key,
 * which `sign` signs envelopes with) and /api/v1/agent/ws (Bearer token-1), acking reports.
 * `state.enrollAnswers`: canned answers given to the next enrollment attempts first (e.g. 401, or
 * 429 with Retry-After); `state.enrollAttempts`: when each attempt came (ms since the epoch), and
 * `state.enrollKeys` the enrollment key each sent.
 */
export async function startServer(opts: { autoPong?: boolean } = {}) {
  const state = {
    enrollments: [] as unknown[],
    enrollAttempts: [] as number[],
    enrollKeys: [] as (string | undefined)[],
    enrollAnswers: [] as { status: number; headers?: Record<string, string>; body?: string }[],
    connections: 0,
    authHeaders: [] as (string | undefined)[],
    received: [] as Msg[],
    ackReports: true,
    socket: null as WebSocket | null,
  };
  const signer = testSigner();
  const wss = new WebSocketServer({ noServer: true, autoPong: opts.autoPong ?? true });
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/v1/enroll') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        state.enrollAttempts.push(Date.now());
        state.enrollKeys.push((JSON.parse(body) as { enrollmentKey?: string }).enrollmentKey);
        const canned = state.enrollAnswers.shift();
        if (canned) {
          res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers }).end(canned.body ?? '{"error":"canned"}');
          return;
        }
        const parsed = JSON.parse(body) as { enrollSecret: string };
        if (parsed.enrollSecret !== 'secret-12345') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad enroll secret"}');
          return;
        }
        state.enrollments.push(parsed);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deviceId: 'device-1', deviceToken: 'token-1', serverPublicKey: signer.publicKey }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, sock, head) => {
    state.authHeaders.push(req.headers.authorization);
    if (req.url !== '/api/v1/agent/ws' || req.headers.authorization !== 'Bearer token-1') {
      sock.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => {
      state.connections += 1;
      state.socket = ws;
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as Msg;
        state.received.push(m);
        if (m.type === 'report' && state.ackReports) ws.send(JSON.stringify({ type: 'ack', id: m.id }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, state, close, send: (m: unknown) => state.socket?.send(JSON.stringify(m)), sign: signer.sign, publicKey: signer.publicKey };
}

/** Polls `probe` every 25 ms until it is truthy; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

