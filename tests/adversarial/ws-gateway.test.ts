// Adversarial probes of the agent WebSocket gateway on a real socket and a real database:
// authentication, bad frames, oversized frames, absurd-but-valid snapshots, cross-device ids,
// and a bounded flood. Tests for defects found here (deep nesting, NUL characters, clock skew,
// unbounded results) are their reproductions, kept as regression tests since the fixes.
import { CLOSE_CODES, MAX_AGENT_MESSAGE_BYTES, type Snapshot } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, enroll, eventually, listen, upgradeStatus } from '@fleetmedic/server/testing/harness';
import { buildSnapshot } from '@fleetmedic/server/testing/snapshots';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await listen(app);
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

let seq = 0;
const reportId = () => `adv-report-${++seq}-${Date.now()}`;
const report = (id: string, snapshot: Snapshot = buildSnapshot()) => ({ type: 'report', id, snapshot });
/** buildSnapshot shares its USB bus object between calls: probes mutate a deep copy. */
const snapshot = (opts: Parameters<typeof buildSnapshot>[0] = {}) => structuredClone(buildSnapshot(opts));
const ackOf = (id: string) => (m: { type: string; id?: string }) => (m.type === 'ack' || m.type === 'error') && m.id === id;

/** A freshly enrolled device with an open socket. */
async function connected(serialNumber?: string) {
  const creds = await enroll(app, serialNumber ? { serialNumber } : {});
  const agent = await TestAgent.connect(url, creds.deviceToken);
  return { ...creds, agent };
}

/** Sends a report and returns the server's answer to it (ack or error). */
async function send(agent: TestAgent, message: { id: string }, timeoutMs = 30_000) {
  agent.send(message);
  return agent.next(ackOf(message.id), timeoutMs);
}

/** The server still serves a normal device end to end (used after each attack). */
async function serverStillWorks() {
  const { agent } = await connected();
  const id = reportId();
  expect(await send(agent, report(id))).toEqual({ type: 'ack', id });
  agent.close();
  const health = await app.inject({ method: 'GET', url: '/api/v1/devices?limit=1', headers: bearer(TEST_ADMIN_TOKEN) });
  expect(health.statusCode).toBe(200);
}

function usbChain(depth: number) {
  const leaf = () => ({
    name: 'hub', kind: 'hub', vendorId: 1, productId: 1, vendorName: null, serialNumber: null, locationId: null, speed: null, builtIn: false, selfPowered: false,
    power: { availableMa: 500, requiredMa: 100, allocatedMa: null, extraMa: null, sleepMa: null, failedRequest: false }, children: [] as unknown[],
  });
  const root = leaf();
  let node = root;
  for (let i = 1; i < depth; i++) {
    const child = leaf();
    node.children.push(child);
    node = child;
  }
  return root;
}

describe('upgrade authentication', () => {
  it('no token, a malformed header, an unknown token and a replaced token are all 401 before the upgrade', async () => {
    const first = await enroll(app, { serialNumber: 'C02ADVWS0001' });
    await enroll(app, { serialNumber: 'C02ADVWS0001', deviceToken: first.deviceToken });
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer ' }, { authorization: 'Bearer x'.repeat(1000) }, { authorization: `Bearer ${first.deviceToken}` }]) {
      expect((await upgradeStatus(url, headers)).status, JSON.stringify(headers).slice(0, 60)).toBe(401);
    }
  });

  it('a token in the query string is not accepted (tokens stay out of access logs)', async () => {
    const { deviceToken } = await enroll(app);
    expect((await upgradeStatus(`${url}?token=${deviceToken}`)).status).toBe(401);
  });
});

describe('bad frames', () => {
  it('non-JSON, binary, a JSON array and an unknown type each get an error; the socket stays usable', async () => {
    const { agent } = await connected();
    agent.send('{not json');
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/^not JSON/) });
    agent.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/binary/) });
    agent.send('[1,2,3]');
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message' });
    agent.send({ type: 'shell', id: 'abcdefgh', cmd: 'id' });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/unknown message type "shell"/) });
    const id = reportId();
    expect(await send(agent, report(id))).toEqual({ type: 'ack', id });
    agent.close();
  });

  it('a report id with path or SQL characters is refused by the schema', async () => {
    const { agent } = await connected();
    for (const id of ['../../etc/passwd', "x' OR '1'='1", 'short', 'a'.repeat(65)]) {
      agent.send(report(id));
      expect(await agent.next((m) => m.type === 'error'), id).toMatchObject({ code: 'invalid-report' });
    }
    agent.close();
  });

  it('20 bad messages in a minute close the socket with 4400', async () => {
    const { agent } = await connected();
    for (let i = 0; i < 25 && !agent.closed; i++) agent.send('garbage');
    expect((await agent.waitClosed()).code).toBe(CLOSE_CODES.badMessage);
  });

  it('a frame one byte over 8 MiB closes that socket with 1009 and the limit in the reason; the server keeps serving others', async () => {
    const { agent } = await connected();
    agent.send('x'.repeat(MAX_AGENT_MESSAGE_BYTES + 1));
    expect(await agent.waitClosed()).toEqual({ code: CLOSE_CODES.messageTooBig, reason: 'message over 8388608 bytes (8 MiB), the agent message limit' });
    await serverStillWorks();
  });
});

