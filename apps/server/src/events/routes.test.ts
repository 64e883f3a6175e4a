import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, TestAgent, bearer, buildTestApp, createToken, enroll, eventually, listen } from '../testing/harness.js';
import { SseClient, type SseEvent } from '../testing/sse.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { TEST_KEY_ENCRYPTION_KEY } from '../testing/test-kek.js';
import { formatSse, redactTokenInUrl } from './routes.js';

let db: TestDatabase;
let app: FleetMedicApp;
let base: string;
let wsUrl: string;
let viewer: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  wsUrl = await listen(app);
  base = wsUrl.replace(/^ws/, 'http').replace('/api/v1/agent/ws', '');
  viewer = await createToken(app, 'dashboard-events', 'viewer');
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
const isDevice = (deviceId: string) => (e: SseEvent) => e.event === 'device.updated' && (e.data as { deviceId: string }).deviceId === deviceId;
/** A command.updated event of `commandId` (with `status` when given). */
const isCommand = (commandId: string, status?: string) => (e: SseEvent) =>
  e.event === 'command.updated' && (e.data as { commandId: string }).commandId === commandId && (status === undefined || (e.data as { status: string }).status === status);

async function openStream(query = `?token=${viewer}`, headers: Record<string, string> = {}) {
  const sse = await SseClient.open(`${base}/api/v1/events${query}`, headers);
  if (sse.status === 200) await sse.next((e) => e.event === 'ready');
  return sse;
}

describe('GET /api/v1/events', () => {
  it('refuses a missing or unknown token with 401 and a reason', async () => {
    const none = await SseClient.open(`${base}/api/v1/events`);
    expect(none.status).toBe(401);
    expect(none.error).toEqual({ error: 'unauthorized', message: expect.stringContaining('missing API token') });
    const unknown = await SseClient.open(`${base}/api/v1/events?token=not-a-token`);
    expect(unknown.status).toBe(401);
    expect(unknown.error).toMatchObject({ message: 'unknown API token: this route needs a viewer, operator or admin API token' });
  });

  it('streams text/event-stream with a ready event naming the instance, by ?token= or by Authorization header', async () => {
    const byQuery = await SseClient.open(`${base}/api/v1/events?token=${viewer}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.contentType).toBe('text/event-stream; charset=utf-8');
    expect(await byQuery.next((e) => e.event === 'ready')).toEqual({ event: 'ready', data: { instanceId: app.services.instanceId } });
    byQuery.close();
    const byHeader = await SseClient.open(`${base}/api/v1/events`, bearer(viewer));
    expect(byHeader.status).toBe(200);
    expect((await byHeader.next((e) => e.event === 'ready')).data).toEqual({ instanceId: app.services.instanceId });
    byHeader.close();
  });

  it('sends device.updated on enroll and connect, and command.updated for each status of a command', async () => {
    const sse = await openStream();
    const { deviceId, deviceToken } = await enroll(app, { hostname: 'carol-mbp' });
    await sse.next(isDevice(deviceId)); // enrolled
    const post = async () => {
      const created = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN), payload: { action: RESET_CAMERA } });
      expect(created.statusCode).toBe(201);
      return created.json() as { id: string; status: string };
    };
    // Offline: stored queued, sent at connect.
    const waiting = await post();
    expect(waiting.status).toBe('queued');
    expect((await sse.next(isCommand(waiting.id, 'queued'))).data).toEqual({ commandId: waiting.id, deviceId, status: 'queued' });
    const agent = await TestAgent.connect(wsUrl, deviceToken);
    await sse.next(isDevice(deviceId)); // online, committed before the connect-time delivery
    await sse.next(isCommand(waiting.id, 'sent'));
    expect((await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).online).toBe(true);
    await agent.next((m) => m.type === 'command' && m.command.id === waiting.id);

    // Connected: stored sent by the statement that creates it, so its first event says sent.
    const direct = await post();
    expect(direct.status).toBe('sent');
    expect((await sse.next(isCommand(direct.id))).data).toEqual({ commandId: direct.id, deviceId, status: 'sent' });
    await agent.next((m) => m.type === 'command' && m.command.id === direct.id);
    agent.send({ type: 'command.ack', id: direct.id });
    expect((await sse.next(isCommand(direct.id, 'acknowledged'))).data).toEqual({ commandId: direct.id, deviceId, status: 'acknowledged' });
    agent.close();
    await sse.next(isDevice(deviceId)); // offline
    sse.close();
  });

  it('sends nothing for an update of lastSeenAt / lastReportAt / lastCollectedAt / reportCount / lastReportId only (heartbeats, unchanged reports), but does for a real change', async () => {
    const quiet = await enroll(app);
    const marker = await enroll(app);
    const sse = await openStream();
    await db.prisma.device.update({ where: { id: quiet.deviceId }, data: { lastSeenAt: new Date(), lastReportAt: new Date(), lastCollectedAt: new Date(), reportCount: { increment: 1 }, lastReportId: 'quiet-0002' } });
    await db.prisma.device.update({ where: { id: marker.deviceId }, data: { health: 'ready' } });
    // Notifications arrive in commit order: the first device event after both is the marker's.
    const first = await sse.next((e) => e.event === 'device.updated');
    expect(first.data).toEqual({ deviceId: marker.deviceId });
    await db.prisma.device.update({ where: { id: quiet.deviceId }, data: { health: 'cannot-join' } });
    expect((await sse.next((e) => e.event === 'device.updated')).data).toEqual({ deviceId: quiet.deviceId });
    sse.close();
  });

  it('ends open streams when the app closes', async () => {
    const other = await buildTestApp(db);
    const otherBase = (await other.listen({ port: 0, host: '127.0.0.1' }));
    const sse = await SseClient.open(`${otherBase}/api/v1/events?token=${viewer}`);
    await sse.next((e) => e.event === 'ready');
    expect(other.services.events.subscriberCount).toBe(1);
    await other.close();
    await sse.waitEnded();
  });
});

describe('token redaction', () => {
  it('logs the events URL with its token redacted', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const logged = await buildApp({ db, keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, logger: { level: 'info', stream }, config: { adminToken: TEST_ADMIN_TOKEN, enrollSecrets: [TEST_ENROLL_SECRET] } });
    const url = await logged.listen({ port: 0, host: '127.0.0.1' });
    const sse = await SseClient.open(`${url}/api/v1/events?token=${viewer}`);
    await sse.next((e) => e.event === 'ready');
    sse.close();
    await logged.close();
    const incoming = await eventually(async () => lines.find((l) => l.includes('"url":"/api/v1/events')));
    expect(JSON.parse(incoming).req.url).toBe('/api/v1/events?token=[redacted]');
    expect(lines.join('')).not.toContain(viewer);
  });

  it('redactTokenInUrl and formatSse', () => {
    expect(redactTokenInUrl('/api/v1/events?a=1&token=abc&b=2')).toBe('/api/v1/events?a=1&token=[redacted]&b=2');
    expect(redactTokenInUrl('/api/v1/devices')).toBe('/api/v1/devices');
    expect(formatSse('device.updated', { deviceId: 'd1' })).toBe('event: device.updated\ndata: {"deviceId":"d1"}\n\n');
  });
});
