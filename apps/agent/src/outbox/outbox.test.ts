import { readdir, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleSnapshot } from '../testing/sample-snapshot.js';
import { newReportId } from './ids.js';
import { Outbox } from './outbox.js';

const report = (at: number, pad = 0) => ({ type: 'report' as const, id: newReportId(new Date(at)), snapshot: sampleSnapshot(pad) });

describe('Outbox', () => {
  it('keeps reports on disk as <id>.json across a restart, oldest first, until removed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const a = report(1_700_000_000_000);
    const b = report(1_700_000_001_000);
    const first = await Outbox.open(dir);
    await first.add(b);
    await first.add(a);
    expect((await readdir(dir)).sort()).toEqual([`${a.id}.json`, `${b.id}.json`]);

    const reopened = await Outbox.open(dir);
    expect((await reopened.list()).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(await reopened.remove(a.id)).toBe(true);
    expect(await reopened.remove(a.id)).toBe(false);
    expect(await reopened.ids()).toEqual([b.id]);
    expect((await reopened.read(b.id))?.snapshot.host.hostname).toBe('host');
  });

  it('drops the oldest reports beyond the file bound, with a reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const drops: [string, string][] = [];
    const box = await Outbox.open(dir, { maxFiles: 3, onDrop: (id, why) => drops.push([id, why]) });
    const reports = [0, 1, 2, 3, 4].map((i) => report(1_700_000_000_000 + i * 1000));
    for (const r of reports) await box.add(r);
    expect(await box.ids()).toEqual(reports.slice(2).map((r) => r.id));
    expect(drops.map(([id]) => id)).toEqual([reports[0]!.id, reports[1]!.id]);
    expect(drops[0]![1]).toMatch(/outbox full \(4 reports, \d+ bytes; bounds 3 reports/);
  });

  it('over its bound drops the oldest report repeating the one before it first, then the oldest; marks survive a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const drops: [string, string][] = [];
    const box = await Outbox.open(dir, { maxFiles: 3, onDrop: (id, why) => drops.push([id, why]) });
    // changed, repeat, changed, repeat, then one more: the two repeats go first, in age order.
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map((i) => report(1_700_000_000_000 + i * 1000));
    await box.add(a!);
    await box.add(b!, { unchanged: true });
    await box.add(c!);
    expect((await readdir(dir)).sort()).toEqual([`${a!.id}.json`, `${b!.id}.unchanged.json`, `${c!.id}.json`]);
    expect(await box.add(d!, { unchanged: true })).toEqual([b!.id]);
    const reopened = await Outbox.open(dir, { maxFiles: 3, onDrop: (id, why) => drops.push([id, why]) });
    expect((await reopened.read(d!.id))?.id).toBe(d!.id);
    expect(await reopened.add(e!)).toEqual([d!.id]);
    expect(await reopened.ids()).toEqual([a!.id, c!.id, e!.id]);
    expect(drops[0]![1]).toMatch(/oldest report repeating the one before it dropped$/);
    // Only reports carrying changes left: the oldest goes; the one just added never does.
    expect(await reopened.add(report(1_700_000_005_000), { unchanged: true })).toEqual([a!.id]);
    expect(await reopened.remove(c!.id)).toBe(true);
  });

  it('drops the oldest reports beyond the byte bound but never the one just added', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const box = await Outbox.open(dir, { maxBytes: 3000 });
    const small = report(1_700_000_000_000);
    const big = report(1_700_000_001_000, 4000);
    await box.add(small);
    expect(await box.add(big)).toEqual([small.id]);
    expect(await box.ids()).toEqual([big.id]);
    const usage = await box.usage();
    expect(usage.files).toBe(1);
    expect(usage.bytes).toBeGreaterThan(4000);
  });

  it('drops a corrupt or foreign file instead of sending it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const drops: string[] = [];
    const box = await Outbox.open(dir, { onDrop: (_id, why) => drops.push(why) });
    await writeFile(path.join(dir, '000000001-broken.json'), '{"type":"rep');
    await writeFile(path.join(dir, '000000002-foreign.json'), '{"type":"report","id":"000000002-foreign","snapshot":{}}');
    const good = report(1_700_000_000_000);
    await box.add(good);
    expect((await box.list()).map((m) => m.id)).toEqual([good.id]);
    expect(drops[0]).toMatch(/^unreadable outbox file: /);
    expect(drops[1]).toMatch(/^outbox file is not a report: /);
    expect(await box.ids()).toEqual([good.id]);
  });

  it('report ids sort by time and fit the protocol id pattern', () => {
    const a = newReportId(new Date(1_000));
    const b = newReportId(new Date(2_000_000_000_000));
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(b).toHaveLength(46);
  });
});
