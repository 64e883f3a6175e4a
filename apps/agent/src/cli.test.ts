import { execFile, spawn as spawnChild } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SECTION_NAMES, Snapshot, validator, type Finding } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { agentBundle } from './testing/agent-bundle.js';
import { startServer, waitFor } from './testing/agent-server.js';

// The agent as it ships (src/cli.ts and all it imports in one file, built once per run): on plain
// node it starts in ~0.15 s, where tsx compiled the sources for ~0.8 s in every one of these
// processes. `pnpm agent` through tsx is the first test.
const CLI = agentBundle();
const MACS_DIR = path.join(REPO_ROOT, 'recorded-macs');
const MACS = readdirSync(MACS_DIR).filter((d) => existsSync(path.join(MACS_DIR, d, 'host.json'))).sort();

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

/** Spawns a real process; never through a shell. */
function spawn(program: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FLEETMEDIC_LOG_LEVEL: 'warn', ...env } }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? Number((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}
/** The agent CLI with `args`; a last argument that is an object adds to its environment. */
const agent = (...args: [...string[]] | [...string[], Record<string, string>]) => {
  const last = args[args.length - 1];
  return typeof last === 'object' ? spawn(process.execPath, [CLI, ...(args.slice(0, -1) as string[])], last) : spawn(process.execPath, [CLI, ...(args as string[])]);
};

interface DoctorJson {
  host: { hostname: string };
  findings: Finding[];
  unknown: string[];
}

describe('agent CLI as a real process', () => {
  it('pnpm --silent agent collect --replay <mac> --json prints one valid snapshot and nothing else', async () => {
    const r = await spawn('pnpm', ['--silent', 'agent', 'collect', '--replay', 'recorded-macs/mba-m2-14-camera-denied', '--json']);
    expect(r.code).toBe(0);
    const snapshot = JSON.parse(r.stdout) as Snapshot;
    expect(validator(Snapshot)(snapshot).ok).toBe(true);
    expect(snapshot.sections.os.data?.productVersion).toBe('14.4.1');
    const camera = snapshot.sections.tcc.data?.databases
      .flatMap((d) => d.entries)
      .find((e) => e.service === 'kTCCServiceCamera' && e.client === 'us.zoom.xos');
    expect(camera?.authValue).toBe(0);
  });

  it('collect on this machine (no replay) reports the Mac sections unsupported', async () => {
    const r = await agent('collect', '--json');
    expect(r.code).toBe(0);
    const snapshot = JSON.parse(r.stdout) as Snapshot;
    expect(snapshot.host.platform).toBe(process.platform);
    if (process.platform !== 'darwin') expect(snapshot.sections.tcc).toEqual({ status: 'unsupported', sources: [], reason: `not macOS (${process.platform})` });
  });

  it.skipIf(process.platform === 'darwin')('doctor on this (non-Mac) machine says the Mac sections were not checked, never just "0 findings"', async () => {
    const json = await agent('doctor', '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { findings: unknown[]; unsupported: { section: string; reason: string }[] };
    expect(out.unsupported.map((u) => u.section)).toEqual([...SECTION_NAMES]);
    const text = await agent('doctor');
    // The sentence wraps at the terminal width: compare it with its line breaks as spaces.
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`Not checked on this platform: ${SECTION_NAMES.join(', ')} (not macOS (${process.platform})).`);
    expect(text.stdout).not.toContain('ready for calls');
  });

  it('collect without --json prints a section table', async () => {
    const r = await agent('collect', '--replay', path.join(MACS_DIR, 'mbp-m5pro-26-tcc-unreadable'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^section\s+status\s+detail$/m);
    expect(r.stdout).toMatch(/^tcc\s+partial\s+3 problem\(s\): \/Library\/Application Support\/com\.apple\.TCC\/TCC\.db/m);
  });

  it('a folder that is not a recorded Mac: exit 1, the reason on stderr, nothing on stdout', async () => {
    const r = await agent('collect', '--replay', os.tmpdir(), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fleetmedic-agent: not a recorded Mac: cannot read .*host\.json/);
  });

  it('doctor prints titles, what breaks in Zoom, whole evidence lines wrapped to the terminal, and the remedy', async () => {
    const r = await agent('doctor', '--replay', path.join(MACS_DIR, 'mbp-m5pro-26-tcc-unreadable'), { COLUMNS: '60' });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(`${lines[0]} ${lines[1]}`).toBe('mbp-m5pro-26-nofda: unknown (something could not be checked); 1 problem');
    expect(r.stdout).toContain('WARNING Privacy permissions could not be read\n(tcc.unreadable)\n  In Zoom: Unknown whether video and audio can start.');
    // Every line fits the 60 columns but a word longer than a line; joined back, each evidence line is whole.
    for (const line of lines) expect(line.length <= 60 || !line.trim().includes(' '), line).toBe(true);
    const text = lines.map((l) => l.trim()).join(' ');
    expect(text).toContain('tcc: System TCC.db /Library/Application Support/com.apple.TCC/TCC.db is unreadable: sqlite3 exited 1: Error: unable to open database '
      + '"/Library/Application Support/com.apple.TCC/TCC.db": authorization denied — the agent needs Full Disk Access to read TCC.db.');
    expect(text).toContain('Remedy: Grant the FleetMedic agent Full Disk Access');
    expect(text).toContain('Automatic fix: none, this needs a person');
    expect(r.stdout).not.toMatch(/…/);
  });

  it('doctor names a fix the agent can apply, and the finding id beside its title', async () => {
    const r = await agent('doctor', '--replay', path.join(MACS_DIR, 'mba-m2-14-camera-denied'), { COLUMNS: '200' });
    expect(r.stdout).toMatch(/^mba-m2-14: cannot join a call; 1 problem$/m);
    expect(r.stdout).toMatch(/^CRITICAL Zoom is denied the camera \(tcc\.camera\.denied\)\n {2}In Zoom: Video cannot start\.$/m);
    expect(r.stdout).toMatch(/^ {2}Automatic fix: tcc\.reset /m);
  });

  it('doctor --policy applies the admin thresholds, and refuses a bad policy file with its reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'policy-'));
    const lenient = path.join(dir, 'lenient.json');
    await writeFile(lenient, JSON.stringify({ minMacosVersion: '12.0' }));
    const mac = path.join(MACS_DIR, 'mbp-intel-t2-12-macos-outdated');
    const strict = JSON.parse((await agent('doctor', '--replay', mac, '--json')).stdout) as DoctorJson;
    expect(strict.findings.map((f) => f.id)).toEqual(['macos.outdated']);
    const r = await agent('doctor', '--replay', mac, '--json', '--policy', lenient);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as DoctorJson).findings).toEqual([]);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ minZoomVersion: 'latest', colour: 'red' }));
    const refused = await agent('doctor', '--replay', mac, '--policy', bad);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('invalid policy: unknown key "colour"');
  });
});

