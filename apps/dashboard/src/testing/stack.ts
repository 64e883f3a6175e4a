import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The real server, built in-process (a test-only reach across apps: the dashboard ships no server code).
import { buildApp, type Database, type FleetMedicApp } from '@fleetmedic/server';
import { openMigratedPGlite } from '@fleetmedic/server/testing/pglite-template';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { agentBundle } from '@fleetmedic/agent/testing/agent-bundle';
import { startFront, type Front } from './front.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DIST_DIR = path.join(REPO_ROOT, 'apps/dashboard/dist');
export const RECORDED_MACS = path.join(REPO_ROOT, 'recorded-macs');

/** A real FleetMedic server (PGlite in memory) with real agents replaying recorded Macs. */
export interface Stack {
  app: FleetMedicApp;
  /** the server's own address, e.g. http://127.0.0.1:41234 */
  apiUrl: string;
  /** where the browser opens the dashboard (the server itself when it serves dist, else a front) */
  url: string;
  tokens: { admin: string; operator: string; viewer: string };
  /** device id of each recorded Mac, by folder name */
  devices: Record<string, string>;
  /** agent processes, by recorded Mac */
  agents: Record<string, ChildProcess>;
  /** Stops one Mac's agent (SIGTERM) and resolves when it exited: the Mac goes offline. */
  stopAgent(mac: string): Promise<void>;
  /** Starts one Mac's agent again with its state folder: it reconnects with its device token. */
  startAgent(mac: string): void;
  /**
   * One Mac's replay state folder, `<state-dir>/replay` (docs/recorded-mac.md, "Remediation replay"): the agent reads
   * `<state>/cmd` and `<state>/fs` before the recording, so a change written there is a change on
   * the Mac. An agent sees a `<state>/fs` copy made while it runs only after a restart.
   */
  stateDir(mac: string): string;
  stop(): Promise<void>;
}

async function api<T>(base: string, token: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Resolves when `check` returns a value other than undefined; polls every 200 ms, gives up after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Starts one agent process (`fleetmedic-agent run --replay <mac>`) against the server. */
function startAgent(serverUrl: string, secret: string, mac: string, stateDir: string, log: (line: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [agentBundle(), 'run', '--server', serverUrl, '--enroll-secret', secret,
      '--replay', path.join(RECORDED_MACS, mac), '--state-dir', stateDir, '--jitter', '0'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  child.stdout?.on('data', (d: Buffer) => log(`[${mac}] ${d.toString().trimEnd()}`));
  child.stderr?.on('data', (d: Buffer) => log(`[${mac}] ${d.toString().trimEnd()}`));
  return child;
}

/** The stack before any agent started: the dashboard's address and the tokens (the fleet is empty). */
export type EmptyStack = Pick<Stack, 'apiUrl' | 'url' | 'tokens'>;

/**
 * Builds the server on an in-memory PGlite, listens on 127.0.0.1:0, creates operator and viewer
 * tokens through the admin API, runs `beforeAgents` on the empty fleet, starts one agent process
 * per recorded Mac and waits until every Mac has reported. When the server does not answer `/`
 * with the dashboard, a front serves dist and passes `/api/` through.
 */
export async function startStack(macs: string[], log: (line: string) => void = () => {}, beforeAgents?: (empty: EmptyStack) => Promise<void>): Promise<Stack> {
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) throw new Error(`no dashboard build in ${DIST_DIR}: run \`pnpm --filter @fleetmedic/dashboard build\``);
  const admin = `e2e-admin-${randomBytes(12).toString('hex')}`;
  const secret = `e2e-enroll-${randomBytes(8).toString('hex')}`;
  const db: Database = await openMigratedPGlite();
  const app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { adminToken: admin, enrollSecrets: [secret] } });
  const apiUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const stateRoot = await mkdtemp(path.join(os.tmpdir(), 'fleetmedic-e2e-'));
  const agents: Record<string, ChildProcess> = {};
  let front: Front | null = null;
  const stopAgent = async (mac: string) => {
    const child = agents[mac];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const stop = async () => {
    for (const child of Object.values(agents)) child.kill('SIGTERM');
    await Promise.all(Object.values(agents).map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    await front?.close();
    await app.close();
    await db.close();
    await rm(stateRoot, { recursive: true, force: true });
  };
  try {
    const operator = (await api<{ token: string }>(apiUrl, admin, 'POST', '/api/v1/admin/tokens', { name: 'e2e operator', role: 'operator' })).token;
    const viewer = (await api<{ token: string }>(apiUrl, admin, 'POST', '/api/v1/admin/tokens', { name: 'e2e viewer', role: 'viewer' })).token;
    const tokens = { admin, operator, viewer };
    const root = await fetch(`${apiUrl}/`).then((r) => (r.ok ? r.text() : ''), () => '');
    if (!root.includes('<div id="app">')) front = await startFront(DIST_DIR, apiUrl);
    const url = front?.url ?? apiUrl;
    await beforeAgents?.({ apiUrl, url, tokens });
    for (const mac of macs) agents[mac] = startAgent(apiUrl, secret, mac, path.join(stateRoot, mac), log);
    const reported = await waitFor('every recorded Mac to report', async () => {
      const page = await api<{ devices: { id: string; hostname: string; lastReportAt: string | null }[] }>(apiUrl, admin, 'GET', '/api/v1/devices?limit=500');
      const done = page.devices.filter((d) => d.lastReportAt);
      if (done.length >= macs.length) return done;
      // Thrown, not returned: waitFor puts the last error in its timeout message, naming who is late.
      const seen = new Set(done.map((d) => d.hostname));
      throw new Error(`${done.length} of ${macs.length} reported; not yet: ${macs.filter((m) => !seen.has((JSON.parse(readFileSync(path.join(RECORDED_MACS, m, 'host.json'), 'utf8')) as { hostname: string }).hostname)).join(', ')}`);
    }, 420_000); // 25 agent processes starting on 2 cores shared with other work
    const devices: Record<string, string> = {};
    for (const mac of macs) {
      const host = JSON.parse(readFileSync(path.join(RECORDED_MACS, mac, 'host.json'), 'utf8')) as { hostname: string };
      const found = reported.filter((d) => d.hostname === host.hostname);
      if (found.length !== 1) throw new Error(`${found.length} devices that reported have hostname ${host.hostname} (${mac}), not 1`);
      devices[mac] = found[0]!.id;
    }
    return {
      app, apiUrl, url, tokens, devices, agents, stop, stopAgent,
      startAgent: (mac: string) => {
        agents[mac] = startAgent(apiUrl, secret, mac, path.join(stateRoot, mac), log);
      },
      stateDir: (mac: string) => path.join(stateRoot, mac, 'replay'),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
