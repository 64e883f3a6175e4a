// Bulk remediation by finding against the real server and a real database: devices report real
// snapshots over real sockets, the diagnosis opens findings, then dry run, batch, batch status.
import { randomUUID } from 'node:crypto';
import type { Snapshot } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';

const ctx = useTestApp();

const RESET_CAMERA = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };

/** A camera-denied snapshot whose Zoom camera row was set by an MDM PPPC profile (auth_reason 6). */
function mdmDeniedSnapshot(hostname: string, serialNumber: string): Snapshot {
  const s = buildSnapshot({ hostname, serialNumber, zoomCamera: 'denied' });
  const entry = s.sections.tcc.data!.databases[0]!.entries.find((e) => e.service === 'kTCCServiceCamera')!;
  Object.assign(entry, { authReason: 6, authReasonName: 'mdm-policy' });
  return s;
}

/** Enrolls a Mac, connects it, reports `snapshot` and waits for the ack (the findings are stored then). */
async function macReporting(hostname: string, snapshot: (serial: string) => Snapshot) {
  const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
  const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
  const agent = await TestAgent.connect(ctx.url, deviceToken);
  ctx.agents.push(agent);
  const id = `report-${randomUUID()}`;
  agent.send({ type: 'report', id, snapshot: snapshot(serialNumber) });
  await agent.next((m) => m.type === 'ack' && m.id === id);
  return { deviceId, agent, hostname };
}

const post = (payload: unknown, token = ctx.operator) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/remediations', headers: bearer(token), payload: payload as Record<string, unknown> });