describe('agent run as a real process', () => {
  it('enrolls with the secret from the file FLEETMEDIC_ENROLL_SECRET_FILE names, streams the start report, logs JSON to stderr, stops on SIGTERM', async () => {
    const srv = await startServer();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-run-'));
    const secretFile = path.join(stateDir, 'enroll-secret');
    await writeFile(secretFile, 'secret-12345\n', { mode: 0o600 });
    const child = spawnChild(process.execPath, [CLI, 'run', '--server', srv.url, '--replay', path.join(MACS_DIR, 'mbp-m5pro-26-healthy'), '--state-dir', stateDir, '--schedule', '0 0 1 1 *', '--jitter', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, FLEETMEDIC_ENROLL_SECRET_FILE: secretFile },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const report = await waitFor('a report from the agent process', () => srv.state.received.find((m) => m.type === 'report'), 30_000);
      expect((report.snapshot as { host: { hostname: string } }).host.hostname).toBe('mbp-m5pro-26');
      await waitFor('the acked report to leave the outbox', () => readdirSync(path.join(stateDir, 'outbox')).length === 0);
      expect(srv.state.enrollments).toMatchObject([{ enrollSecret: 'secret-12345' }]);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await srv.close();
    }
    expect(stdout).toBe('');
    const logs = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['enrolled', 'connected to the server', 'agent running', 'stopping']));
  });

  it.skipIf(process.getuid?.() !== 0)('as root, refuses a secret file others can read: exit 78, the reason and the fix on stderr, nothing started', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-run-'));
    const secretFile = path.join(stateDir, 'enroll-secret');
    await writeFile(secretFile, 'secret-12345\n');
    await chmod(secretFile, 0o644);
    const r = await agent('run', '--server', 'http://127.0.0.1:9', '--enroll-secret-file', secretFile, '--state-dir', path.join(stateDir, 'state'));
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(`fleetmedic-agent: refusing the enrollment secret file ${secretFile}: running as root, group and others must have no access to it (mode 644): sudo chmod 600 '${secretFile}'\n`);
    expect(existsSync(path.join(stateDir, 'state'))).toBe(false);
  });

  it('takes one enrollment secret source: neither, or the flag and a file at once, is refused with the reason', async () => {
    const none = await agent('run', '--server', 'http://127.0.0.1:9');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('fleetmedic-agent: no enrollment secret: give --enroll-secret-file <path> (or set FLEETMEDIC_ENROLL_SECRET_FILE), or --enroll-secret <secret>\n');
    const both = await agent('run', '--server', 'http://127.0.0.1:9', '--enroll-secret', 'secret-12345', '--enroll-secret-file', '/nonexistent');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/option '--enroll-secret-file <path>' cannot be used with option '--enroll-secret <secret>'/);
  });

  it('refuses a bad --server or --schedule with the reason', async () => {
    const bad = await agent('run', '--server', 'ftp://x', '--enroll-secret', 'secret-12345');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--server must be http:// or https://, got ftp:');
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-run-'));
    const cron = await agent('run', '--server', 'http://127.0.0.1:9', '--enroll-secret', 'secret-12345', '--state-dir', stateDir, '--schedule', 'often');
    expect(cron.code).toBe(1);
    expect(cron.stderr).toContain('invalid --schedule "often": not a cron expression');
  });
});

