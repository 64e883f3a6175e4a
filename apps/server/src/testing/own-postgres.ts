import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's PostgreSQL 15 keeps initdb and pg_ctl (the machines' and CI's Postgres). */
export const PG_BIN = process.env.FLEETMEDIC_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A Postgres cluster of a test's own: stop and start it at will; never the shared one on 5432. */
export interface OwnPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server (`mode` as pg_ctl's -m: fast ends sessions, immediate is a crash); waits until it is down. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data; waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/**
 * initdb's a throw-away cluster in a temp folder and starts it on a free 127.0.0.1 port (trust
 * auth, user postgres, fsync off). `timezone` sets the server's default TimeZone (e.g.
 * America/New_York). As root, initdb and pg_ctl run as the `postgres` user (initdb refuses root).
 * Throws with pg_ctl's log when the server does not start.
 */
export async function startOwnPostgres(opts: { timezone?: string } = {}): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleetmedic-pg-'));
  const data = path.join(dir, 'data');
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) chownSync(dir, await uidOf('postgres'), await gidOf('postgres'));
  const pg = (program: string, args: string[]) =>
    asPostgres ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, program), ...args]) : run(path.join(PG_BIN, program), args);
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c max_connections=200', ...(opts.timezone ? [`-c timezone=${opts.timezone}`] : [])];
  const start = async () => {
    try {
      await pg('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
    } catch (error) {
      throw new Error(`own Postgres did not start: ${(error as Error).message}`);
    }
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async destroy() {
      await stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function uidOf(user: string): Promise<number> {
  return Number((await run('id', ['-u', user])).stdout.trim());
}

async function gidOf(user: string): Promise<number> {
  return Number((await run('id', ['-g', user])).stdout.trim());
}
