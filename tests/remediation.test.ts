// Remediation end to end: the real server on a real Postgres (PGlite without DATABASE_URL), real
// agent processes on (copies of) recorded Macs, real sockets. Signed commands and the agent's
// refusals, a Mac offline when its command is queued, a command that expires before the Mac
// connects, an agent killed between command.ack and command.result, the verification sequence
// (tcc.reset -> awaiting consent -> resolved), firewall.allow on an MDM-managed Mac, and bulk
// remediation by finding; signing-key rotation without re-enrolling (issue 16, item 2), and the
// retirement notice that makes agents unpin a retired key.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FleetMedicApp, type SigningKey, toEnvelope, ACTIVATE_AFTER_SECONDS, activateSigningKey, retireSigningKey, rotateSigningKey } from '@fleetmedic/server';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { logClockTime } from '@fleetmedic/agent';
import { testSigner } from '@fleetmedic/agent/testing/command-signer';
import { RECORDED_MACS, startAgent, waitFor, type AgentProcess } from './support/agents.js';

const ENROLL_SECRET = 'e2e-remedy-enroll-secret-0123';
const ADMIN_TOKEN = 'fm_admin_e2e_remedy_0123456789abcdefghij';
const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } as const;
const CAMERA_DENIED = 'mba-m2-14-camera-denied';
/** The camera-denied Mac's console user's TCC.db, as a Mac path (host.json: consoleUser "user"). */
const USER_TCC_DB = '/Users/user/Library/Application Support/com.apple.TCC/TCC.db';
const TERMINAL = ['succeeded', 'failed', 'timed_out', 'expired', 'cancelled'];
/** socketfilterfw's answer on a Mac whose firewall is managed by an MDM profile (packages/macos socketfilterfw parse test). */
const MANAGED_MAC_REFUSAL = 'Firewall settings cannot be modified from command line on managed Mac computers.\n';

interface CommandView { id: string; deviceId: string; status: string; exitCode: number | null; stdout: string | null; reason: string | null; sentAt: string | null; ackedAt: string | null; createdAt: string; result: { argv: string[][] } | null }
interface FindingView { ruleId: string; key: string; state: string; remedy: { summary: string; action?: { type: string; params: Record<string, string> } } }
interface DeviceDetail { device: { id: string; hostname: string; online: boolean; lastReportAt: string | null }; findings: FindingView[] }
interface Transition { ruleId: string; key: string; fromState: string | null; toState: string; reportId: string }

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'fm-remedy-e2e-'));
const processes: AgentProcess[] = [];

async function api<T>(method: string, route: string, body?: unknown, expectStatus?: number): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (expectStatus ? res.status !== expectStatus : !res.ok) throw new Error(`${method} ${route} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * A copy of a recorded Mac in the scratch folder with its own hostname and serial number (the
 * server knows a Mac by its serial), optionally with some answers replaced.
 */
function copyMac(source: string, hostname: string, cmd: Record<string, string> = {}): string {
  const dir = path.join(scratch, hostname);
  cpSync(path.join(RECORDED_MACS, source), dir, { recursive: true });
  const host = JSON.parse(readFileSync(path.join(dir, 'host.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ ...host, hostname, serialNumber: `E2E-${hostname}` }, null, 2));
  for (const [name, text] of Object.entries(cmd)) writeFileSync(path.join(dir, 'cmd', name), text);
  return dir;
}

/** Starts an agent process on a Mac folder (a fresh state folder unless given). */
function agentOn(macDir: string, stateDir?: string): AgentProcess {
  const agent = startAgent(macDir, url, ENROLL_SECRET, stateDir);
  processes.push(agent);
  return agent;
}

const detail = (deviceId: string) => api<DeviceDetail>('GET', `/api/v1/devices/${deviceId}`);
const command = (id: string) => api<CommandView>('GET', `/api/v1/commands/${id}`);
const queue = (deviceId: string, action: unknown) => api<CommandView>('POST', `/api/v1/devices/${deviceId}/commands`, { action });
/** Waits (40 s at most, inside the 60 s test timeout) for a command to end; names the agent's log on failure. */
const finished = (id: string, agent?: AgentProcess) => waitFor(`command ${id} to finish`, async () => {
  const c = await command(id);
  return TERMINAL.includes(c.status) ? c : undefined;
}, 40_000).catch(async (err: Error) => {
  throw new Error(`${err.message}; last seen ${JSON.stringify(await command(id))}${agent ? `\n--- agent log\n${agent.logs().slice(-3000)}` : ''}`);
});

/** The device of `hostname` once its report after `since` (ISO) is stored. */
async function reported(agent: AgentProcess, hostname: string, since = ''): Promise<DeviceDetail> {
  return waitFor(`${hostname} to report`, async () => {
    const { devices } = await api<{ devices: { id: string; hostname: string; lastReportAt: string | null }[] }>('GET', `/api/v1/devices?search=${encodeURIComponent(hostname)}`);
    const d = devices.find((x) => x.hostname === hostname);
    return d?.lastReportAt && d.lastReportAt > since ? detail(d.id) : undefined;
  }, 40_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- agent log\n${agent.logs().slice(-3000)}`);
  });
}