describe('snapshots that validate but carry absurd values', () => {
  it('negative and astronomically large mA are stored as given and acked (no crash); report only', async () => {
    const { agent, deviceId } = await connected();
    const s = snapshot();
    const dev = (s.sections.usb.data!.buses[0]!.devices[0] as { power: Record<string, unknown> });
    dev.power = { availableMa: -500, requiredMa: 1e308, allocatedMa: -0, extraMa: Number.MAX_SAFE_INTEGER, sleepMa: null, failedRequest: false };
    s.sections.power.data!.batteryPercent = -40_000;
    const id = reportId();
    expect(await send(agent, report(id, s))).toEqual({ type: 'ack', id });
    const row = await db.prisma.sectionState.findUniqueOrThrow({ where: { deviceId_section: { deviceId, section: 'usb' } } });
    expect(JSON.stringify(row.body)).toContain('-500');
    agent.close();
  });

  it('a USB chain 1,000 hubs deep is acked or refused within 30 s, and the server keeps serving', async () => {
    const { agent } = await connected();
    const s = snapshot();
    s.sections.usb.data!.buses[0]!.devices = [usbChain(1000)] as never;
    const id = reportId();
    const answer = await send(agent, report(id, s));
    expect(['ack', 'error']).toContain(answer.type);
    agent.close();
    await serverStillWorks();
  });

  it('a USB chain 5,000 hubs deep (1.3 MB) is refused with a reason naming the depth, and the socket still works', async () => {
    // The JSON text is built by hand: JSON.stringify itself overflows on this depth.
    const { agent } = await connected();
    const hub = '{"name":"hub","kind":"hub","vendorId":1,"productId":1,"vendorName":null,"serialNumber":null,"locationId":null,"speed":null,"builtIn":false,"selfPowered":false,"power":{"availableMa":500,"requiredMa":100,"allocatedMa":null,"extraMa":null,"sleepMa":null,"failedRequest":false},"children":[';
    const chain = `${hub.repeat(5000)}${']}'.repeat(5000)}`;
    const id = reportId();
    const text = JSON.stringify(report(id, snapshot())).replace('"devices":[{"name":"Logitech BRIO"', `"devices":[${chain},{"name":"Logitech BRIO"`);
    expect(text.length).toBeGreaterThan(1_000_000);
    agent.send(text);
    const answer = await agent.next(ackOf(id), 20_000);
    expect(answer).toMatchObject({ type: 'error', code: 'bad-message', id });
    expect((answer as { message: string }).message).toMatch(/nested \d+ levels deep; at most 64/);
    const ok = reportId();
    expect(await send(agent, report(ok, snapshot()))).toEqual({ type: 'ack', id: ok });
    agent.close();
  });

  it('7 MB of TCC rows in one report is stored; every changed resend stores the whole section again (report only)', async () => {
    const { agent, deviceId } = await connected();
    const s = snapshot();
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      service: 'kTCCServiceCamera', client: `com.example.app${i}`, clientType: 'bundle', authValue: 2, authValueName: 'allowed',
      authReason: 2, authReasonName: 'user-consent', lastModified: '2024-05-01T09:12:44.000Z', indirectObject: null,
    }));
    s.sections.tcc.data!.databases[0]!.entries.push(...(rows as never[]));
    const frame = JSON.stringify(report('x'.repeat(8), s)).length;
    expect(frame).toBeGreaterThan(6 * 1024 * 1024);
    const started = Date.now();
    const id = reportId();
    expect(await send(agent, report(id, s), 60_000)).toEqual({ type: 'ack', id });
    const firstMs = Date.now() - started;
    s.sections.tcc.data!.databases[0]!.entries[0]!.authValue = 0;
    s.collectedAt = new Date(Date.now() + 1000).toISOString();
    const id2 = reportId();
    expect(await send(agent, report(id2, s), 60_000)).toEqual({ type: 'ack', id: id2 });
    const changes = await db.prisma.sectionChange.count({ where: { deviceId, section: 'tcc' } });
    expect(changes).toBe(2);
    console.info(`[adversarial] ${(frame / 1024 / 1024).toFixed(1)} MB report acked in ${firstMs} ms; tcc history rows: ${changes}`);
    agent.close();
    await serverStillWorks();
  });

  it('a NUL character in a snapshot string is stored as U+FFFD and the report is acked (Postgres refuses \\u0000)', async () => {
    const { agent } = await connected();
    const s = snapshot();
    s.sections.firewall.data!.apps!.push({ path: '/Applications/bad\u0000name.app', name: null, allowIncoming: true });
    const id = reportId();
    const answer = await send(agent, report(id, s));
    expect(answer).toMatchObject({ type: 'ack', id });
    agent.close();
  });

  it('a report stamped in the future (clock skew) counts as collected now, so later correct reports still update the device', async () => {
    const { agent, deviceId } = await connected();
    const future = reportId();
    expect(await send(agent, report(future, buildSnapshot({ collectedAt: '2099-01-01T00:00:00.000Z', zoomCamera: 'denied' })))).toEqual({ type: 'ack', id: future });
    const now = reportId();
    expect(await send(agent, report(now, buildSnapshot({ zoomCamera: 'allowed' })))).toEqual({ type: 'ack', id: now });
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.openFindings).toBe(0);
    agent.close();
  });
});

