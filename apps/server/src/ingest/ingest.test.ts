import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../auth/secrets.js';
import { buildSnapshot, type SnapshotOptions } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { canonicalJson, contentHash } from './canonical-json.js';
import { ingestReport } from './ingest.js';

let db: TestDatabase;
beforeAll(async () => { db = await openTestDatabase(); });
afterAll(async () => { await db?.cleanup(); });

let seq = 0;
async function newDevice(): Promise<string> {
  seq += 1;
  const d = await db.prisma.device.create({
    data: { hostname: `mac-${seq}`, serialNumber: `C02INGEST${seq}`, architecture: 'arm64', platform: 'darwin', tokenHash: sha256Hex(`token-${seq}-${Date.now()}`) },
  });
  return d.id;
}

/** Reports at increasing collection times, one minute apart. */
function reporter(deviceId: string) {
  let n = 0;
  return (opts: SnapshotOptions = {}) => {
    n += 1;
    const snapshot = buildSnapshot({ collectedAt: new Date(Date.UTC(2026, 0, 1, 10, n)).toISOString(), ...opts });
    return ingestReport(db.prisma, { deviceId, reportId: `report-${String(n).padStart(4, '0')}`, snapshot, policy: DEFAULT_POLICY });
  };
}

const CAMERA_KEY = 'tcc.camera.denied:user:alice:us.zoom.xos';
const finding = (deviceId: string) => db.prisma.finding.findUniqueOrThrow({ where: { deviceId_key: { deviceId, key: CAMERA_KEY } } });
const transitions = async (deviceId: string) =>
  (await db.prisma.findingTransition.findMany({ where: { deviceId }, orderBy: { id: 'asc' } })).map((t) => `${t.fromState ?? '-'}>${t.toState}`);

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[1,{"y":"x","z":null}]},"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});

describe('findings lifecycle', () => {
  it('opens a finding, keeps it while present, resolves it when gone, and reopens it with history', async () => {
    const deviceId = await newDevice();
    const report = reporter(deviceId);
    const first = await report({ zoomCamera: 'denied' });
    expect(first).toMatchObject({ kind: 'stored', health: 'problems', findings: { opened: 1, open: 1 } });
    const opened = await finding(deviceId);
    expect(opened).toMatchObject({ ruleId: 'tcc.camera.denied', state: 'open', severity: 'critical', resolvedAt: null });

    expect(await report({ zoomCamera: 'denied' })).toMatchObject({ kind: 'stored', changedSections: [], findings: { opened: 0, open: 1 } });
    const still = await finding(deviceId);
    expect(still.lastSeenAt.getTime()).toBeGreaterThanOrEqual(opened.lastSeenAt.getTime());
    expect(still.firstSeenAt).toEqual(opened.firstSeenAt);

    expect(await report({ zoomCamera: 'allowed' })).toMatchObject({ kind: 'stored', health: 'healthy', changedSections: ['tcc'], findings: { resolved: 1, open: 0 } });
    const resolved = await finding(deviceId);
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolvedAt).toBeInstanceOf(Date);

    await report({ zoomCamera: 'denied' });
    expect((await finding(deviceId)).state).toBe('open');
    expect(await transitions(deviceId)).toEqual(['->open', 'open>resolved', 'resolved>open']);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ health: 'problems', openFindings: 1, unknownSections: [] });
  });

  it('after a successful tcc.reset and the row gone, the finding awaits consent, then resolves when allowed', async () => {
    const deviceId = await newDevice();
    const report = reporter(deviceId);
    await report({ zoomCamera: 'denied' });
    // Without a reset, a vanished row is simply resolved; with one, macOS will ask the user.
    await db.prisma.command.create({
      data: {
        id: `cmd-reset-${deviceId}`, deviceId, type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' },
        status: 'succeeded', createdBy: 'operator', expiresAt: new Date(Date.now() + 3600_000), finishedAt: new Date(),
      },
    });
    expect(await report({ zoomCamera: 'absent' })).toMatchObject({ kind: 'stored', health: 'healthy', findings: { awaitingConsent: 1, open: 0 } });
    expect((await finding(deviceId)).state).toBe('awaiting-consent');

    await report({ zoomCamera: 'absent' });
    expect((await finding(deviceId)).state).toBe('awaiting-consent');

    await report({ zoomCamera: 'allowed' });
    const done = await finding(deviceId);
    expect(done.state).toBe('resolved');
    expect(await transitions(deviceId)).toEqual(['->open', 'open>awaiting-consent', 'awaiting-consent>resolved']);
  });

  it('a vanished row without a reset since the finding was last seen is resolved, not awaiting consent', async () => {
    const deviceId = await newDevice();
    const report = reporter(deviceId);
    await db.prisma.command.create({
      data: {
        id: `cmd-old-reset-${deviceId}`, deviceId, type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' },
        status: 'succeeded', createdBy: 'operator', expiresAt: new Date(Date.now() + 3600_000), finishedAt: new Date(Date.now() - 3600_000),
      },
    });
    await report({ zoomCamera: 'denied' });
    await report({ zoomCamera: 'absent' });
    expect((await finding(deviceId)).state).toBe('resolved');
  });

  it('keeps a finding when its section cannot be read, and reports the device unknown', async () => {
    const deviceId = await newDevice();
    const report = reporter(deviceId);
    await report({ zoomCamera: 'denied' });
    const outcome = await report({ tccUnavailable: true });
    expect(outcome).toMatchObject({ kind: 'stored', health: 'problems', unknownSections: ['tcc'] });
    expect((await finding(deviceId)).state).toBe('open');
    const unreadable = await db.prisma.finding.findUniqueOrThrow({ where: { deviceId_key: { deviceId, key: 'tcc.unreadable:section' } } });
    expect(unreadable.state).toBe('open');
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ health: 'problems', openFindings: 2, unknownSections: ['tcc'] });
  });
});