describe('POST /api/v1/remediations and GET /api/v1/batches/:id', () => {
  let denied: Awaited<ReturnType<typeof macReporting>>;
  let alsoDenied: Awaited<ReturnType<typeof macReporting>>;
  let mdm: Awaited<ReturnType<typeof macReporting>>;

  beforeAll(async () => {
    denied = await macReporting('bulk-anna-mbp', (serial) => buildSnapshot({ hostname: 'bulk-anna-mbp', serialNumber: serial, zoomCamera: 'denied' }));
    alsoDenied = await macReporting('bulk-boris-mba', (serial) => buildSnapshot({ hostname: 'bulk-boris-mba', serialNumber: serial, zoomCamera: 'denied' }));
    mdm = await macReporting('bulk-carla-imac', (serial) => mdmDeniedSnapshot('bulk-carla-imac', serial));
    await macReporting('bulk-dora-healthy', (serial) => buildSnapshot({ hostname: 'bulk-dora-healthy', serialNumber: serial }));
  });

  it('a dry run lists the targets with their remedy action and the MDM-managed Mac as skipped, and changes nothing', async () => {
    const auditBefore = await ctx.db.prisma.auditLog.count();
    const res = await post({ findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'bulk-' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ batchId: null, findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'bulk-' } });
    expect(body.targets).toEqual([
      { deviceId: denied.deviceId, hostname: 'bulk-anna-mbp', findingKey: 'tcc.camera.denied:us.zoom.xos', action: RESET_CAMERA },
      { deviceId: alsoDenied.deviceId, hostname: 'bulk-boris-mba', findingKey: 'tcc.camera.denied:us.zoom.xos', action: RESET_CAMERA },
    ]);
    expect(body.skipped).toHaveLength(1);
    expect(body.skipped[0]).toMatchObject({ deviceId: mdm.deviceId, hostname: 'bulk-carla-imac', findingKey: 'tcc.camera.denied:mdm:us.zoom.xos' });
    expect(body.skipped[0].reason).toBe(
      'no automatic remedy for this finding: A configuration profile from your MDM (PPPC payload, auth_reason mdm-policy) denies Zoom the camera. '
      + 'A local reset cannot override it: change or remove the PPPC payload for us.zoom.xos (kTCCServiceCamera) in your MDM.',
    );
    expect(await ctx.db.prisma.command.count({ where: { deviceId: { in: [denied.deviceId, alsoDenied.deviceId, mdm.deviceId] } } })).toBe(0);
    expect(await ctx.db.prisma.auditLog.count()).toBe(auditBefore);
  });

  it('the device-list filters narrow the targets (search by hostname)', async () => {
    const res = await post({ findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'boris' } });
    expect(res.json().targets.map((t: { hostname: string }) => t.hostname)).toEqual(['bulk-boris-mba']);
    expect(res.json().skipped).toEqual([]);
  });

  it('queues one signed command per Mac with a shared batchId, audited, and the batch status follows the results', async () => {
    const res = await post({ findingId: 'tcc.camera.denied', dryRun: false, filter: { search: 'bulk-' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.targets.map((t: { hostname: string }) => t.hostname)).toEqual(['bulk-anna-mbp', 'bulk-boris-mba']);
    const rows = await ctx.db.prisma.command.findMany({ where: { batchId: body.batchId }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.deviceId).sort()).toEqual([denied.deviceId, alsoDenied.deviceId].sort());
    expect(rows.every((r) => r.type === 'tcc.reset' && r.createdBy === 'fleet-operator')).toBe(true);

    // Both Macs are connected: each gets its command at once, signed.
    const a = await denied.agent.next<Extract<import('@fleetmedic/protocol').ServerMessage, { type: 'command' }>>((m) => m.type === 'command');
    const b = await alsoDenied.agent.next<Extract<import('@fleetmedic/protocol').ServerMessage, { type: 'command' }>>((m) => m.type === 'command');
    expect(a.command.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect([a.command.id, b.command.id].sort()).toEqual(body.targets.map((t: { commandId: string }) => t.commandId).sort());

    // Audit: the batch with its commands and skipped Macs, and one command.create per command.
    const batchAudit = await ctx.db.prisma.auditLog.findMany({ where: { action: 'remediation.create', target: `batch:${body.batchId}` } });
    expect(batchAudit).toHaveLength(1);
    expect(batchAudit[0]).toMatchObject({
      actor: 'fleet-operator',
      params: {
        findingId: 'tcc.camera.denied',
        filter: { search: 'bulk-' },
        skipped: [{ deviceId: mdm.deviceId, reason: expect.stringMatching(/^no automatic remedy for this finding: A configuration profile from your MDM/) }],
      },
    });
    expect((batchAudit[0]!.params as { commandCount: number }).commandCount).toBe(2);
    const perCommand = await ctx.db.prisma.auditLog.findMany({ where: { action: 'command.create', actor: 'fleet-operator', target: { in: [`device:${denied.deviceId}`, `device:${alsoDenied.deviceId}`] } } });
    expect(perCommand.map((r) => (r.params as { batchId: string }).batchId)).toEqual([body.batchId, body.batchId]);

    const status = async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${body.batchId}`, headers: bearer(ctx.viewer) })).json();
    await eventually(async () => (await status()).counts.pending === 2);
    expect((await status())).toMatchObject({
      id: body.batchId, findingId: 'tcc.camera.denied', createdBy: 'fleet-operator',
      counts: { total: 2, succeeded: 0, failed: 0, pending: 2, timedOut: 0, expired: 0, cancelled: 0 },
      skipped: [{ deviceId: mdm.deviceId, hostname: 'bulk-carla-imac' }],
    });

    const result = (status: 'succeeded' | 'failed', reason: string) => ({
      status, exitCode: status === 'succeeded' ? 0 : 1, stdout: '', stderr: '', reason, argv: [['/usr/bin/tccutil', 'reset', 'Camera', 'us.zoom.xos']],
      startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 3,
    });
    denied.agent.send({ type: 'command.result', id: a.command.id, result: result('succeeded', 'reset Camera for us.zoom.xos') });
    alsoDenied.agent.send({ type: 'command.result', id: b.command.id, result: result('failed', 'no such bundle identifier "us.zoom.xos" (OSStatus -10814)') });
    await eventually(async () => (await status()).counts.pending === 0);
    const done = await status();
    expect(done.counts).toEqual({ total: 2, succeeded: 1, failed: 1, pending: 0, timedOut: 0, expired: 0, cancelled: 0 });
    // The batch pages in command-id order: sort by hostname to compare.
    expect(done.commands.map((c: { hostname: string; status: string; reason: string }) => [c.hostname, c.status, c.reason]).sort()).toEqual([
      ['bulk-anna-mbp', 'succeeded', 'reset Camera for us.zoom.xos'],
      ['bulk-boris-mba', 'failed', 'no such bundle identifier "us.zoom.xos" (OSStatus -10814)'],
    ]);
  });

  it('skips a Mac whose same command is still on its way, and answers 409 when no Mac is left', async () => {
    const { deviceId } = await macReporting('pending-erik-mbp', (serial) => buildSnapshot({ hostname: 'pending-erik-mbp', serialNumber: serial, zoomCamera: 'denied' }));
    const first = await post({ findingId: 'tcc.camera.denied', dryRun: false, filter: { search: 'pending-erik' } });
    expect(first.statusCode).toBe(201);
    const commandId = first.json().targets[0].commandId as string;
    const again = await post({ findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'pending-erik' } });
    expect(again.json().targets).toEqual([]);
    expect(again.json().skipped).toEqual([{
      deviceId, hostname: 'pending-erik-mbp', findingKey: 'tcc.camera.denied:us.zoom.xos',
      reason: expect.stringMatching(new RegExp(`^command ${commandId} with the same action \\(tcc.reset\\) is already (queued|sent)$`)),
    }]);
    const refused = await post({ findingId: 'tcc.camera.denied', dryRun: false, filter: { search: 'pending-erik' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: 'conflict', message: 'no Mac to remediate for tcc.camera.denied: 1 with the finding open, all skipped; nothing was queued' });
  });

  it('answers 401 without or with an unknown token, 403 for a viewer, 400 for an unknown finding id or a missing dryRun, 404 for an unknown batch', async () => {
    const none = await ctx.app.inject({ method: 'POST', url: '/api/v1/remediations', payload: { findingId: 'tcc.camera.denied', dryRun: true } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'unauthorized', message: 'missing API token: this route needs an operator or admin API token; send Authorization: Bearer <API token>' });
    const unknown = await post({ findingId: 'tcc.camera.denied', dryRun: true }, 'fm_not_a_real_token_0123456789');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual({ error: 'unauthorized', message: 'unknown API token: this route needs an operator or admin API token' });
    const asViewer = await post({ findingId: 'tcc.camera.denied', dryRun: false }, ctx.viewer);
    expect(asViewer.statusCode).toBe(403);
    expect(asViewer.json()).toEqual({ error: 'forbidden', message: 'API token "fleet-viewer" has role viewer; this route needs an operator or admin API token' });
    const badFinding = await post({ findingId: 'tcc.webcam.denied', dryRun: true });
    expect(badFinding.statusCode).toBe(400);
    expect(badFinding.json().message).toMatch(/^unknown finding id "tcc.webcam.denied"; known: tcc.camera.denied, /);
    const noDryRun = await post({ findingId: 'tcc.camera.denied' });
    expect(noDryRun.statusCode).toBe(400);
    expect(noDryRun.json().message).toMatch(/dryRun/);
    const noBatch = await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${randomUUID()}`, headers: bearer(ctx.viewer) });
    expect(noBatch.statusCode).toBe(404);
    const batchNoToken = await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${randomUUID()}` });
    expect(batchNoToken.statusCode).toBe(401);
    const adminDry = await post({ findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'nobody-matches-this' } }, TEST_ADMIN_TOKEN);
    expect(adminDry.json()).toMatchObject({ targets: [], skipped: [] });
  });
});

describe('bulk remediation at fleet scale (measured, not timed)', () => {
  it('plans and queues 500 Macs in one batch', async () => {
    const template = await ctx.db.prisma.finding.findFirstOrThrow({ where: { ruleId: 'tcc.camera.denied', remedy: { path: ['action', 'type'], equals: 'tcc.reset' } } });
    const devices = Array.from({ length: 500 }, (_, i) => ({
      id: randomUUID(), hostname: `scale-${String(i).padStart(3, '0')}`, serialNumber: null, architecture: 'arm64', platform: 'darwin', tokenHash: randomUUID(),
    }));
    await ctx.db.prisma.device.createMany({ data: devices });
    await ctx.db.prisma.finding.createMany({
      data: devices.map((d) => ({
        deviceId: d.id, ruleId: template.ruleId, key: template.key, severity: template.severity, title: template.title,
        evidence: template.evidence as object, remedy: template.remedy as object, state: 'open',
      })),
    });
    let t = performance.now();
    const dry = await post({ findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'scale-' } });
    const dryMs = performance.now() - t;
    expect(dry.json().targets).toHaveLength(500);
    t = performance.now();
    const real = await post({ findingId: 'tcc.camera.denied', dryRun: false, filter: { search: 'scale-' } });
    const createMs = performance.now() - t;
    expect(real.statusCode).toBe(201);
    expect(await ctx.db.prisma.command.count({ where: { batchId: real.json().batchId } })).toBe(500);
    t = performance.now();
    const status = await ctx.app.inject({ method: 'GET', url: `/api/v1/batches/${real.json().batchId}`, headers: bearer(ctx.viewer) });
    const statusMs = performance.now() - t;
    expect(status.json().counts).toEqual({ total: 500, succeeded: 0, failed: 0, pending: 500, timedOut: 0, expired: 0, cancelled: 0 });
    console.info(`[bulk 500 Macs, ${ctx.db.description}] dry run ${dryMs.toFixed(0)} ms, create ${createMs.toFixed(0)} ms, status ${statusMs.toFixed(0)} ms`);
  });
});
