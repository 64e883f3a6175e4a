// Adversarial probes of batches (POST /api/v1/batches, POST /api/v1/remediations) on a real server
// and database: hostile bodies, and concurrent batches that would queue the same action twice.
// Defect found here: batches were serialized per kind (`remediation:<finding>` and
// `bulk:<action type>` advisory locks), so a remediation and a bulk command carrying the same
// action (tcc.reset Camera us.zoom.xos) planned side by side, neither saw the other's commands,
// and Macs got the same reset queued twice.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, useTestApp } from '@fleetmedic/server/testing/harness';
import { buildSnapshot } from '@fleetmedic/server/testing/snapshots';

const ctx = useTestApp();

const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
const IN_FLIGHT = ['queued', 'sent', 'acknowledged'];

/** Enrolls a Mac with the Zoom camera denied, reports once (the finding opens) and disconnects. */
async function deniedMac(hostname: string) {
  const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
  const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
  const agent = await TestAgent.connect(ctx.url, deviceToken);
  const id = `report-${randomUUID()}`;
  agent.send({ type: 'report', id, snapshot: buildSnapshot({ hostname, serialNumber, zoomCamera: 'denied' }) });
  await agent.next((m) => m.type === 'ack' && m.id === id);
  agent.close();
  return deviceId;
}

const post = (url: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url, headers: bearer(ctx.operator), payload });

describe('batches: hostile bodies', () => {
  it.each([
    ['no action', { dryRun: true }],
    ['null action', { action: null, dryRun: true }],
    ['an array as action', { action: [RESET_CAMERA], dryRun: true }],
    ['shell text', { action: { type: 'shell', params: { command: 'rm -rf /' } }, dryRun: true }],
    ['an extra parameter', { action: { type: 'tcc.reset', params: { ...RESET_CAMERA.params, extra: 1 } }, dryRun: true }],
    ['a bundle id with a quote', { action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: "us.zoom.xos'; DROP TABLE \"Command\";--" } }, dryRun: true }],
    ['an unknown filter field', { action: RESET_CAMERA, dryRun: true, filter: { hostname: 'x' } }],
    ['a filter search of 10,000 characters', { action: RESET_CAMERA, dryRun: true, filter: { search: 'a'.repeat(10_000) } }],
    ['a filter search with a NUL', { action: RESET_CAMERA, dryRun: true, filter: { search: 'a\u0000b' } }],
    ['an unknown finding in the filter', { action: RESET_CAMERA, dryRun: true, filter: { finding: "x' OR 1=1" } }],
    ['dryRun as a string', { action: RESET_CAMERA, dryRun: 'false' }],
    ['__proto__ in the body', JSON.parse('{"action":{"type":"agent.collect","params":{}},"dryRun":true,"__proto__":{"dryRun":false}}') as Record<string, unknown>],
  ])('%s: 400, nothing queued', async (_name, body) => {
    const before = await ctx.db.prisma.command.count();
    const res = await post('/api/v1/batches', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBeTruthy();
    expect(await ctx.db.prisma.command.count()).toBe(before);
  });

  it('GET /api/v1/batches/:id with a non-uuid or unknown id: 400 / 404', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: "/api/v1/batches/'%20OR%201=1", headers: bearer(ctx.viewer) })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${randomUUID()}`, headers: bearer(ctx.viewer) })).statusCode).toBe(404);
  });
});

describe('batches: concurrent batches with the same action', () => {
  it('a remediation and a bulk command of the same reset, fired together, never queue it twice on one Mac', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await deniedMac(`race-${i.toString().padStart(2, '0')}`));
    const filter = { search: 'race-' };
    // Three of each at once: same-kind batches serialize; the question is remediation against bulk.
    const answers = await Promise.all([
      ...Array.from({ length: 3 }, () => post('/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: false, filter })),
      ...Array.from({ length: 3 }, () => post('/api/v1/batches', { action: RESET_CAMERA, dryRun: false, filter })),
    ]);
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1); // the first one queues for all 30
    expect(statuses.filter((s) => s === 409)).toHaveLength(5); // the others find every Mac skipped
    const inFlight = await ctx.db.prisma.command.groupBy({
      by: ['deviceId'], where: { deviceId: { in: ids }, type: 'tcc.reset', status: { in: IN_FLIGHT } }, _count: { _all: true },
    });
    expect(inFlight).toHaveLength(30);
    expect(inFlight.filter((g) => g._count._all > 1)).toEqual([]);
  });
});