/** Argument arrays the replayed Mac would have run (remedies only), from `<state>/replay/replay-log.jsonl`. */
function ran(agent: AgentProcess): string[][] {
  const file = path.join(agent.stateDir, 'replay', 'replay-log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
}

/** The command ids the agent recorded as run or running (executed.json, version 2: `executed`). */
const executed = (agent: AgentProcess): Record<string, { state: string }> => {
  const file = path.join(agent.stateDir, 'executed.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { executed: Record<string, { state: string }> }).executed : {};
};

const TCCUTIL_CAMERA_RUN = [
  ['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos'],
  ['/bin/launchctl', 'asuser', '501', '/usr/bin/sudo', '-u', 'user', '/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos'],
];

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { enrollSecrets: [ENROLL_SECRET], adminToken: ADMIN_TOKEN } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all(processes.map((a) => a.stop()));
  await app?.close();
  await db?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('signed commands over the real socket', () => {
  it('the agent pins the server key at enrollment and refuses unsigned, badly signed, other-device and expired commands, running none', async () => {
    const agent = agentOn(copyMac(CAMERA_DENIED, 'sig-mac'));
    const { device } = await reported(agent, 'sig-mac');
    const key = (await app.services.keys.get()).active;
    const creds = JSON.parse(readFileSync(path.join(agent.stateDir, 'credentials.json'), 'utf8')) as { deviceId: string; serverPublicKey: string };
    expect(creds).toMatchObject({ deviceId: device.id, serverPublicKey: key.publicKey });

    const socket = await waitFor('the socket on this instance', async () => app.services.registry.get(device.id));
    const other = await api<{ deviceId: string }>('POST', '/api/v1/enroll', {
      enrollSecret: ENROLL_SECRET, host: { hostname: 'someone-else', serialNumber: 'E2E-someone-else', hardwareModel: null, architecture: 'arm64', platform: 'darwin' },
    }, 201);
    // Commands stored for this Mac (not dispatched), then sent over its socket in a forged form.
    const make = (createdAt = new Date()) => app.services.commands.create(device.id, RESET_CAMERA, 'e2e-forger', { now: createdAt });
    const unsigned = toEnvelope(await make());
    const altered = { ...key.signEnvelope(toEnvelope(await make())), action: { type: 'tcc.reset', params: { service: 'All', bundleId: 'us.zoom.xos' } } };
    const forOther = key.signEnvelope({ ...toEnvelope(await make()), deviceId: other.deviceId });
    const expired = key.signEnvelope(toEnvelope(await make(new Date(Date.now() - 8 * 24 * 3600 * 1000))));
    for (const envelope of [unsigned, altered, forOther, expired]) socket.send({ type: 'command', command: envelope as never });

    const reasons = await Promise.all([unsigned, altered, forOther, expired].map(async (e) => {
      const c = await finished(e.id);
      expect(c).toMatchObject({ status: 'failed', exitCode: null, ackedAt: null });
      return c.reason;
    }));
    expect(reasons).toEqual([
      'refused: the command is not signed',
      'refused: bad signature: the command was altered or not signed by a server key this agent pinned',
      `refused: command is for device ${other.deviceId}, this agent is ${device.id}`,
      `refused: command expired at ${expired.expiresAt}`,
    ]);
    expect(ran(agent)).toEqual([]);
    expect((await detail(device.id)).findings.find((f) => f.ruleId === 'tcc.camera.denied')?.state).toBe('open');
  });
});

describe('delivery and expiry around a Mac that is offline', () => {
  let macDir: string;
  let agent: AgentProcess;
  let deviceId: string;

  it('a command queued while the Mac is offline waits, and is delivered, run and stored when it connects', async () => {
    macDir = copyMac(CAMERA_DENIED, 'offline-mac');
    agent = agentOn(macDir);
    deviceId = (await reported(agent, 'offline-mac')).device.id;
    await agent.stop();
    await waitFor('the Mac to be offline', async () => ((await detail(deviceId)).device.online ? undefined : true), 20_000);

    const queued = await queue(deviceId, RESET_CAMERA);
    expect(queued).toMatchObject({ status: 'queued', sentAt: null });
    await new Promise((r) => setTimeout(r, 500));
    expect((await command(queued.id)).status).toBe('queued');

    const since = new Date().toISOString();
    agent = agentOn(macDir, agent.stateDir);
    const done = await finished(queued.id, agent);
    expect(done).toMatchObject({ status: 'succeeded', exitCode: 0, reason: "system TCC.db: reset Camera for us.zoom.xos (3 registered copies of the app); user's TCC.db: reset Camera for us.zoom.xos (3 registered copies of the app)" });
    // The recording's tccutil printed its success line once per LaunchServices copy of zoom.us.app.
    expect(done.stdout).toBe('Successfully reset Camera approval status for us.zoom.xos\n'.repeat(6));
    expect(done.sentAt! >= since).toBe(true);
    expect(done.result?.argv).toEqual(TCCUTIL_CAMERA_RUN);
    expect(ran(agent)).toEqual(TCCUTIL_CAMERA_RUN);
  });

  it('a command that expires before the Mac connects is never delivered and ends expired', async () => {
    await agent.stop();
    await waitFor('the Mac to be offline', async () => ((await detail(deviceId)).device.online ? undefined : true));
    // A second server instance on the same database, whose commands live one second.
    const shortLived = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { commandTtlSeconds: 1 } });
    try {
      await shortLived.ready();
      const res = await shortLived.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { action: { type: 'zoom.quit', params: {} } } });
      expect(res.statusCode).toBe(201);
      const c = res.json() as CommandView;
      expect(c.status).toBe('queued');
      await new Promise((r) => setTimeout(r, 1500));
      await app.services.commands.expireOverdue(); // the expiry job's sweep (it may have run already)
      expect((await command(c.id)).status).toBe('expired');

      const since = new Date().toISOString();
      agent = agentOn(macDir, agent.stateDir);
      await reported(agent, 'offline-mac', since);
      await new Promise((r) => setTimeout(r, 500));
      expect(await command(c.id)).toMatchObject({ status: 'expired', sentAt: null, ackedAt: null, exitCode: null });
      expect(ran(agent)).toEqual(TCCUTIL_CAMERA_RUN); // only the earlier reset: no pkill
      expect(agent.logs()).not.toContain(c.id);
    } finally {
      await shortLived.close();
    }
  });
});

