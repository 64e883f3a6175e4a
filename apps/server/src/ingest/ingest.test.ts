import { DEFAULT_POLICY, SECTION_NAMES, type DeltaReportMessage, type Snapshot } from '@fleetmedic/protocol';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../auth/secrets.js';
import { buildSnapshot, type SnapshotOptions } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { canonicalJson, contentHash } from './canonical-json.js';
import { FULL_PATH_CHUNK, IngestBatcher } from './batcher.js';
import { ingestReport } from './ingest.js';
import { InvalidReportError, prepareReport, prepareSnapshot } from './prepare.js';

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

const CAMERA_KEY = 'tcc.camera.denied:us.zoom.xos';
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
    expect(first).toMatchObject({ kind: 'stored', health: 'cannot-join', findings: { opened: 1, open: 1 } });
    const opened = await finding(deviceId);
    expect(opened).toMatchObject({ ruleId: 'tcc.camera.denied', state: 'open', severity: 'critical', resolvedAt: null });

    // Same facts, same policy: nothing to diagnose again.
    expect(await report({ zoomCamera: 'denied' })).toEqual({ kind: 'unchanged' });
    const still = await finding(deviceId);
    expect(still.lastSeenAt.getTime()).toBeGreaterThanOrEqual(opened.lastSeenAt.getTime());
    expect(still.firstSeenAt).toEqual(opened.firstSeenAt);

    expect(await report({ zoomCamera: 'allowed' })).toMatchObject({ kind: 'stored', health: 'ready', changedSections: ['tcc'], findings: { resolved: 1, open: 0 } });
    const resolved = await finding(deviceId);
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolvedAt).toBeInstanceOf(Date);

    await report({ zoomCamera: 'denied' });
    expect((await finding(deviceId)).state).toBe('open');
    expect(await transitions(deviceId)).toEqual(['->open', 'open>resolved', 'resolved>open']);
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ health: 'cannot-join', healthRank: 0, openFindings: 1, unknownSections: [] });
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
    expect(await report({ zoomCamera: 'absent' })).toMatchObject({ kind: 'stored', health: 'ready', findings: { awaitingConsent: 1, open: 0 } });
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
    // The camera denial seen before still stands (nothing says otherwise): still cannot join.
    expect(outcome).toMatchObject({ kind: 'stored', health: 'cannot-join', unknownSections: ['tcc'] });
    expect((await finding(deviceId)).state).toBe('open');
    const unreadable = await db.prisma.finding.findUniqueOrThrow({ where: { deviceId_key: { deviceId, key: 'tcc.unreadable:section' } } });
    expect(unreadable.state).toBe('open');
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ health: 'cannot-join', openFindings: 2, unknownSections: ['tcc'] });
    expect(device.problemSince).toEqual((await finding(deviceId)).firstSeenAt);
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
    expect(await db.prisma.sectionChange.count({ where: { deviceId } })).toBe(SECTION_NAMES.length);
    expect(await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).toMatchObject({ reportCount: 1, lastReportId: 'same-report-id' });
  });

  it('the same report id from two devices is two reports', async () => {
    const [a, b] = [await newDevice(), await newDevice()];
    for (const deviceId of [a, b]) {
      expect(await ingestReport(db.prisma, { deviceId, reportId: 'shared-id-0001', snapshot: buildSnapshot(), policy: DEFAULT_POLICY })).toMatchObject({ kind: 'stored' });
    }
  });

  it('an older snapshot arriving late moves lastSeenAt only: no state, no count, no row', async () => {
    const deviceId = await newDevice();
    const policy = DEFAULT_POLICY;
    await ingestReport(db.prisma, { deviceId, reportId: 'newer-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-02T10:00:00.000Z', batteryPercent: 50 }), policy });
    const late = await ingestReport(db.prisma, { deviceId, reportId: 'older-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-01T10:00:00.000Z', batteryPercent: 90, zoomCamera: 'denied' }), policy });
    expect(late).toEqual({ kind: 'stale' });
    const power = await db.prisma.sectionState.findUniqueOrThrow({ where: { deviceId_section: { deviceId, section: 'power' } } });
    expect((power.body as { data: { batteryPercent: number } }).data.batteryPercent).toBe(50);
    expect(await db.prisma.finding.count({ where: { deviceId } })).toBe(0);
    expect(await db.prisma.report.count({ where: { deviceId } })).toBe(1);
    expect(await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).toMatchObject({ reportCount: 1, lastReportId: 'newer-0001' });
    // Sent again: still stale, still nothing.
    expect(await ingestReport(db.prisma, { deviceId, reportId: 'older-0001', snapshot: buildSnapshot({ collectedAt: '2026-01-01T10:00:00.000Z', batteryPercent: 90 }), policy })).toEqual({ kind: 'stale' });
    expect(await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).toMatchObject({ reportCount: 1 });
  });

  it('counts unchanged reports on the device without a row each; a redelivery of the newest is a duplicate', async () => {
    const deviceId = await newDevice();
    const report = reporter(deviceId);
    expect(await report()).toMatchObject({ kind: 'stored' });
    for (let i = 0; i < 4; i++) expect(await report()).toEqual({ kind: 'unchanged' });
    expect(await ingestReport(db.prisma, { deviceId, reportId: 'report-0005', snapshot: buildSnapshot({ collectedAt: new Date(Date.UTC(2026, 0, 1, 10, 5)).toISOString() }), policy: DEFAULT_POLICY }))
      .toEqual({ kind: 'duplicate' });
    const device = await db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ reportCount: 5, lastReportId: 'report-0005' });
    expect(device.lastCollectedAt?.toISOString()).toBe('2026-01-01T10:05:00.000Z');
    expect(await db.prisma.report.findMany({ where: { deviceId }, select: { id: true } })).toEqual([{ id: 'report-0001' }]);
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