describe('doctor on every recorded Mac finds exactly its scenario', () => {
  const results = new Map<string, Run>();
  beforeAll(async () => {
    // Four agent processes at a time: one per recorded Mac at once starved a shared 2-core machine past any hook timeout.
    const queue = [...MACS];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) results.set(m, await agent('doctor', '--replay', path.join(MACS_DIR, m), '--json'));
    }));
  }, 600_000);

  it('there are recorded Macs to check', () => {
    expect(MACS.length).toBeGreaterThanOrEqual(10);
  });

  it.each(MACS)('%s', (mac) => {
    const scenario = JSON.parse(readFileSync(path.join(MACS_DIR, mac, 'scenario.json'), 'utf8')) as { expectedFindings: string[] };
    const r = results.get(mac)!;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as DoctorJson;
    expect([...new Set(out.findings.map((f) => f.id))].sort()).toEqual([...scenario.expectedFindings].sort());
    // A healthy-looking result must not hide sections that could not be judged; an unreadable
    // TCC.db leaves the camera and microphone permissions unjudged, and says so.
    // Macs whose camera and audio lists could not be composed from real captures leave `devices` unjudged (their README notes say why).
    const unrecorded = !existsSync(path.join(MACS_DIR, mac, 'cmd', 'system_profiler-SPCameraDataType.out'));
    expect(out.unknown).toEqual([...(scenario.expectedFindings.includes('tcc.unreadable') ? ['tcc'] : []), ...(unrecorded ? ['devices'] : [])]);
  });
});