describe('exactly once, newest wins', () => {
  it('stores a duplicate report id once', async () => {
    const deviceId = await newDevice();
    const snapshot = buildSnapshot();
    const input = { deviceId, reportId: 'same-report-id', snapshot, policy: DEFAULT_POLICY };
    const outcomes = await Promise.all([ingestReport(db.prisma, input), ingestReport(db.prisma, input)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'stored']);
    expect(await ingestReport(db.prisma, input)).toEqual({ kind: 'duplicate' });
    expect(await db.prisma.report.count({ where: { deviceId } })).toBe(1);
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(6);
  });

  it('the same report id from two devices is two reports', async () => {
    const [a, b] = [await newDevice(), await newDevice()];
    for (const deviceId of [a, b]) {
      expect(await ingestReport(db.prisma, { deviceId, reportId: 'shared-id-0001', snapshot: buildSnapshot(), policy: DEFAULT_POLICY })).toMatchObject({ kind: 'stored' });
    }
  });

  it('an older snapshot arriving late is recorded but does not overwrite the current state', async () => {
    const deviceId = await newDevice();
    const policy = DEFAULT_POLICY;
    await ingestReport(db.prisma, { deviceId, reportId: 'newer-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-02T10:00:00.000Z', batteryPercent: 50 }), policy });
    const late = await ingestReport(db.prisma, { deviceId, reportId: 'older-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-01T10:00:00.000Z', batteryPercent: 90, zoomCamera: 'denied' }), policy });
    expect(late).toEqual({ kind: 'stale' });
    const power = await db.prisma.sectionState.findUniqueOrThrow({ where: { deviceId_section: { deviceId, section: 'power' } } });
    expect((power.body as { data: { batteryPercent: number } }).data.batteryPercent).toBe(50);
    expect(await db.prisma.finding.count({ where: { deviceId } })).toBe(0);
    expect(await db.prisma.report.count({ where: { deviceId } })).toBe(2);
  });

  it('uses the policy: an older minimum Zoom makes no finding, a newer one does', async () => {
    const deviceId = await newDevice();
    const snapshot = buildSnapshot({ collectedAt: '2026-01-01T10:00:00.000Z' });
    await ingestReport(db.prisma, { deviceId, reportId: 'policy-0001', snapshot, policy: DEFAULT_POLICY });
    expect(await db.prisma.finding.count({ where: { deviceId } })).toBe(0);
    await ingestReport(db.prisma, {
      deviceId, reportId: 'policy-0002', snapshot: { ...snapshot, collectedAt: '2026-01-01T10:01:00.000Z' }, policy: { ...DEFAULT_POLICY, minZoomVersion: '6.4.0' },
    });
    const rows = await db.prisma.finding.findMany({ where: { deviceId } });
    expect(rows.map((r) => [r.ruleId, r.state])).toEqual([['zoom.outdated', 'open']]);
  });
});
