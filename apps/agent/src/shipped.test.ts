import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../packages/macos/src/testing/fixtures.js';
import { collectHost } from './collectors/host.js';
import { collectSnapshot } from './collectors/snapshot.js';
import { RealRunner } from './runner/real.js';
import { ReplayRunner } from './runner/replay.js';

// The shipped form (scripts/build.mjs + bin/fleetmedic-agent) against the source it is built from:
// the bundle loads some modules on demand, and those paths must work there too.
const AGENT_DIR = path.join(REPO_ROOT, 'apps/agent');
let root: string;

function run(program: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FLEETMEDIC_NODE: process.execPath } }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? Number((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}
/** The launcher in a temp install (bin/ beside dist/), as on a Mac. */
const shipped = (...args: string[]) => run(path.join(root, 'bin', 'fleetmedic-agent'), args);
const withoutTime = (s: { collectedAt?: string }) => ({ ...s, collectedAt: 'x' });

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fm-agent-shipped-'));
  const built = await run(process.execPath, [path.join(AGENT_DIR, 'scripts/build.mjs'), '--outdir', path.join(root, 'dist')]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
  await mkdir(path.join(root, 'bin'));
  await copyFile(path.join(AGENT_DIR, 'bin/fleetmedic-agent'), path.join(root, 'bin/fleetmedic-agent'));
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the shipped agent (bundle + launcher)', () => {
  it('reports the package version without a package.json beside it', async () => {
    const { version } = JSON.parse(await readFile(path.join(AGENT_DIR, 'package.json'), 'utf8')) as { version: string };
    const r = await shipped('--version');
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('collects a recorded Mac exactly as the source does', async () => {
    const mac = path.join(REPO_ROOT, 'recorded-macs/mbp-m1pro-15-display-camera-full-budget');
    const r = await shipped('collect', '--replay', mac, '--json');
    expect(r.code).toBe(0);
    const fromSource = await collectSnapshot(await ReplayRunner.open(mac));
    expect(withoutTime(JSON.parse(r.stdout) as { collectedAt: string })).toEqual(withoutTime(fromSource));
  });

  it('reads this machine\'s host facts through the on-demand systeminformation chunk', async () => {
    const r = await shipped('collect', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { host: unknown }).host).toEqual(await collectHost(new RealRunner()));
  });
});