/** The delta an agent would send for `snapshot` when `base` is its last acked report. */
function deltaOf(id: string, snapshot: Snapshot, base: Snapshot): DeltaReportMessage {
  const hashes = sectionHashes(snapshot.sections);
  const was = sectionHashes(base.sections);
  const sections = Object.fromEntries(Object.entries(snapshot.sections).filter(([name]) => hashes[name as keyof typeof hashes] !== was[name as keyof typeof was]));
  const { sections: _all, ...rest } = snapshot;
  return { type: 'report', id, delta: { ...rest, hashes, sections } };
}

describe('delta reports', () => {
  it('merges a delta with the stored sections and writes a SectionChange for the changed section only', async () => {
    const deviceId = await newDevice();
    const first = buildSnapshot({ collectedAt: '2026-03-01T10:00:00.000Z', zoomCamera: 'denied' });
    await ingestReport(db.prisma, { deviceId, reportId: 'delta-0001', snapshot: first, policy: DEFAULT_POLICY });
    const second = buildSnapshot({ collectedAt: '2026-03-01T10:15:00.000Z', zoomCamera: 'allowed' });
    const message = deltaOf('delta-0002', second, first);
    expect(Object.keys(message.delta.sections)).toEqual(['tcc']);
    const outcome = await ingestReport(db.prisma, { deviceId, report: prepareReport(message), policy: DEFAULT_POLICY });
    expect(outcome).toMatchObject({ kind: 'stored', changedSections: ['tcc'], health: 'ready', findings: { resolved: 1, open: 0 } });
    const states = await db.prisma.sectionState.findMany({ where: { deviceId } });
    expect(Object.fromEntries(states.map((s) => [s.section, s.hash]))).toEqual(sectionHashes(second.sections));
    expect((await db.prisma.sectionChange.findMany({ where: { deviceId, reportId: 'delta-0002' } })).map((c) => c.section)).toEqual(['tcc']);
  });

  it('answers resync and writes nothing when a section named by hash only is not stored with that hash', async () => {
    const deviceId = await newDevice();
    const first = buildSnapshot({ collectedAt: '2026-03-02T10:00:00.000Z' });
    await ingestReport(db.prisma, { deviceId, reportId: 'resync-0001', snapshot: first, policy: DEFAULT_POLICY });
    // A restore from before the first report: the usb state is gone.
    await db.prisma.sectionState.delete({ where: { deviceId_section: { deviceId, section: 'usb' } } });
    const second = buildSnapshot({ collectedAt: '2026-03-02T10:15:00.000Z', batteryPercent: 12 });
    const outcome = await ingestReport(db.prisma, { deviceId, report: prepareReport(deltaOf('resync-0002', second, first)), policy: DEFAULT_POLICY });
    expect(outcome).toEqual({ kind: 'resync', missing: ['usb'] });
    expect(await db.prisma.report.count({ where: { deviceId, id: 'resync-0002' } })).toBe(0);
    // The agent sends it whole: stored.
    expect(await ingestReport(db.prisma, { deviceId, report: prepareSnapshot('resync-0002', second), policy: DEFAULT_POLICY })).toMatchObject({ kind: 'stored' });
  });

  it('refuses a delta whose section content does not match its claimed hash', () => {
    const first = buildSnapshot();
    const message = deltaOf('bad-hash-0001', buildSnapshot({ batteryPercent: 3 }), first);
    message.delta.hashes.power = message.delta.hashes.os;
    expect(() => prepareReport(message)).toThrow(InvalidReportError);
  });
});