describe('an agent killed between command.ack and command.result', () => {
  it('died while running: on restart it answers "failed, not run again" and nothing ran twice (or at all)', async () => {
    const agent = agentOn(copyMac(CAMERA_DENIED, 'crash-running-mac'));
    const { device } = await reported(agent, 'crash-running-mac');
    // The replayed Mac writes each remedy's argv to replay-log.jsonl before running it: a FIFO
    // there holds the agent inside the command, after command.ack and executed.json "running".
    mkdirSync(path.join(agent.stateDir, 'replay'), { recursive: true });
    const fifo = path.join(agent.stateDir, 'replay', 'replay-log.jsonl');
    execFileSync('mkfifo', [fifo]);
    const c = await queue(device.id, RESET_CAMERA);
    await waitFor('the ack', async () => ((await command(c.id)).status === 'acknowledged' ? true : undefined));
    await waitFor('executed.json to say running', async () => (executed(agent)[c.id]?.state === 'running' ? true : undefined));
    await agent.kill();
    rmSync(fifo);

    const restarted = agentOn(path.join(scratch, 'crash-running-mac'), agent.stateDir);
    const done = await finished(c.id);
    expect(done).toMatchObject({ status: 'failed', reason: 'the agent stopped while this command was running; it is not run again', exitCode: null });
    expect(executed(restarted)[c.id]?.state).toBe('done');
    expect(ran(restarted)).toEqual([]);
    const finding = (await detail(device.id)).findings.find((f) => f.ruleId === 'tcc.camera.denied');
    expect(finding?.state).toBe('open');
  });

  it('died before starting it: on restart the redelivered command runs exactly once', async () => {
    const agent = agentOn(copyMac(CAMERA_DENIED, 'crash-acked-mac'));
    const { device } = await reported(agent, 'crash-acked-mac');
    // executed.json is written through executed.json.tmp: a FIFO there holds the agent right after command.ack.
    const fifo = path.join(agent.stateDir, 'executed.json.tmp');
    execFileSync('mkfifo', [fifo]);
    const c = await queue(device.id, RESET_CAMERA);
    await waitFor('the ack', async () => ((await command(c.id)).status === 'acknowledged' ? true : undefined));
    await agent.kill();
    rmSync(fifo);
    expect(executed(agent)).toEqual({});

    const restarted = agentOn(path.join(scratch, 'crash-acked-mac'), agent.stateDir);
    const done = await finished(c.id);
    expect(done).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(ran(restarted)).toEqual(TCCUTIL_CAMERA_RUN);
    // A later reconnect does not run it again (the server has the result; the agent has executed.json).
    await restarted.stop();
    const since = new Date().toISOString();
    const again = agentOn(path.join(scratch, 'crash-acked-mac'), agent.stateDir);
    await reported(again, 'crash-acked-mac', since);
    expect(ran(again)).toEqual(TCCUTIL_CAMERA_RUN);
  });
});

