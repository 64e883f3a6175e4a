// The package's install scripts (scripts/preinstall, scripts/postinstall) and uninstall.sh, run with
// sh as Installer and an admin run them, against a fake root in a temp folder. launchctl and pkgutil
// do not exist here: stand-ins first on PATH record each call, and answer `launchctl print`
// (is the agent loaded?) and `pkgutil --pkg-info` (is the receipt there?) as the test says.
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGING_DIR, runPackage, runProgram, writeFakeMacNode } from './testing.js';

const LABEL = 'com.fleetmedic.agent';
let dir: string;
let payload: string;
let fakeBin: string;
let root: string;
let calls: string;

/** Files of the Mac that are not the agent's: uninstall must leave every one. */
const NEIGHBOURS = [
  'Library/LaunchDaemons/com.example.other.plist',
  'Library/Logs/other.log',
  'Library/Application Support/Other/settings.json',
  'private/etc/newsyslog.d/other.conf',
  'usr/local/bin/other',
];

/** A recording stand-in: appends "name args" to $FM_CALLS; exits 0 when $FM_<NAME>_FOUND=1 for a query. */
const standIn = (name: string, query: string) => `#!/bin/sh
echo "${name} $*" >> "$FM_CALLS"
case "$1" in ${query}) [ "\${FM_${name.toUpperCase()}_FOUND:-0}" = 1 ] || exit 113 ;; esac
exit 0
`;

async function tree(at: string): Promise<string[]> {
  return (await readdir(at, { recursive: true })).sort();
}
const recorded = async () => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
const script = (name: string) => path.join(PACKAGING_DIR, name);
/** Runs an install script as Installer does: $1 package, $2 destination, $3 target volume, $4 the running system's root. */
const installerRuns = (name: 'preinstall' | 'postinstall', env: Record<string, string> = {}, runningRoot = root) =>
  runProgram('/bin/sh', [script(`scripts/${name}`), '/tmp/fleetmedic-agent.pkg', root, root, runningRoot], { PATH: `${fakeBin}:${process.env.PATH}`, FM_CALLS: calls, ...env });
const secretFile = () => path.join(root, 'Library/Application Support/FleetMedic/enroll-secret');
async function writeSecret(mode: number) {
  await mkdir(path.dirname(secretFile()), { recursive: true });
  await writeFile(secretFile(), 'fleet-enroll-secret\n');
  await chmod(secretFile(), mode);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fm-pkg-scripts-'));
  await writeFakeMacNode(path.join(dir, 'node'));
  const staged = await runPackage('--node', path.join(dir, 'node'), '--server-url', 'https://fleet.example.com', '--out', path.join(dir, 'out'), '--payload-only');
  expect(staged.code).toBe(0);
  payload = path.join(dir, 'out', 'payload', 'root');
  fakeBin = path.join(dir, 'bin');
  await mkdir(fakeBin);
  await writeFile(path.join(fakeBin, 'launchctl'), standIn('launchctl', 'print'), { mode: 0o755 });
  await writeFile(path.join(fakeBin, 'pkgutil'), standIn('pkgutil', '--volume'), { mode: 0o755 });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  root = await mkdtemp(path.join(dir, 'root-'));
  calls = path.join(root, '..', `${path.basename(root)}.calls`);
  for (const file of NEIGHBOURS) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), 'not the agent\n');
  }
});

/** preinstall, the payload laid down as Installer would, postinstall. */
async function install(env: Record<string, string> = {}, runningRoot = root) {
  const pre = await installerRuns('preinstall', env, runningRoot);
  expect(pre).toMatchObject({ code: 0, stderr: '' });
  await cp(payload, root, { recursive: true });
  return installerRuns('postinstall', env, runningRoot);
}

