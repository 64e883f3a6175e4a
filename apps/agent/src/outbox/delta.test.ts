import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeltaReportMessage, FullReportMessage, validator, type Snapshot } from '@fleetmedic/protocol';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { describe, expect, it } from 'vitest';
import { collectSnapshot } from '../collectors/snapshot.js';
import { ReplayRunner } from '../runner/replay.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { FileAckedSections, MemoryAckedSections } from './acked.js';
import { DeltaReporter } from './delta.js';

const checkDelta = validator(DeltaReportMessage);
const checkFull = validator(FullReportMessage);

async function realSnapshot(): Promise<Snapshot> {
  return collectSnapshot(await ReplayRunner.open(makeTinyMac()));
}

const report = (id: string, snapshot: Snapshot) => ({ type: 'report' as const, id, snapshot });

describe('DeltaReporter on a snapshot collected from a recorded Mac', () => {
  it('sends the whole report until one is acked, then only the sections whose hash changed', async () => {
    const snapshot = await realSnapshot();
    const reporter = await DeltaReporter.open(new MemoryAckedSections());
    const first = reporter.wire(report('report-00001', snapshot));
    expect(first.full).toBe(true);
    expect(checkFull(first.message).ok).toBe(true);

    expect(await reporter.ackedReport('report-00001')).toBe(true);
    expect(reporter.acked?.hashes).toEqual(sectionHashes(snapshot.sections));

    const same = reporter.wire(report('report-00002', { ...snapshot, collectedAt: new Date().toISOString() }));
    expect(same.full).toBe(false);
    expect(same.sections).toEqual([]);
    expect(checkDelta(same.message).ok).toBe(true);
    expect(JSON.stringify(same.message).length).toBeLessThan(JSON.stringify(first.message).length / 3);

    // A battery level change touches the power section only.
    const power = structuredClone(snapshot.sections.power);
    expect(power.data).toBeDefined();
    power.data!.batteryPercent = (power.data!.batteryPercent ?? 50) === 12 ? 13 : 12;
    const changed = reporter.wire(report('report-00003', { ...snapshot, sections: { ...snapshot.sections, power } }));
    expect(changed.sections).toEqual(['power']);
    const msg = changed.message as DeltaReportMessage;
    expect(msg.delta.sections.power).toEqual(power);
    expect(msg.delta.hashes.power).not.toBe(reporter.acked!.hashes.power);
    expect(checkDelta(msg).ok).toBe(true);
  });

  it('ignores acks of ids it did not send and keeps the newest acked base', async () => {
    const snapshot = await realSnapshot();
    const reporter = await DeltaReporter.open(new MemoryAckedSections());
    expect(await reporter.ackedReport('command-1234')).toBe(false);
    reporter.wire(report('report-new', { ...snapshot, collectedAt: '2026-02-01T00:00:00.000Z' }));
    reporter.wire(report('report-old', { ...snapshot, collectedAt: '2026-01-01T00:00:00.000Z' }));
    await reporter.ackedReport('report-new');
    await reporter.ackedReport('report-old');
    expect(reporter.acked?.reportId).toBe('report-new');
  });

  it('keeps the base in <state>/acked-sections.json across restarts; resync forgets it; a damaged file means whole reports', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'acked-'));
    const snapshot = await realSnapshot();
    const a = await DeltaReporter.open(new FileAckedSections(dir));
    a.wire(report('report-00001', snapshot));
    await a.ackedReport('report-00001');
    const stored = JSON.parse(await readFile(path.join(dir, 'acked-sections.json'), 'utf8'));
    expect(stored).toEqual({ reportId: 'report-00001', collectedAt: snapshot.collectedAt, hashes: sectionHashes(snapshot.sections) });

    const b = await DeltaReporter.open(new FileAckedSections(dir));
    expect(b.wire(report('report-00002', snapshot)).full).toBe(false);
    await b.resync();
    expect(b.wire(report('report-00002', snapshot)).full).toBe(true);
    expect((await DeltaReporter.open(new FileAckedSections(dir))).acked).toBeNull();

    await writeFile(path.join(dir, 'acked-sections.json'), '{"reportId":"x","collectedAt":"y","hashes":{"os":"nope"}}');
    expect((await DeltaReporter.open(new FileAckedSections(dir))).acked).toBeNull();
  });
});