describe('verification after tcc.reset', () => {
  it('open -> awaiting-consent (row gone) -> resolved once the user allows the camera, in the API and the device history', async () => {
    const agent = agentOn(copyMac(CAMERA_DENIED, 'verify-mac'));
    const { device, findings } = await reported(agent, 'verify-mac');
    const camera = findings.find((f) => f.ruleId === 'tcc.camera.denied')!;
    expect(camera).toMatchObject({ state: 'open', key: 'tcc.camera.denied:us.zoom.xos', remedy: { action: RESET_CAMERA } });

    const reset = await finished((await queue(device.id, camera.remedy.action)).id);
    expect(reset.status).toBe('succeeded');
    await waitFor('awaiting consent', async () => ((await detail(device.id)).findings.find((f) => f.key === camera.key)?.state === 'awaiting-consent' ? true : undefined));

    // The user opens Zoom and clicks Allow: tccd writes an allowed row (auth_value 2, auth_reason 2 user consent).
    const userDb = path.join(agent.stateDir, 'replay', 'fs', USER_TCC_DB);
    execFileSync('/usr/bin/sqlite3', [userDb,
      "INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, flags, last_modified) VALUES ('kTCCServiceCamera', 'us.zoom.xos', 0, 2, 2, 1, 0, CAST(strftime('%s','now') AS INTEGER))"]);
    const collect = await finished((await queue(device.id, { type: 'agent.collect', params: {} })).id);
    expect(collect).toMatchObject({ status: 'succeeded', reason: 'collect and report requested' });
    await waitFor('resolved', async () => ((await detail(device.id)).findings.some((f) => f.key === camera.key) ? undefined : true));

    const history = await api<{ findingTransitions: Transition[] }>('GET', `/api/v1/devices/${device.id}/history`);
    const sequence = history.findingTransitions.filter((t) => t.key === camera.key).reverse().map((t) => [t.fromState, t.toState]);
    expect(sequence).toEqual([[null, 'open'], ['open', 'awaiting-consent'], ['awaiting-consent', 'resolved']]);
  });
});