describe('postinstall', () => {
  it('without an enrollment secret: makes the state folder 700, does not start the agent, and says what to do', async () => {
    const r = await install();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`fleetmedic postinstall: installed, not started: no enrollment secret at
  ${secretFile()}
Put the fleet's enrollment secret there, root's alone (an MDM script can run the same), then start the agent:
  sudo sh -c 'umask 077 && cat > "${secretFile()}"'    # paste the secret, Enter, then Ctrl-D
  sudo launchctl bootstrap system ${root}/Library/LaunchDaemons/${LABEL}.plist
`);
    expect(((await stat(path.dirname(secretFile()))).mode & 0o7777).toString(8)).toBe('700');
    expect(await recorded()).toEqual([`launchctl print system/${LABEL}`]);
  });

  it('with a secret others can read (644): does not start the agent, says how to fix the mode', async () => {
    await writeSecret(0o644);
    const r = await install();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('must be a non-empty file that belongs to root, with no access for group or others');
    expect(r.stdout).toContain(`sudo chown 0:0 "${secretFile()}" && sudo chmod 600 "${secretFile()}"`);
    expect((await recorded()).filter((c) => c.includes('bootstrap'))).toEqual([]);
  });

  it('with a secret of mode 600 that another user owns: does not start the agent', async () => {
    await writeSecret(0o600);
    await chown(secretFile(), 501, 20);
    const r = await install();
    expect(r.stdout).toContain('must be a non-empty file that belongs to root');
    expect((await recorded()).filter((c) => c.includes('bootstrap'))).toEqual([]);
  });

  it('with an empty secret file of mode 600: does not start the agent', async () => {
    await writeSecret(0o600);
    await writeFile(secretFile(), '');
    const r = await install();
    expect(r.stdout).toContain('must be a non-empty file');
    expect((await recorded()).filter((c) => c.includes('bootstrap'))).toEqual([]);
  });

  it('with a secret of root\'s, mode 600: bootstraps the installed plist', async () => {
    await writeSecret(0o600);
    const r = await install();
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `fleetmedic postinstall: started ${LABEL}\n` });
    expect(await recorded()).toEqual([
      `launchctl print system/${LABEL}`, // preinstall: not running
      `launchctl print system/${LABEL}`,
      `launchctl bootstrap system ${root}/Library/LaunchDaemons/${LABEL}.plist`,
    ]);
  });

  it('an upgrade: preinstall stops the running agent and drops the old dist/ whole; postinstall starts the new one', async () => {
    await cp(payload, root, { recursive: true });
    const oldChunk = path.join(root, 'usr/local/fleetmedic/dist/chunks/old-OLDHASH.mjs');
    await writeFile(oldChunk, '// the last version\'s chunk\n');
    await writeSecret(0o600);
    const r = await install({ FM_LAUNCHCTL_FOUND: '1' });
    expect(r.stdout).toBe(`fleetmedic postinstall: started ${LABEL}\n`);
    await expect(stat(oldChunk)).rejects.toThrow(/ENOENT/);
    expect(await tree(path.join(root, 'usr/local/fleetmedic/dist'))).toEqual(await tree(path.join(payload, 'usr/local/fleetmedic/dist')));
    expect(await recorded()).toEqual([
      `launchctl print system/${LABEL}`,
      `launchctl bootout system/${LABEL}`,
      `launchctl print system/${LABEL}`,
      `launchctl bootout system/${LABEL}`,
      `launchctl bootstrap system ${root}/Library/LaunchDaemons/${LABEL}.plist`,
    ]);
  });

  it('onto a volume that is not the running system: starts and stops nothing', async () => {
    await writeSecret(0o600);
    const r = await install({ FM_LAUNCHCTL_FOUND: '1' }, '/');
    expect(r.stdout).toBe(`fleetmedic postinstall: installed onto ${root}, not the running system: the agent starts when that system boots\n`);
    expect(await recorded()).toEqual([]);
  });
});

describe('uninstall.sh', () => {
  it('stops the agent, removes exactly what the package and the agent put there, and forgets the receipt', async () => {
    const before = await tree(root);
    await writeSecret(0o600);
    expect((await install()).code).toBe(0);
    // What the running agent adds: its credentials, its log and a rotated one.
    await writeFile(path.join(path.dirname(secretFile()), 'credentials.json'), '{}');
    await writeFile(path.join(root, 'Library/Logs/fleetmedic-agent.log'), '{}\n');
    await writeFile(path.join(root, 'Library/Logs/fleetmedic-agent.log.0'), '{}\n');
    await rm(calls);

    const r = await runProgram('/bin/sh', [path.join(root, 'usr/local/fleetmedic/uninstall.sh'), root], {
      PATH: `${fakeBin}:${process.env.PATH}`, FM_CALLS: calls, FM_LAUNCHCTL_FOUND: '1', FM_PKGUTIL_FOUND: '1',
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(await tree(root)).toEqual(before);
    expect(await recorded()).toEqual([
      `launchctl print system/${LABEL}`,
      `launchctl bootout system/${LABEL}`,
      `pkgutil --volume ${root} --pkg-info ${LABEL}`,
      `pkgutil --volume ${root} --forget ${LABEL}`,
    ]);
  });

  it('with the agent stopped and no receipt: removes the files and calls neither bootout nor forget', async () => {
    const before = await tree(root);
    await cp(payload, root, { recursive: true });
    const r = await runProgram('/bin/sh', [script('uninstall.sh'), root], { PATH: `${fakeBin}:${process.env.PATH}`, FM_CALLS: calls });
    expect(r.code).toBe(0);
    expect(await tree(root)).toEqual(before);
    expect(await recorded()).toEqual([`launchctl print system/${LABEL}`, `pkgutil --volume ${root} --pkg-info ${LABEL}`]);
  });
});