describe('IngestBatcher', () => {
  it('stores unchanged reports of many devices through one fast-path statement, and changed ones through the full ingest', async () => {
    const devices = await Promise.all(Array.from({ length: 30 }, () => newDevice()));
    const base = buildSnapshot({ collectedAt: '2026-04-01T10:00:00.000Z' });
    for (const deviceId of devices) await ingestReport(db.prisma, { deviceId, reportId: 'batch-0001', snapshot: base, policy: DEFAULT_POLICY });
    const batcher = new IngestBatcher(db.prisma, { policy: async () => DEFAULT_POLICY, concurrency: 1 });
    const later = buildSnapshot({ collectedAt: '2026-04-01T10:15:00.000Z' });
    const changed = buildSnapshot({ collectedAt: '2026-04-01T10:15:00.000Z', zoomCamera: 'denied' });
    const outcomes = await Promise.all(devices.map((deviceId, i) =>
      batcher.submit(deviceId, prepareReport(deltaOf('batch-0002', i === 0 ? changed : later, base)))));
    expect(outcomes[0]).toMatchObject({ kind: 'stored', changedSections: ['tcc'] });
    expect(outcomes.slice(1).every((o) => o.kind === 'unchanged')).toBe(true);
    // The first submit went alone (nothing in flight), the other 29 waited and went together.
    expect(batcher.stats).toMatchObject({ batches: 2, reports: 30, unchanged: 29, full: 1, maxBatch: 29, deltaMessages: 30 });
    // Only the changed report keeps a row; the unchanged ones are counted on their device.
    expect(await db.prisma.report.count({ where: { deviceId: { in: devices }, id: 'batch-0002' } })).toBe(1);
    const d = await db.prisma.device.findUniqueOrThrow({ where: { id: devices[5]! } });
    expect(d).toMatchObject({ reportCount: 2, lastReportId: 'batch-0002' });
    expect(d.lastCollectedAt?.toISOString()).toBe('2026-04-01T10:15:00.000Z');
    expect(d.lastReportAt).toBeInstanceOf(Date);

    // Sent again (the ack was lost): duplicates, nothing written twice.
    const again = await Promise.all(devices.slice(1).map((deviceId) => batcher.submit(deviceId, prepareReport(deltaOf('batch-0002', later, base)))));
    expect(again.every((o) => o.kind === 'duplicate')).toBe(true);
    const counts = await db.prisma.device.findMany({ where: { id: { in: devices } }, select: { reportCount: true } });
    expect(counts.every((c) => c.reportCount === 2)).toBe(true);
  });

  it('stores a batch of changed reports in transactions of at most FULL_PATH_CHUNK, every report stored once', async () => {
    const n = 2 * FULL_PATH_CHUNK + 7;
    const devices = await Promise.all(Array.from({ length: n }, () => newDevice()));
    const base = buildSnapshot({ collectedAt: '2026-04-02T10:00:00.000Z' });
    for (const deviceId of devices) await ingestReport(db.prisma, { deviceId, reportId: 'chunk-0001', snapshot: base, policy: DEFAULT_POLICY });
    const batcher = new IngestBatcher(db.prisma, { policy: async () => DEFAULT_POLICY, concurrency: 1 });
    const changed = buildSnapshot({ collectedAt: '2026-04-02T10:15:00.000Z', zoomCamera: 'denied' });
    // The first submit goes alone; the other n - 1 wait for it and go as one batch of changed reports.
    const outcomes = await Promise.all(devices.map((deviceId) => batcher.submit(deviceId, prepareReport(deltaOf('chunk-0002', changed, base)))));
    expect(outcomes.every((o) => o.kind === 'stored')).toBe(true);
    expect(batcher.stats).toMatchObject({ batches: 2, reports: n, full: n, maxBatch: n - 1 });
    // 1 for the lone first report, then ceil((n - 1) / FULL_PATH_CHUNK) for the batch.
    expect(batcher.stats.fullTransactions).toBe(1 + Math.ceil((n - 1) / FULL_PATH_CHUNK));
    expect(await db.prisma.report.count({ where: { deviceId: { in: devices }, id: 'chunk-0002' } })).toBe(n);
    expect(await db.prisma.finding.count({ where: { deviceId: { in: devices }, key: CAMERA_KEY, state: 'open' } })).toBe(n);
  });

  it('a policy change sends every device through the full ingest once', async () => {
    const deviceId = await newDevice();
    const base = buildSnapshot({ collectedAt: '2026-05-01T10:00:00.000Z' });
    let policy = DEFAULT_POLICY;
    const batcher = new IngestBatcher(db.prisma, { policy: async () => policy });
    await batcher.submit(deviceId, prepareSnapshot('policy-b-0001', base));
    expect(await batcher.submit(deviceId, prepareReport(deltaOf('policy-b-0002', { ...base, collectedAt: '2026-05-01T10:15:00.000Z' }, base)))).toEqual({ kind: 'unchanged' });
    policy = { ...DEFAULT_POLICY, minZoomVersion: '6.4.0' };
    expect(await batcher.submit(deviceId, prepareReport(deltaOf('policy-b-0003', { ...base, collectedAt: '2026-05-01T10:30:00.000Z' }, base)))).toMatchObject({ kind: 'stored', changedSections: [] });
    expect((await db.prisma.finding.findMany({ where: { deviceId } })).map((f) => f.ruleId)).toEqual(['zoom.outdated']);
  });
});
