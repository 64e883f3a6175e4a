// End to end: the real server on a real Postgres (or PGlite without DATABASE_URL), real agent
// processes on recorded Macs, real sockets. Enroll, report, the right findings per Mac, then a
// tcc.reset delivered, its result stored, and the finding moved on by the agent's re-collect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FleetMedicApp } from '@fleetmedic/server';
import { FINDING_CATALOG, judgeHealth } from '@fleetmedic/diagnosis';
import type { FindingId } from '@fleetmedic/protocol';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { hostOf, scenarioOf, startAgent, waitFor, type AgentProcess } from './support/agents.js';

const ENROLL_SECRET = 'e2e-enroll-secret-0123456789';
const ADMIN_TOKEN = 'fm_admin_e2e_0123456789abcdefghijklmnop';
const MACS = [
  'mba-m2-14-camera-denied',
  'mbp-m1pro-15-microphone-denied',
  'mbp-m2pro-26-firewall-blocks-zoom',
  'mbp-m5pro-26-healthy',
  'mbp-m5pro-26-tcc-unreadable',
];

interface DeviceView { id: string; hostname: string; serialNumber: string | null; health: string; openFindings: number; lastReportAt: string | null }
interface FindingView { ruleId: string; key: string; state: string; remedy: { action?: { type: string; params: Record<string, string> } } }
interface CommandView { id: string; status: string; exitCode: number | null; stdout: string | null; reason: string | null; result: unknown }

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
const agents: AgentProcess[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, config: { enrollSecrets: [ENROLL_SECRET], adminToken: ADMIN_TOKEN } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const mac of MACS) agents.push(startAgent(mac, url, ENROLL_SECRET));
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await app?.close();
  await db?.cleanup();
});

describe('a fleet of agent processes on recorded Macs, against the real server', () => {
  let devices: DeviceView[] = [];
  const deviceOf = (mac: string) => devices.find((d) => d.serialNumber === hostOf(mac).serialNumber && d.hostname === hostOf(mac).hostname);

  it('every agent enrolls and its first report is stored', async () => {
    devices = await waitFor('all agents to report', async () => {
      const { devices } = await api<{ devices: DeviceView[] }>('GET', '/api/v1/devices?limit=100');
      return devices.filter((d) => d.lastReportAt).length === MACS.length ? devices : undefined;
    }, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${agents.map((a) => `--- ${a.mac}\n${a.logs().slice(-2000)}`).join('\n')}`);
    });
    expect(devices).toHaveLength(MACS.length);
  });

  it('each Mac gets exactly the findings its recording holds', async () => {
    for (const mac of MACS) {
      const expected = scenarioOf(mac).expectedFindings;
      const device = deviceOf(mac);
      expect(device, `device for ${mac}`).toBeDefined();
      const detail = await api<{ findings: FindingView[] }>('GET', `/api/v1/devices/${device!.id}`);
      const open = [...new Set(detail.findings.filter((f) => f.state === 'open').map((f) => f.ruleId))].sort();
      expect(open, mac).toEqual([...expected].sort());
      // The severity model on the scenario: its findings' catalog severities; unreadable TCC.db leaves tcc unchecked.
      const health = judgeHealth({ openSeverities: expected.map((id) => FINDING_CATALOG[id as FindingId].severity), unknownSections: expected.includes('tcc.unreadable') ? ['tcc'] : [] });
      expect(device!.health, mac).toBe(health);
    }
  });

  it('a tcc.reset reaches the camera-denied Mac, its result is stored, and the re-collect moves the finding to awaiting consent', async () => {
    const device = deviceOf('mba-m2-14-camera-denied')!;
    const before = await api<{ findings: FindingView[] }>('GET', `/api/v1/devices/${device.id}`);
    const camera = before.findings.find((f) => f.ruleId === 'tcc.camera.denied')!;
    expect(camera.remedy.action).toEqual({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } });

    const created = await api<{ command: CommandView } | CommandView>('POST', `/api/v1/devices/${device.id}/commands`, { action: camera.remedy.action });
    const commandId = 'command' in created ? created.command.id : created.id;
    const done = await waitFor('the command to finish', async () => {
      const c = await api<{ command: CommandView } | CommandView>('GET', `/api/v1/commands/${commandId}`);
      const cmd = 'command' in c ? c.command : c;
      return ['succeeded', 'failed', 'timed_out', 'expired', 'cancelled'].includes(cmd.status) ? cmd : undefined;
    });
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toMatch(/Successfully reset Camera approval status for us\.zoom\.xos/);

    const after = await waitFor('the camera finding to leave "open"', async () => {
      const d = await api<{ findings: FindingView[] }>('GET', `/api/v1/devices/${device.id}`);
      const f = d.findings.find((x) => x.ruleId === 'tcc.camera.denied');
      return !f || f.state !== 'open' ? d : undefined;
    });
    const f = after.findings.find((x) => x.ruleId === 'tcc.camera.denied');
    expect(f?.state).toBe('awaiting-consent');
  });

  it('the agents write every report as the gateway reads it a slice at a time (type first), whole and delta', async () => {
    type Stats = { slicedJobs: number; wholeMessages: number; deltaMessages: number };
    // Read on arrival, a report would be counted received and not sliced: at a quiet moment the two agree.
    await expect.poll(async () => {
      const s = await api<Stats>('GET', '/api/v1/agent/ingest-stats');
      return s.slicedJobs - s.wholeMessages - s.deltaMessages;
    }, { timeout: 30_000, interval: 200 }).toBe(0);
    const s = await api<Stats>('GET', '/api/v1/agent/ingest-stats');
    expect(s.wholeMessages).toBeGreaterThanOrEqual(MACS.length);
    expect(s.deltaMessages).toBeGreaterThanOrEqual(1); // the re-collect above
  });
});
