import { randomUUID } from 'node:crypto';
import type { EnrollResponse, ServerMessage } from '@fleetmedic/protocol';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { buildApp, type FleetMedicApp } from '../app.js';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/index.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';
import { TEST_KEY_ENCRYPTION_KEY } from './test-kek.js';

/** Credentials every test app is bootstrapped with. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_ENROLL_SECRET = 'test-enroll-secret-0123';

/** A built, ready app on a test database. Close the app before the database. */
export async function buildTestApp(db: Database, config: Partial<AppConfig> = {}): Promise<FleetMedicApp> {
  const app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { adminToken: TEST_ADMIN_TOKEN, enrollSecrets: [TEST_ENROLL_SECRET], ...config } });
  await app.ready();
  return app;
}

/** What useTestApp gives a test file; every field is set once its beforeAll has run. */
export interface TestAppContext {
  db: TestDatabase;
  app: FleetMedicApp;
  /** ws:// base of the listening app */
  url: string;
  /** admin tokens named fleet-operator (operator) and fleet-viewer (viewer) */
  operator: string;
  viewer: string;
  /** agents the file opened; closed after the file */
  agents: TestAgent[];
}

/**
 * A listening app on a fresh test database for one test file (vitest beforeAll/afterAll), with
 * an operator and a viewer token; afterwards its agents are closed, then the app, then the
 * database is removed.
 */
export function useTestApp(config: Partial<AppConfig> = {}): TestAppContext {
  const ctx = { agents: [] as TestAgent[] } as TestAppContext;
  beforeAll(async () => {
    ctx.db = await openTestDatabase();
    ctx.app = await buildTestApp(ctx.db, config);
    ctx.url = await listen(ctx.app);
    ctx.operator = await createToken(ctx.app, 'fleet-operator', 'operator');
    ctx.viewer = await createToken(ctx.app, 'fleet-viewer', 'viewer');
  });
  afterAll(async () => {
    for (const a of ctx.agents) a.close();
    await ctx.app?.close();
    await ctx.db?.cleanup();
  });
  return ctx;
}

/** Bearer header for an admin token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates an admin token with `role` through the API; returns the token in clear. */
export async function createToken(app: FleetMedicApp, name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN), payload: { name, role } });
  if (res.statusCode !== 201) throw new Error(`token creation failed: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}

/** Enrolls a device (random serial unless given) through the API. */
export async function enroll(app: FleetMedicApp, host: { hostname?: string; serialNumber?: string | null; deviceToken?: string; enrollmentKey?: string } = {}): Promise<EnrollResponse> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/enroll',
    payload: {
      enrollSecret: TEST_ENROLL_SECRET,
      ...(host.deviceToken ? { deviceToken: host.deviceToken } : {}),
      ...(host.enrollmentKey ? { enrollmentKey: host.enrollmentKey } : {}),
      host: {
        hostname: host.hostname ?? 'alice-mbp',
        serialNumber: host.serialNumber === undefined ? `C02${randomUUID().slice(0, 8).toUpperCase()}` : host.serialNumber,
        hardwareModel: 'MacBookPro18,3',
        architecture: 'arm64',
        platform: 'darwin',
      },
    },
  });
  if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
  return res.json() as EnrollResponse;
}

/** Listens on an ephemeral loopback port; returns the agent WebSocket URL. */
export async function listen(app: FleetMedicApp): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return `${address.replace(/^http/, 'ws')}/api/v1/agent/ws`;
}

/** A refused upgrade's HTTP status, Retry-After header and body, or status 101 when the socket opened. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}), body }));
    });
    ws.on('error', (err) => reject(err));
  });
}

/** A real WebSocket agent for tests: collects server messages and waits for the ones asked for. */
export class TestAgent {
  readonly received: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens a socket with the device token and waits for it to be open. `autoPong: false` plays a hung agent. */
  static connect(url: string, deviceToken: string, opts: { autoPong?: boolean } = {}): Promise<TestAgent> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${deviceToken}` }, autoPong: opts.autoPong ?? true });
      const agent = new TestAgent(ws);
      ws.once('open', () => resolve(agent));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first received message (not yet taken) matching `match`; rejects after `timeoutMs`. */
  async next<T extends ServerMessage = ServerMessage>(match: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(index, 1)[0] as T;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Resolves when the server closes the socket, with its close code. */
  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls `probe` until it returns a truthy value (e.g. a row written in the background). */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
