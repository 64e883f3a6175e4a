import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parsePlist } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { collectHost } from './collectors/host.js';
import { collectSnapshot } from './collectors/snapshot.js';
import { RealRunner } from './runner/real.js';
import { ReplayRunner } from './runner/replay.js';

// The shipped form (scripts/build.mjs + bin/fleetmedic-agent) against the source it is built from:
// the bundle loads some modules on demand, and those paths must work there too.
const AGENT_DIR = path.join(REPO_ROOT, 'apps/agent');
let root: string;

function run(program: string, args: string[], node = process.execPath): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FLEETMEDIC_NODE: node } }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? Number((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}
/** The launcher in a temp install (bin/ beside dist/), as on a Mac. */
const shipped = (...args: string[]) => run(path.join(root, 'bin', 'fleetmedic-agent'), args);
/** The same, on the node binary `node`. */
const shippedOn = (node: string, ...args: string[]) => run(path.join(root, 'bin', 'fleetmedic-agent'), args, node);
/** The snapshot without the two clock readings of a run: when it was collected and when `softwareupdate --list` ran (no cache here). */
const withoutTime = (s: { collectedAt?: string; sections?: { softwareUpdate?: { data?: { checkedAt?: string | null } } } }) => {
  const copy = structuredClone(s);
  copy.collectedAt = 'x';
  if (copy.sections?.softwareUpdate?.data) copy.sections.softwareUpdate.data.checkedAt = 'x';
  return copy;
};

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

  it('the LaunchDaemon names a secret file, never the secret (every local user can read the plist and see ps); as root the agent refuses a file others can read', async () => {
    const daemon = parsePlist(await readFile(path.join(AGENT_DIR, 'deploy/com.fleetmedic.agent.plist'), 'utf8')) as { ProgramArguments: string[] };
    const args = daemon.ProgramArguments;
    expect(args).not.toContain('--enroll-secret');
    expect(args[args.indexOf('--enroll-secret-file') + 1]).toBe('/Library/Application Support/FleetMedic/enroll-secret');
    if (process.getuid?.() !== 0) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fm-secret-'));
    const secretFile = path.join(dir, 'enroll-secret');
    await writeFile(secretFile, 'enroll-secret-value\n');
    await chmod(secretFile, 0o644);
    const r = await shipped('run', '--server', 'http://127.0.0.1:9', '--enroll-secret-file', secretFile, '--state-dir', path.join(dir, 'state'));
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`refusing the enrollment secret file ${secretFile}: running as root, group and others must have no access to it (mode 644)`);
  });

  it('as root, runs the agent\'s own node copy (root:wheel, mode 700: the one Full Disk Access is granted to), and refuses it group-writable', async () => {
    if (process.getuid?.() !== 0) return;
    const node = path.join(root, 'node');
    await copyFile(process.execPath, node);
    await chmod(node, 0o700);
    const { version } = JSON.parse(await readFile(path.join(AGENT_DIR, 'package.json'), 'utf8')) as { version: string };
    expect(await shippedOn(node, '--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
    await chmod(node, 0o770);
    const refused = await shippedOn(node, '--version');
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain(`refusing to run as root: ${node} must exist, belong to root and not be group- or world-writable`);
  });
});
