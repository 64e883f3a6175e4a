import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validator, FullReportMessage, type SectionName } from '@fleetmedic/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { collectSnapshot } from '../collectors/snapshot.js';
import { ReplayRunner } from '../runner/replay.js';
import { fitReport } from './oversize.js';

const check = validator(FullReportMessage);
let report: FullReportMessage;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
const sectionBytes = (name: SectionName) => bytes(report.snapshot.sections[name]);

beforeAll(async () => {
  const runner = await ReplayRunner.open(path.join(REPO_ROOT, 'recorded-macs', 'mbp-m2pro-26-firewall-blocks-zoom'));
  const snapshot = await collectSnapshot(runner);
  // Its firewall list grown to 2,000 apps (copies of its own first app): the largest section.
  const firewall = snapshot.sections.firewall!.data!;
  firewall.apps = Array.from({ length: 2_000 }, (_, i) => ({ ...firewall.apps![0]!, path: `/Applications/Helper ${i}.app` }));
  report = { type: 'report', id: 'report-oversize-1', snapshot };
});

describe('fitReport (a recorded Mac\'s real report)', () => {
  it('leaves a report under the limit as it is', () => {
    const fit = fitReport(report);
    expect(fit.report).toBe(report);
    expect(fit.cut).toEqual([]);
    expect(fit.fittedBytes).toBe(bytes(report));
  });

  it('cuts the largest sections first, one at a time, until the report fits; each cut section is unavailable with its sizes and validates', () => {
    const present = Object.keys(report.snapshot.sections) as SectionName[];
    const bySize = [...present].sort((a, b) => sectionBytes(b) - sectionBytes(a));
    expect(bySize.slice(0, 2)).toEqual(['firewall', 'tcc']);
    // A limit that only cutting the two largest sections meets.
    const limit = bytes(report) - sectionBytes(bySize[0]!) - sectionBytes(bySize[1]!) / 2;
    const fit = fitReport(report, { limitBytes: limit });
    expect(fit.cut.map((c) => c.section)).toEqual(bySize.slice(0, 2));
    expect(fit.fittedBytes).toBeLessThanOrEqual(limit);
    expect(fit.fittedBytes).toBe(bytes(fit.report));
    expect(check(fit.report).ok).toBe(true);
    const cut = fit.report.snapshot.sections[bySize[0]!]!;
    expect(cut.status).toBe('unavailable');
    expect(cut.data).toBeUndefined();
    expect(cut.sources).toEqual(report.snapshot.sections[bySize[0]!]!.sources);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    expect(cut.reason).toContain(`too large to report: this section is ${mb(sectionBytes(bySize[0]!))} (2,000 apps)`);
    expect(cut.reason).toContain(`in a ${mb(bytes(report))} report; an agent message is at most 8 MiB`);
    // The other sections are untouched.
    for (const name of bySize.slice(2)) expect(fit.report.snapshot.sections[name]).toBe(report.snapshot.sections[name]);
  });
});

describe('the size fitReport measures', () => {
  it('is JSON.stringify\'s in UTF-8 bytes, for every recorded Mac, with a section missing and with non-ASCII text', async () => {
    const dir = path.join(REPO_ROOT, 'recorded-macs');
    const macs = readdirSync(dir).filter((m) => existsSync(path.join(dir, m, 'scenario.json'))).sort();
    expect(macs.length).toBeGreaterThan(20);
    for (const mac of macs) {
      const snapshot = await collectSnapshot(await ReplayRunner.open(path.join(dir, mac)));
      const whole: FullReportMessage = { type: 'report', id: `report-${mac}`.slice(0, 64), snapshot };
      const { usb: _usb, ...withoutUsb } = snapshot.sections;
      const partial: FullReportMessage = { ...whole, snapshot: { ...snapshot, host: { ...snapshot.host, hostname: 'Zoë’s MacBook Pro' }, sections: withoutUsb as typeof snapshot.sections } };
      for (const r of [whole, partial]) expect({ mac, bytes: fitReport(r).reportBytes }).toEqual({ mac, bytes: bytes(r) });
    }
  });

  it('takes each section\'s size from sectionBytes when given (the simulator remembers it per shared object)', () => {
    const asked: unknown[] = [];
    const fit = fitReport(report, { sectionBytes: (section) => (asked.push(section), bytes(section)) });
    expect(fit.reportBytes).toBe(bytes(report));
    expect(asked).toEqual(Object.values(report.snapshot.sections).filter((x) => x !== undefined));
  });
});