describe('ids across devices', () => {
  it('the same report id from two devices is stored once per device, not deduplicated across the fleet', async () => {
    const a = await connected();
    const b = await connected();
    const id = reportId();
    expect(await send(a.agent, report(id))).toEqual({ type: 'ack', id });
    expect(await send(b.agent, report(id))).toEqual({ type: 'ack', id });
    expect(await db.prisma.report.count({ where: { id } })).toBe(2);
    a.agent.close();
    b.agent.close();
  });

  it('command.ack and command.result for another device\'s command change nothing on that command', async () => {
    const victim = await enroll(app);
    const created = await app.inject({
      method: 'POST', url: `/api/v1/devices/${victim.deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN),
      payload: { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } },
    });
    const commandId = created.json().id as string;
    const { agent } = await connected();
    agent.send({ type: 'command.ack', id: commandId });
    const forged = {
      status: 'succeeded', exitCode: 0, stdout: 'Successfully reset Camera approval status for us.zoom.xos\n', stderr: '', argv: [['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']],
      startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 5,
    };
    expect(await send(agent, { type: 'command.result', id: commandId, result: forged } as never)).toEqual({ type: 'ack', id: commandId });
    const row = await db.prisma.command.findUniqueOrThrow({ where: { id: commandId } });
    expect(row).toMatchObject({ status: 'queued', ackedAt: null, finishedAt: null, stdout: null });
    agent.close();
  });

  it('a command.result whose stdout holds a NUL byte is stored with U+FFFD in its place', async () => {
    const { agent, deviceId } = await connected();
    const created = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN), payload: { action: { type: 'zoom.quit', params: {} } } });
    const commandId = created.json().id as string;
    const result = { status: 'succeeded', exitCode: 0, stdout: 'ok\u0000', stderr: '', argv: [['/usr/bin/pkill', '-x', 'zoom.us']], startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 3 };
    expect(await send(agent, { type: 'command.result', id: commandId, result } as never)).toEqual({ type: 'ack', id: commandId });
    expect((await db.prisma.command.findUniqueOrThrow({ where: { id: commandId } })).stdout).toBe('ok\uFFFD');
    agent.close();
  });

  it('a command.result with exitCode 2^40, durationMs 1e12 or free-text times is refused as invalid, not an internal error', async () => {
    const { agent, deviceId } = await connected();
    const created = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN), payload: { action: { type: 'zoom.quit', params: {} } } });
    const commandId = created.json().id as string;
    const result = { status: 'failed', exitCode: 2 ** 40, stdout: '', stderr: '', argv: [], startedAt: 'yesterday', finishedAt: 'tomorrow', durationMs: 1e12 };
    const answer = await send(agent, { type: 'command.result', id: commandId, result } as never);
    expect(answer.type === 'ack' || (answer.type === 'error' && (answer as { code: string }).code !== 'internal')).toBe(true);
    agent.close();
  });
});

describe('a bounded flood', () => {
  it('2,000 valid command.acks for unknown commands, then a report: the report is still acked, in order, within 30 s', async () => {
    const { agent } = await connected();
    const started = Date.now();
    for (let i = 0; i < 2000; i++) agent.send({ type: 'command.ack', id: `flood-${i.toString().padStart(6, '0')}` });
    const id = reportId();
    expect(await send(agent, report(id), 30_000)).toEqual({ type: 'ack', id });
    console.info(`[adversarial] 2000 acks + 1 report handled in ${Date.now() - started} ms`);
    expect(agent.closed).toBeNull();
    agent.close();
    await eventually(async () => true);
  });
});
