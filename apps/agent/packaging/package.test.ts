// The packaging command on Linux: what it refuses, and the payload tree pkgbuild would pack on a Mac
// (file list, modes, the LaunchDaemon plist, the Full Disk Access profile beside it).
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parsePlist } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServerUrl } from './options.mjs';
import { pkgbuildArgs, productbuildArgs } from './pkgbuild.mjs';
import { PACKAGING_DIR, runPackage, runProgram, writeFakeMacNode, type RunResult } from './testing.js';

const PACKAGE_JSON = path.join(PACKAGING_DIR, '..', 'package.json');

const SERVER = 'https://fleet.example.com:8443/fm?site=a&b';
let dir: string;
let fakeNode: Buffer;
let built: RunResult;
const out = () => path.join(dir, 'out');
const payloadRoot = () => path.join(out(), 'payload', 'root');

/** Every entry under `root`, as "relative/path mode" (octal), sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  const rows = await Promise.all(entries.map(async (e) => `${e} ${((await stat(path.join(root, e))).mode & 0o7777).toString(8)}`));
  return rows.sort();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fm-package-'));
  fakeNode = await writeFakeMacNode(path.join(dir, 'node'));
  built = await runPackage('--', '--node', path.join(dir, 'node'), '--server-url', SERVER, '--version', '1.4.0', '--out', out());
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('package.mjs on Linux', () => {
  it('stages the payload and says where it is, and that pkgbuild runs on a Mac', () => {
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(`payload: ${payloadRoot()}\n`);
    expect(built.stdout).toContain(`scripts: ${path.join(out(), 'payload', 'scripts')}\n`);
    expect(built.stdout).toContain('payload only: pkgbuild runs on macOS');
  });

  it('lays out exactly the files README "Install on a Mac" names, with their modes (owners: pkgbuild --ownership recommended makes every entry root:wheel)', async () => {
    const rows = await tree(payloadRoot());
    const dist = rows.filter((r) => r.startsWith('usr/local/fleetmedic/dist/'));
    expect(rows.filter((r) => !dist.includes(r))).toEqual([
      'Library 755',
      'Library/LaunchDaemons 755',
      'Library/LaunchDaemons/com.fleetmedic.agent.plist 644',
      'private 755',
      'private/etc 755',
      'private/etc/newsyslog.d 755',
      'private/etc/newsyslog.d/fleetmedic-agent.conf 644',
      'usr 755',
      'usr/local 755',
      'usr/local/fleetmedic 755',
      'usr/local/fleetmedic/bin 755',
      'usr/local/fleetmedic/bin/fleetmedic-agent 755',
      'usr/local/fleetmedic/dist 755',
      'usr/local/fleetmedic/node 700',
      'usr/local/fleetmedic/uninstall.sh 755',
    ]);
    // The bundle as scripts/build.mjs writes it, nothing group- or world-writable, nothing executable.
    expect(dist).toContain('usr/local/fleetmedic/dist/agent.mjs 644');
    expect(dist).toContain('usr/local/fleetmedic/dist/chunks 755');
    expect(dist).toContain('usr/local/fleetmedic/dist/chunks/sql-wasm.wasm 644');
    expect(dist.filter((r) => !r.endsWith(' 644'))).toEqual(['usr/local/fleetmedic/dist/chunks 755']);
    expect(await tree(path.join(out(), 'payload', 'scripts'))).toEqual(['postinstall 755', 'preinstall 755']);
  });

  it('ships the given node byte for byte, and a launcher that runs the staged bundle', async () => {
    expect(await readFile(path.join(payloadRoot(), 'usr/local/fleetmedic/node'))).toEqual(fakeNode);
    const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };
    const r = await runProgram(path.join(payloadRoot(), 'usr/local/fleetmedic/bin/fleetmedic-agent'), ['--version'], { FLEETMEDIC_NODE: process.execPath });
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('writes the LaunchDaemon with the server URL (XML-escaped, parsed back intact) and paths that exist in the payload', async () => {
    const text = await readFile(path.join(payloadRoot(), 'Library/LaunchDaemons/com.fleetmedic.agent.plist'), 'utf8');
    expect(text).toContain('<string>https://fleet.example.com:8443/fm?site=a&amp;b</string>');
    const daemon = parsePlist(text) as { Label: string; ProgramArguments: string[]; EnvironmentVariables: Record<string, string>; StandardErrorPath: string; RunAtLoad: boolean; KeepAlive: boolean };
    expect(daemon).toMatchObject({
      Label: 'com.fleetmedic.agent',
      ProgramArguments: ['/usr/local/fleetmedic/bin/fleetmedic-agent', 'run', '--server', SERVER, '--enroll-secret-file', '/Library/Application Support/FleetMedic/enroll-secret'],
      EnvironmentVariables: { FLEETMEDIC_NODE: '/usr/local/fleetmedic/node' },
      StandardErrorPath: '/Library/Logs/fleetmedic-agent.log',
      RunAtLoad: true,
      KeepAlive: true,
    });
    for (const file of [daemon.ProgramArguments[0]!, daemon.EnvironmentVariables.FLEETMEDIC_NODE!]) {
      expect((await stat(path.join(payloadRoot(), file))).isFile()).toBe(true);
    }
  });

  it('writes the Full Disk Access profile beside the payload for the packaged node, its UUIDs stable across builds, the requirement left for a Mac', async () => {
    const text = await readFile(path.join(out(), 'fleetmedic-agent-fda.mobileconfig'), 'utf8');
    const profile = parsePlist(text) as { PayloadUUID: string; PayloadOrganization: string; PayloadContent: { PayloadUUID: string; Services: { SystemPolicyAllFiles: { Identifier: string; CodeRequirement: string }[] } }[] };
    const grant = profile.PayloadContent[0]!.Services.SystemPolicyAllFiles[0]!;
    expect(grant.Identifier).toBe('/usr/local/fleetmedic/node');
    expect(grant.CodeRequirement).toBe('REPLACE_WITH_CODESIGN_DESIGNATED_REQUIREMENT');
    expect(built.stdout).toContain('its CodeRequirement is still REPLACE_WITH_CODESIGN_DESIGNATED_REQUIREMENT: on a Mac, put there what follows "designated => " in\n  `codesign -dr - /usr/local/fleetmedic/node`');
    expect(profile.PayloadOrganization).toBe('FleetMedic');
    const uuid = /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;
    expect(profile.PayloadUUID).toMatch(uuid);
    expect(profile.PayloadContent[0]!.PayloadUUID).toMatch(uuid);
    expect(profile.PayloadUUID).not.toBe(profile.PayloadContent[0]!.PayloadUUID);
    expect(text.split('\n').filter((l) => l.includes('REPLACE_'))).toEqual(['            <string>REPLACE_WITH_CODESIGN_DESIGNATED_REQUIREMENT</string>']);

    // A rebuild with the requirement given (as read on a Mac) and an organization: same UUIDs, no placeholder left.
    const requirement = 'identifier "node" and anchor apple generic and certificate leaf[subject.OU] = HX7739G8FX';
    await writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const again = await runPackage('--node', path.join(dir, 'node'), '--server-url', SERVER, '--out', path.join(dir, 'again'), '--code-requirement', requirement, '--organization', 'Acme & Co', '--ca-cert', path.join(dir, 'ca.pem'), '--payload-only');
    expect(again.code).toBe(0);
    const second = await readFile(path.join(dir, 'again', 'fleetmedic-agent-fda.mobileconfig'), 'utf8');
    expect(second).not.toContain('REPLACE_');
    const reparsed = parsePlist(second) as typeof profile;
    expect(reparsed.PayloadContent[0]!.Services.SystemPolicyAllFiles[0]!.CodeRequirement).toBe(requirement);
    expect(reparsed.PayloadOrganization).toBe('Acme & Co');
    expect([reparsed.PayloadUUID, reparsed.PayloadContent[0]!.PayloadUUID]).toEqual([profile.PayloadUUID, profile.PayloadContent[0]!.PayloadUUID]);

    // --ca-cert: the PEM ships beside node (644) and the LaunchDaemon names it, once.
    const againRoot = path.join(dir, 'again', 'payload', 'root');
    expect(await readFile(path.join(againRoot, 'usr/local/fleetmedic/ca.pem'), 'utf8')).toBe(await readFile(path.join(dir, 'ca.pem'), 'utf8'));
    expect(((await stat(path.join(againRoot, 'usr/local/fleetmedic/ca.pem'))).mode & 0o7777).toString(8)).toBe('644');
    const plistText = await readFile(path.join(againRoot, 'Library/LaunchDaemons/com.fleetmedic.agent.plist'), 'utf8');
    expect((parsePlist(plistText) as { EnvironmentVariables: Record<string, string> }).EnvironmentVariables).toEqual({
      FLEETMEDIC_NODE: '/usr/local/fleetmedic/node',
      NODE_EXTRA_CA_CERTS: '/usr/local/fleetmedic/ca.pem',
    });
    expect(plistText.match(/NODE_EXTRA_CA_CERTS/g)).toHaveLength(1);
  }, 60_000);
});

describe('package.mjs refuses, before building anything', () => {
  const refused = async (args: string[], message: string) => {
    const r = await runPackage(...args, '--out', path.join(dir, 'refused'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    await expect(stat(path.join(dir, 'refused'))).rejects.toThrow(/ENOENT/);
  };

  it('a missing server URL', () => refused(['--node', path.join(dir, 'node')], 'fleetmedic package: --server-url is required'));
  it('http:// to another host', () => refused(['--node', path.join(dir, 'node'), '--server-url', 'http://fleet.example.com'], '--server-url http://fleet.example.com/: http:// would send the enrollment secret and every report in clear'));
  it('a user or password in the URL', () => refused(['--node', path.join(dir, 'node'), '--server-url', 'https://admin:pw@fleet.example.com'], 'must not hold a user or password'));
  it('a node that is not a Mac binary: this Linux node (ELF)', () => refused(['--node', process.execPath, '--server-url', SERVER], `--node ${process.execPath} is not a macOS binary (starts with 7f 45 4c 46, not a Mach-O magic`));
  it('a Mach-O file that is not an executable (a dylib, filetype 6)', async () => {
    await writeFakeMacNode(path.join(dir, 'libnode.dylib'), 6);
    await refused(['--node', path.join(dir, 'libnode.dylib'), '--server-url', SERVER], 'is not a macOS binary (a Mach-O file of type 6, not an executable');
  });
  it('a --ca-cert that holds no PEM certificate', async () => {
    await writeFile(path.join(dir, 'not-a-cert.txt'), 'hello\n');
    await refused(['--node', path.join(dir, 'node'), '--server-url', SERVER, '--ca-cert', path.join(dir, 'not-a-cert.txt')], 'holds no PEM certificate');
  });
  it('a missing node', () => refused(['--server-url', SERVER], '--node is required'));
  it('a version Installer cannot compare, an unknown option', async () => {
    await refused(['--node', path.join(dir, 'node'), '--server-url', SERVER, '--version', '1.4-beta'], '--version "1.4-beta": digits and dots');
    await refused(['--node', path.join(dir, 'node'), '--server-url', SERVER, '--sing', 'x'], "Unknown option '--sing'");
  });
});

describe('checkServerUrl', () => {
  it('accepts https anywhere and http only to this machine', () => {
    expect(checkServerUrl('https://fleet.example.com')).toEqual({ ok: true, value: 'https://fleet.example.com/' });
    for (const local of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080']) expect(checkServerUrl(local).ok).toBe(true);
    expect(checkServerUrl('http://10.0.0.5:8080').ok).toBe(false);
    expect(checkServerUrl('ftp://fleet.example.com')).toEqual({ ok: false, error: '--server-url must be https://, got ftp:' });
    expect(checkServerUrl('fleet.example.com')).toMatchObject({ ok: false, error: expect.stringContaining('is not a URL') });
  });
});

describe('pkgbuild and productbuild arguments (run on a Mac)', () => {
  it('a component package installed under / as root:wheel, wrapped in a product archive, both signed when an identity is given', async () => {
    const staged = { root: '/o/payload/root', scripts: '/o/payload/scripts', version: '1.4.0', output: '/o/payload/component.pkg' };
    const common = ['--root', '/o/payload/root', '--scripts', '/o/payload/scripts', '--identifier', 'com.fleetmedic.agent', '--version', '1.4.0', '--install-location', '/', '--ownership', 'recommended'];
    expect(pkgbuildArgs({ ...staged, signIdentity: undefined })).toEqual([...common, '/o/payload/component.pkg']);
    const id = 'Developer ID Installer: Acme Inc (AB12CD34EF)';
    expect(pkgbuildArgs({ ...staged, signIdentity: id })).toEqual([...common, '--sign', id, '/o/payload/component.pkg']);
    expect(productbuildArgs({ component: '/o/payload/component.pkg', signIdentity: id, output: '/o/fleetmedic-agent-1.4.0.pkg' }))
      .toEqual(['--package', '/o/payload/component.pkg', '--sign', id, '/o/fleetmedic-agent-1.4.0.pkg']);
  });
});
