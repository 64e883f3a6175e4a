// Signing-key rotation end to end (issue 16, item 2): the real server on a real Postgres (PGlite
// without DATABASE_URL), real agent processes on copies of a recorded Mac, real sockets. Agents
// enrolled under the first key run commands signed by the next one after `keys rotate` and
// `keys activate`, whether connected at the rotation or offline until after it; an announcement
// signed by a key the agent never pinned is refused, and so is a command signed by that key.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FleetMedicApp } from '../apps/server/src/index.js';
import { toEnvelope } from '../apps/server/src/commands/service.js';
import { activateSigningKey, rotateSigningKey, ACTIVATE_AFTER_SECONDS } from '../apps/server/src/signing/rotation.js';
import { openTestDatabase, type TestDatabase } from '../apps/server/src/testing/test-database.js';
import { TEST_KEY_ENCRYPTION_KEY } from '../apps/server/src/testing/test-kek.js';
import { testSigner } from '../apps/agent/src/testing/command-signer.js';
import { RECORDED_MACS, startAgent, waitFor, type AgentProcess } from './support/agents.js';

const ENROLL_SECRET = 'e2e-rotation-enroll-secret-0123';
const ADMIN_TOKEN = 'fm_admin_e2e_rotation_0123456789abcdefgh';
const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } as const;
const TERMINAL = ['succeeded', 'failed', 'timed_out', 'expired', 'cancelled'];

interface CommandView { id: string; status: string; exitCode: number | null; reason: string | null }

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'fm-rotation-e2e-'));
const processes: AgentProcess[] = [];

async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A copy of the camera-denied recorded Mac with its own hostname and serial number. */
function copyMac(hostname: string): string {
  const dir = path.join(scratch, hostname);
  cpSync(path.join(RECORDED_MACS, 'mba-m2-14-camera-denied'), dir, { recursive: true });
  const host = JSON.parse(readFileSync(path.join(dir, 'host.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ ...host, hostname, serialNumber: `ROT-${hostname}` }, null, 2));
  return dir;
}

function agentOn(macDir: string, stateDir?: string): AgentProcess {
  const agent = startAgent(macDir, url, ENROLL_SECRET, stateDir);
  processes.push(agent);
  return agent;
}

/** The pinned keys in the agent's credentials.json (key id -> public key). */
const pinned = (agent: AgentProcess): Record<string, string> => {
  const file = path.join(agent.stateDir, 'credentials.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { serverKeys?: Record<string, string> }).serverKeys ?? {} : {};
};

/** The device id once the agent has enrolled and its socket is open on this instance. */
async function connected(agent: AgentProcess): Promise<string> {
  return waitFor('the agent to enroll and connect', async () => {
    const file = path.join(agent.stateDir, 'credentials.json');
    const deviceId = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string }).deviceId : undefined;
    return deviceId && app.services.registry.get(deviceId) ? deviceId : undefined;
  }, 40_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- agent log\n${agent.logs().slice(-3000)}`);
  });
}

const finished = (id: string, agent: AgentProcess) => waitFor(`command ${id} to finish`, async () => {
  const c = await api<CommandView>('GET', `/api/v1/commands/${id}`);
  return TERMINAL.includes(c.status) ? c : undefined;
}, 40_000).catch((err: Error) => {
  throw new Error(`${err.message}\n--- agent log\n${agent.logs().slice(-3000)}`);
});

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

describe('signing-key rotation without re-enrolling', () => {
  let online: AgentProcess;
  let onlineId: string;

  it('after rotate and activate, agents enrolled under the old key run commands signed by the new one, connected or offline meanwhile', async () => {
    online = agentOn(copyMac('rot-online'));
    onlineId = await connected(online);
    const offlineDir = copyMac('rot-offline');
    const first = agentOn(offlineDir);
    const offlineId = await connected(first);
    await first.stop();
    const old = (await app.services.keys.get()).active.keyId;
    expect(Object.keys(pinned(online))).toEqual([old]);

    const next = await rotateSigningKey(db.prisma, TEST_KEY_ENCRYPTION_KEY, 'e2e');
    await app.services.keys.refresh(); // what the 10 s re-read does: the announcement goes to connected agents
    await waitFor('the connected agent to pin the announced key', async () => (pinned(online)[next.keyId] === next.publicKey ? true : undefined), 20_000);
    await activateSigningKey(db.prisma, TEST_KEY_ENCRYPTION_KEY, 'e2e', new Date(Date.now() + (ACTIVATE_AFTER_SECONDS + 1) * 1000));
    await app.services.keys.refresh();
    expect((await app.services.keys.get()).active.keyId).toBe(next.keyId);

    const toOnline = await api<CommandView>('POST', `/api/v1/devices/${onlineId}/commands`, { action: RESET_CAMERA });
    const toOffline = await api<CommandView>('POST', `/api/v1/devices/${offlineId}/commands`, { action: RESET_CAMERA });
    const stored = await db.prisma.command.findMany({ where: { id: { in: [toOnline.id, toOffline.id] } }, select: { keyId: true } });
    expect(stored.map((c) => c.keyId)).toEqual([next.keyId, next.keyId]);
    expect(await finished(toOnline.id, online)).toMatchObject({ status: 'succeeded', exitCode: 0 });

    // The offline Mac still pins only the old key: at connect it is sent the announcement, then the command.
    const offline = agentOn(offlineDir, first.stateDir);
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
  });
});
