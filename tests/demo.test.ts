// `pnpm start` as a newcomer runs it: the real demo (server on embedded PGlite, one agent process
// per recorded Mac), followed through its output, then stopped the way a terminal's Ctrl-C does
// (SIGINT to the whole foreground process group: pnpm, its shell, the demo).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '@fleetmedic/server';
import { hostOf, REPO_ROOT, waitFor } from './support/agents.js';

const MACS = ['mba-m2-14-camera-denied', 'mbp-m5pro-26-healthy'];

/** A TCP port free right now on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** pnpm as the test was started with (npx pnpm@... sets npm_execpath), else pnpm on PATH. */
function pnpmCommand(): [string, string[]] {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/.test(execpath)) return /\.c?js$/.test(execpath) ? [process.execPath, [execpath]] : [execpath, []];
  return ['pnpm', []];
}

describe('pnpm start (the demo), two recorded Macs, then one of them', () => {
  it('prints the address first, then progress until every Mac reported; Ctrl-C stops agents then server, leaves every Mac offline, exits 0; run again with one Mac, says the other is still listed, offline', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fm-demo-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), FLEETMEDIC_DATA_DIR: dataDir, FLEETMEDIC_DEMO_MACS: MACS.join(',') };
    delete env.DATABASE_URL; // the demo as shipped: embedded PGlite in its data folder
    const [cmd, pre] = pnpmCommand();
    // detached: its own process group, like a terminal's foreground job.
    const child = spawn(cmd, [...pre, 'start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<string>((resolve) => child.once('exit', (code, sig) => resolve(`exit ${code ?? sig}`)));
    try {
      await waitFor('every Mac to report', async () => (/All 2 recorded Macs have reported/.test(out) ? true : undefined), 240_000)
        .catch((e: Error) => { throw new Error(`${e.message}\nstdout:\n${out}\nstderr:\n${err}`); });
      const lines = out.split('\n');
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      const dashboard = at(new RegExp(`^  Dashboard   http://127\\.0\\.0\\.1:${port}/$`));
      const progress = at(/^ {2}[01]\/2 Macs reported \.\.\.$/);
      const all = at(/^All 2 recorded Macs have reported: the dashboard shows the whole fleet/);
      expect(dashboard).toBeGreaterThan(-1);
      expect(progress).toBeGreaterThan(dashboard);
      expect(all).toBeGreaterThan(progress);

      const token = /Admin token (\S+)/.exec(out)![1]!;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/devices?limit=100`, { headers: { authorization: `Bearer ${token}` } });
      const { devices } = (await res.json()) as { devices: { hostname: string; online: boolean }[] };
      expect(devices.map((d) => [d.hostname, d.online]).sort()).toEqual(MACS.map((m) => [hostOf(m).hostname, true]).sort());

      process.kill(-child.pid!, 'SIGINT');
      expect(await exited, `stdout:\n${out}\nstderr:\n${err}`).toBe('exit 0');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    expect(`${out}${err}`).not.toMatch(/Command failed|ELIFECYCLE/);
    expect(out).toMatch(/\nstopping the agents \.\.\.\nstopping the server \.\.\.\n$/);
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow(); // the server is gone

    // The agents stopped before the server: it recorded each Mac offline.
    const db = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
    try {
      const rows = await db.prisma.device.findMany({ select: { hostname: true, online: true, lastReportAt: true } });
      expect(rows.map((r) => [r.hostname, r.online, r.lastReportAt !== null]).sort()).toEqual(MACS.map((m) => [hostOf(m).hostname, false, true]).sort());
    } finally {
      await db.close();
    }

    // Again on the same data folder with one of the two Macs: the dashboard still lists the other,
    // offline, and the demo says so instead of "the whole fleet" (a newcomer saw "All 1 recorded
    // Macs have reported: the dashboard shows the whole fleet" next to 13 offline Macs).
    const one = spawn(cmd, [...pre, 'start'], { cwd: REPO_ROOT, env: { ...env, FLEETMEDIC_DEMO_MACS: MACS[0] }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out1 = '';
    one.stdout.on('data', (b: Buffer) => (out1 += b.toString()));
    one.stderr.on('data', (b: Buffer) => (out1 += b.toString()));
    const exited1 = new Promise<string>((resolve) => one.once('exit', (code, sig) => resolve(`exit ${code ?? sig}`)));
    try {
      await waitFor('the one Mac to report', async () => (/has reported/.test(out1) ? true : undefined), 240_000)
        .catch((e: Error) => { throw new Error(`${e.message}\noutput:\n${out1}`); });
      expect(out1).toContain('  Agents      1 recorded Mac from recorded-macs/');
      expect(out1).toContain(`The recorded Mac has reported. The dashboard (http://127.0.0.1:${port}/) also lists 1 other Mac from earlier runs (offline): 2 Macs in all.`);
      expect(out1).not.toMatch(/whole fleet|1 recorded Macs/);
      process.kill(-one.pid!, 'SIGINT');
      expect(await exited1, out1).toBe('exit 0');
    } finally {
      if (one.exitCode === null && one.signalCode === null) process.kill(-one.pid!, 'SIGKILL');
    }
  }, 540_000);
});