describe('verification after tcc.reset on macOS 27 (the unified log is the only source)', () => {
  it('open (denial seen in the log) -> awaiting-consent (the agent reset it after that line) -> resolved when tccd logs the user\'s Allow', async () => {
    const mac = copyMac('macmini-m4-27-camera-denied-log', 'verify-27-mac');
    const agent = agentOn(mac);
    const { device, findings } = await reported(agent, 'verify-27-mac');
    const camera = findings.find((f) => f.ruleId === 'tcc.camera.denied')!;
    expect(camera).toMatchObject({ state: 'open', key: 'tcc.camera.denied:log:us.zoom.xos', remedy: { action: RESET_CAMERA } });

    const reset = await finished((await queue(device.id, camera.remedy.action)).id, agent);
    expect(reset.status).toBe('succeeded');
    expect(reset.result?.argv).toEqual(TCCUTIL_CAMERA_RUN);
    await waitFor('awaiting consent', async () => ((await detail(device.id)).findings.find((f) => f.key === camera.key)?.state === 'awaiting-consent' ? true : undefined));

    // Zoom asks again and the user clicks Allow: tccd logs a prompt and its result (written in the real capture's layout, now).
    const at = logClockTime(new Date()); // after the reset: awaiting-consent was already seen
    const tccd = `Df tccd[75697:5ad68f1] [com.apple.TCC:access]`;
    appendFileSync(path.join(mac, 'cmd', 'log-show-tcc.out'), [
      `${at} ${tccd} AUTHREQ_PROMPTING: msgID=75841.28000, service=kTCCServiceCamera, subject=Sub:{us.zoom.xos}Resp:{TCCDProcess: identifier=us.zoom.xos, pid=91234}`,
      `${at} ${tccd} AUTHREQ_RESULT: msgID=75841.28000, authValue=2, authReason=2, authVersion=1, desired_auth=0, error=(null),`,
    ].join('\n') + '\n');
    const collect = await finished((await queue(device.id, { type: 'agent.collect', params: {} })).id, agent);
    expect(collect.status).toBe('succeeded');
    await waitFor('resolved', async () => ((await detail(device.id)).findings.some((f) => f.key === camera.key) ? undefined : true));

    const history = await api<{ findingTransitions: Transition[] }>('GET', `/api/v1/devices/${device.id}/history`);
    const sequence = history.findingTransitions.filter((t) => t.key === camera.key).reverse().map((t) => [t.fromState, t.toState]);
    expect(sequence).toEqual([[null, 'open'], ['open', 'awaiting-consent'], ['awaiting-consent', 'resolved']]);
  });
});

describe('firewall.allow on an MDM-managed Mac', () => {
  it('fails with socketfilterfw\'s refusal as the reason, and the finding stays open', async () => {
    const agent = agentOn(copyMac('mbp-m2pro-26-firewall-blocks-zoom', 'managed-mac', { 'socketfilterfw-add.out': MANAGED_MAC_REFUSAL }));
    const { device, findings } = await reported(agent, 'managed-mac');
    const blocked = findings.find((f) => f.ruleId === 'firewall.blocks-zoom')!;
    expect(blocked.remedy.action).toEqual({ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } });
    const done = await finished((await queue(device.id, blocked.remedy.action)).id);
    expect(done).toMatchObject({
      status: 'failed',
      exitCode: 0,
      stdout: MANAGED_MAC_REFUSAL,
      reason: 'socketfilterfw refused the change: "Firewall settings cannot be modified from command line on managed Mac computers."',
    });
    expect(ran(agent)).toEqual([['/usr/libexec/ApplicationFirewall/socketfilterfw', '--add', '/Applications/zoom.us.app']]);
    expect((await detail(device.id)).findings.find((f) => f.ruleId === 'firewall.blocks-zoom')?.state).toBe('open');
  });
});

