import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '../../tests/support/agents.js';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';

/** A database made for one benchmark run on a Postgres server; `drop()` removes it. */
export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Runs one statement on `serverUrl` with a short-lived client. */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(serverUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE fleetmedic_bench_<time>_<random> on the server of `serverUrl`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `fleetmedic_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: async () => void (await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The FleetMedic server in its own process (so its RSS and CPU are its own). */
export interface ServerProcess {
  pid: number;
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** the last lines it wrote to stderr/stdout */
  output(): string;
  /** SIGTERM (graceful: closes sockets, marks devices offline), SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

export interface ServerProcessOptions {
  databaseUrl: string;
  enrollSecret: string;
  adminToken: string;
  /** default warn */
  logLevel?: string;
  /** extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] */
  nodeArgs?: string[];
  /** FLEETMEDIC_METRICS_TOKEN: GET /metrics answers with it (404 without) */
  metricsToken?: string;
  /** a file that gets all the server's output (e.g. node --trace-gc lines), appended */
  outputFile?: string;
}

/** Starts `apps/server/src/cli.ts serve` on 127.0.0.1:<free port> and waits for GET /api/v1/health. */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), path.join(REPO_ROOT, 'apps/server/src/cli.ts'), 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: opts.databaseUrl,
      FLEETMEDIC_ENROLL_SECRET: opts.enrollSecret,
      FLEETMEDIC_ADMIN_TOKEN: opts.adminToken,
      FLEETMEDIC_DATA_DIR: path.join(REPO_ROOT, '.data', 'bench'),
      // The public test KEK: a benchmark may open the signing key to sign commands it inserts in SQL.
      FLEETMEDIC_KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY.toString('base64'),
      LOG_LEVEL: opts.logLevel ?? 'warn',
      ...(opts.metricsToken ? { FLEETMEDIC_METRICS_TOKEN: opts.metricsToken } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (opts.outputFile) {
    const file = createWriteStream(opts.outputFile, { flags: 'a' });
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) during start:\n${out}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not healthy after 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    url,
    child,
    output: () => out,
    stop: (graceMs = 60_000) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
}
