import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DUPLICATE_SIGNAL_MS } from './shutdown.js';
import { createFreshDatabase } from './testing/test-database.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');
const ENROLL_SECRET = 'signal-test-enroll-secret';
const ADMIN_TOKEN = 'signal-test-admin-token-0123';

/** The server CLI as a child process on `env`, once it listens; `out` collects its stdout and stderr. */
async function spawnServer(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    env: { ...process.env, LOG_LEVEL: 'info', FLEETMEDIC_ENROLL_SECRET: ENROLL_SECRET, FLEETMEDIC_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { child, out: '', url: '' };
  child.stderr.on('data', (c: Buffer) => { proc.out += c.toString(); });
  proc.url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      proc.out += c.toString();
      const m = /FleetMedic server on (http:\/\/[^"\s]+)/.exec(proc.out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code} before listening:\n${proc.out}`)));
  });
  return proc;
}

/** Enrolls one Mac and connects its agent socket; resolves once the server lists it online. */
async function connectMac(url: string, serialNumber: string) {
  const enrolled = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      enrollSecret: ENROLL_SECRET,
      host: { hostname: 'sig-mac', serialNumber, hardwareModel: 'MacBookPro18,3', architecture: 'arm64', platform: 'darwin' },
    }),
  });
  expect(enrolled.status).toBe(201);
  const { deviceId, deviceToken } = await enrolled.json() as { deviceId: string; deviceToken: string };
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/agent/ws`, { headers: { authorization: `Bearer ${deviceToken}` } });
  ws.on('error', () => {});
  await once(ws, 'open');
  const online = async () => ((await (await fetch(`${url}/api/v1/devices/${deviceId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { device: { online: boolean } }).device.online;
  for (let i = 0; i < 100 && !(await online()); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await online()).toBe(true);
  return { deviceId, ws };
}

/** Resolves when `proc` has printed `text`. */
const printed = (proc: { child: ChildProcess; out: string }, text: string) => new Promise<void>((resolve) => {
  const check = () => {
    if (!proc.out.includes(text)) return;
    proc.child.stdout!.off('data', check);
    resolve();
  };
  proc.child.stdout!.on('data', check);
  check();
});

describe('server process signals', () => {
  // Found: another session holding `SELECT ... FOR UPDATE` on a Device row made the shutdown's
  // `UPDATE "Device" SET online` wait forever; SIGINT, SIGINT, SIGTERM did nothing, only SIGKILL.
  describe('on Postgres, with a Device row locked by another session so that shutdown hangs', () => {
    const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
    const drops: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const drop of drops) await drop();
    });

    type HungServer = { server: Awaited<ReturnType<typeof spawnServer>>; lock: pg.Client; deviceId: string; exited: Promise<[number | null, NodeJS.Signals | null]> };

    /**
     * Runs `test` on a server over a fresh database with one connected Mac whose Device row `lock`
     * holds FOR UPDATE (so shutdown hangs until the lock goes); afterwards kills the server if it
     * is still running and releases the lock.
     */
    async function withHungServer(env: NodeJS.ProcessEnv, serial: string, test: (hung: HungServer) => Promise<void>): Promise<void> {
      const fresh = await createFreshDatabase(serverUrl);
      drops.push(fresh.drop);
      const server = await spawnServer({ DATABASE_URL: fresh.url, ...env });
      const { deviceId } = await connectMac(server.url, serial);
      const lock = new pg.Client({ connectionString: fresh.url });
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('SELECT id FROM "Device" WHERE id = $1 FOR UPDATE', [deviceId]);
      const exited = once(server.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        await test({ server, lock, deviceId, exited });
      } finally {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
        await lock.query('ROLLBACK').catch(() => {});
        await lock.end();
      }
    }

    // Newcomer report: after Ctrl-C of the demo, 13 of 14 Macs stayed "online". Ctrl-C reaches the
    // server twice (from the terminal and passed on by tsx/pnpm); with `process.once` the second
    // SIGINT killed it mid-shutdown, before it marked its connected Macs offline. The row lock
    // holds the shutdown open, so the second SIGINT surely lands during it.
    it('a second SIGINT during shutdown does not kill it: once unblocked it exits 0 and its Mac is offline', () => withHungServer(
      { FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '600' }, 'C02SIGNAL01', async ({ server, lock, deviceId, exited }) => {
        server.child.kill('SIGINT');
        await printed(server, '"shutting down"');
        server.child.kill('SIGINT');
        await printed(server, 'already shutting down');
        expect(server.child.exitCode).toBeNull();
        await lock.query('ROLLBACK');
        const [code, signal] = await exited;
        expect({ code, signal }).toEqual({ code: 0, signal: null });
        const { rows } = await lock.query('SELECT online FROM "Device" WHERE id = $1', [deviceId]);
        expect(rows).toEqual([{ online: false }]);
      }), 60_000);

    it('exits 1 at the shutdown deadline, naming what it was waiting for', () => withHungServer(
      { FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '2' }, 'C02SIGNAL02', async ({ server, exited }) => {
        server.child.kill('SIGINT');
        const [code, signal] = await exited;
        expect({ code, signal }).toEqual({ code: 1, signal: null });
        expect(server.out).toContain('shutdown did not finish within 2 s');
        expect(server.out).toContain('marking their Macs offline');
      }), 60_000);

    it('a signal more than 5 s after the first exits 1 at once', () => withHungServer(
      { FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '600' }, 'C02SIGNAL03', async ({ server, exited }) => {
        server.child.kill('SIGINT');
        await printed(server, '"shutting down"');
        await new Promise((r) => setTimeout(r, DUPLICATE_SIGNAL_MS + 500));
        server.child.kill('SIGTERM');
        const [code, signal] = await exited;
        expect({ code, signal }).toEqual({ code: 1, signal: null });
        expect(server.out).toContain('second signal: exiting without finishing shutdown');
      }), 60_000);
  });
});