describe('zoom.clear-caches on the damaged-Zoom Mac', () => {
  it('offered on zoom.damaged, signed, audited, run: Zoom quit, the user\'s caches removed (bytes reported), re-collected; the finding stays open until Zoom is reinstalled', async () => {
    const mac = copyMac('mbp-m5pro-26-zoom-damaged', 'zoomdmg-mac');
    const caches = path.join(mac, 'fs/Users/user/Library/Caches/us.zoom.xos');
    mkdirSync(path.join(caches, 'data'), { recursive: true });
    writeFileSync(path.join(caches, 'Cache.db'), Buffer.alloc(8192));
    writeFileSync(path.join(caches, 'data', 'blob'), Buffer.alloc(808));
    const agent = agentOn(mac);
    const { device, findings } = await reported(agent, 'zoomdmg-mac');
    const damaged = findings.find((f) => f.ruleId === 'zoom.damaged')!;
    const paths = ['/Users/user/Library/Caches/us.zoom.xos', '/Users/user/Library/Application Support/zoom.us', '/Users/user/Library/Logs/zoom.us'];
    expect(damaged).toMatchObject({ state: 'open', key: 'zoom.damaged:/Applications/zoom.us.app', remedy: { action: { type: 'zoom.clear-caches', params: { user: 'user', paths } } } });
    expect(damaged.remedy.summary).toMatch(/^Reinstall Zoom at \/Applications\/zoom\.us\.app through your usual deployment/);

    const before = (await detail(device.id)) as unknown as { sections: { section: string; body: { data: { dataFolders: { path: string; exists: boolean; sizeBytes: number | null }[] } } }[] };
    expect(before.sections.find((x) => x.section === 'zoomInstalls')!.body.data.dataFolders[0]).toMatchObject({ path: paths[0], exists: true, sizeBytes: 9000 });
    const done = await finished((await queue(device.id, damaged.remedy.action)).id, agent);
    expect(done).toMatchObject({ status: 'succeeded', reason: 'zoom.us was not running; removed 9000 bytes', stdout: `removed 9000 bytes: ${paths[0]}\nabsent: ${paths[1]}\nabsent: ${paths[2]}\n` });
    expect(ran(agent)).toEqual([['/usr/bin/pkill', '-x', 'zoom.us'], ['(remove folder, symlinks not followed)', paths[0]], ['(remove folder, symlinks not followed)', paths[1]], ['(remove folder, symlinks not followed)', paths[2]]]);
    expect(await db.prisma.auditLog.findMany({ where: { action: 'command.create', target: `device:${device.id}` } })).toMatchObject([{ params: { type: 'zoom.clear-caches' } }]);
    await waitFor('the re-collect without the caches', async () => {
      const d = (await detail(device.id)) as unknown as typeof before;
      return d.sections.find((x) => x.section === 'zoomInstalls')!.body.data.dataFolders[0]!.exists ? undefined : true;
    });
    expect((await detail(device.id)).findings.find((f) => f.ruleId === 'zoom.damaged')?.state).toBe('open');
  });
});

describe('bulk remediation by finding', () => {
  it('dry run, then one command per Mac with a batch status, and the MDM-denied Mac is skipped with the reason', async () => {
    const macs = ['bulk-camera-1', 'bulk-camera-2'].map((h) => ({ h, agent: agentOn(copyMac(CAMERA_DENIED, h)) }));
    const mdm = agentOn(copyMac('mbp-m5pro-26-screen-capture-mdm-denied', 'bulk-mdm'));
    await Promise.all([...macs.map(({ h, agent }) => reported(agent, h)), reported(mdm, 'bulk-mdm')]);

    const preview = await api<{ targets: { hostname: string; action: unknown }[]; skipped: unknown[] }>('POST', '/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'bulk-' } });
    expect(preview.targets).toEqual([
      expect.objectContaining({ hostname: 'bulk-camera-1', action: RESET_CAMERA }),
      expect.objectContaining({ hostname: 'bulk-camera-2', action: RESET_CAMERA }),
    ]);
    expect(preview.skipped).toEqual([]);
    const screen = await api<{ targets: unknown[]; skipped: { hostname: string; reason: string }[] }>('POST', '/api/v1/remediations', { findingId: 'tcc.screen-capture.denied', dryRun: true, filter: { search: 'bulk-' } });
    expect(screen.targets).toEqual([]);
    expect(screen.skipped).toEqual([expect.objectContaining({ hostname: 'bulk-mdm', reason: expect.stringMatching(/^no automatic remedy for this finding: A configuration profile from your MDM \(PPPC payload, auth_reason mdm-policy\)/) })]);

    const batch = await api<{ batchId: string }>('POST', '/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: false, filter: { search: 'bulk-' } }, 201);
    const status = await waitFor('the batch to finish', async () => {
      const s = await api<{ counts: { pending: number }; commands: { hostname: string; status: string }[] }>('GET', `/api/v1/batches/${batch.batchId}`);
      return s.counts.pending === 0 ? s : undefined;
    });
    expect(status).toMatchObject({ counts: { total: 2, succeeded: 2, failed: 0, pending: 0, timedOut: 0, expired: 0, cancelled: 0 } });
    expect(status.commands.map((c) => [c.hostname, c.status])).toEqual([['bulk-camera-1', 'succeeded'], ['bulk-camera-2', 'succeeded']]);
    for (const { agent } of macs) expect(ran(agent)).toEqual(TCCUTIL_CAMERA_RUN);

    const audit = await db.prisma.auditLog.findMany({ where: { target: `batch:${batch.batchId}` } });
    expect(audit).toMatchObject([{ actor: 'env', action: 'remediation.create', params: { findingId: 'tcc.camera.denied', filter: { search: 'bulk-' } } }]);
    expect(await db.prisma.auditLog.count({ where: { action: 'command.create', params: { path: ['batchId'], equals: batch.batchId } } })).toBe(2);
  });
});

describe('signing-key rotation without re-enrolling (last: it changes the active key)', () => {
  /** The pinned keys in the agent's credentials.json (key id -> public key). */
  const pinned = (agent: AgentProcess): Record<string, string> =>
    (JSON.parse(readFileSync(path.join(agent.stateDir, 'credentials.json'), 'utf8')) as { serverKeys?: Record<string, string> }).serverKeys ?? {};
  /** The device of a Mac once it has reported and its socket is open on this instance. */
  const connected = async (agent: AgentProcess, hostname: string): Promise<string> => {
    const { device } = await reported(agent, hostname);
    await waitFor('the socket on this instance', async () => app.services.registry.get(device.id));
    return device.id;
  };
  let online: AgentProcess;
  let onlineId: string;
  let offline: AgentProcess;
  /** the key active before the rotation, with its private half: what a leak of the retired key gives */
  let oldKey: SigningKey;

  it('after rotate and activate, agents enrolled under the old key run commands signed by the new one, connected or offline meanwhile', async () => {
    online = agentOn(copyMac(CAMERA_DENIED, 'rot-online'));
    onlineId = await connected(online, 'rot-online');
    const offlineDir = copyMac(CAMERA_DENIED, 'rot-offline');
    const first = agentOn(offlineDir);
    const offlineId = await connected(first, 'rot-offline');
    await first.stop();
    oldKey = (await app.services.keys.get()).active;
    const old = oldKey.keyId;
    expect(Object.keys(pinned(online))).toEqual([old]);

    const next = await rotateSigningKey(db.prisma, TEST_KEY_ENCRYPTION_KEY, 'e2e');
    await app.services.keys.refresh(); // what the 10 s re-read does: the announcement goes to connected agents
    await waitFor('the connected agent to pin the announced key', async () => (pinned(online)[next.keyId] === next.publicKey ? true : undefined), 20_000);
    await activateSigningKey(db.prisma, TEST_KEY_ENCRYPTION_KEY, 'e2e', new Date(Date.now() + (ACTIVATE_AFTER_SECONDS + 1) * 1000));
    await app.services.keys.refresh();

    const toOnline = await queue(onlineId, RESET_CAMERA);
    const toOffline = await queue(offlineId, RESET_CAMERA);
    const stored = await db.prisma.command.findMany({ where: { id: { in: [toOnline.id, toOffline.id] } }, select: { keyId: true } });
    expect(stored.map((c) => c.keyId)).toEqual([next.keyId, next.keyId]);
    expect(await finished(toOnline.id, online)).toMatchObject({ status: 'succeeded', exitCode: 0 });

    // The offline Mac still pins only the old key: at connect it is sent the announcement, then the command.
    offline = agentOn(offlineDir, first.stateDir);
    expect(await finished(toOffline.id, offline)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(pinned(offline)).toEqual({ [old]: expect.any(String), [next.keyId]: next.publicKey });
  });

  it('refuses an announcement signed by a key it never pinned, and a command signed by the key it announced', async () => {
    const forger = testSigner();
    const planted = testSigner();
    const socket = app.services.registry.get(onlineId)!;
    socket.send({ type: 'keys', keys: [forger.announce(planted)] });
    // A command stored by the service, sent in a version signed with the planted key.
    const row = await app.services.commands.create(onlineId, RESET_CAMERA, 'e2e-forger');
    socket.send({ type: 'command', command: { ...planted.sign(toEnvelope(row)), keyId: planted.keyId } });
    expect(await finished(row.id, online)).toMatchObject({ status: 'failed', reason: `refused: the command is signed by key ${planted.keyId}, which this agent has not pinned` });
    expect(online.logs()).toContain(`key ${planted.keyId}: announced by key ${forger.keyId}, which this agent has not pinned`);
    expect(Object.keys(pinned(online))).not.toContain(planted.keyId);
    expect(ran(online)).toEqual(TCCUTIL_CAMERA_RUN); // the genuine reset only
  });

  it('after retire, agents unpin the retired key (connected at once, offline at their next connect) and refuse a command it signs; a forged notice unpins nothing', async () => {
    await offline.stop();
    const active = (await app.services.keys.get()).active.keyId;
    const socket = app.services.registry.get(onlineId)!;
    const forger = testSigner();
    socket.send({ type: 'keys', keys: [], retired: [forger.retire(active)] });
    await waitFor('the forged notice to be refused', async () => online.logs().includes(`key ${active}: retired by key ${forger.keyId}, which this agent has not pinned`) || undefined);
    expect(Object.keys(pinned(online)).sort()).toEqual([oldKey.keyId, active].sort());

    const notice = (await retireSigningKey(db.prisma, TEST_KEY_ENCRYPTION_KEY, oldKey.keyId, 'e2e')).notice!;
    await app.services.keys.refresh(); // what the 10 s re-read does: the notice goes to connected agents
    await waitFor('the connected agent to unpin the retired key', async () => (Object.keys(pinned(online)).join() === active ? true : undefined), 20_000);
    // Whoever kept the retired key's private half signs a command: refused.
    const row = await app.services.commands.create(onlineId, RESET_CAMERA, 'e2e-leaked-key');
    socket.send({ type: 'command', command: oldKey.signEnvelope(toEnvelope(row)) });
    expect(await finished(row.id, online)).toMatchObject({ status: 'failed', reason: `refused: the command is signed by key ${oldKey.keyId}, which the server retired on ${notice.retiredAt}` });
    expect(ran(online)).toEqual(TCCUTIL_CAMERA_RUN);

    // The Mac offline during the retirement gets the notice at its next connect.
    const back = agentOn(offline.mac, offline.stateDir);
    await waitFor('the reconnected agent to unpin the retired key', async () => (Object.keys(pinned(back)).join() === active ? true : undefined), 40_000);
    expect(back.logs()).toContain(`unpinned server signing key ${oldKey.keyId}`);
  });
});
