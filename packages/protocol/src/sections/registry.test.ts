import { describe, expect, it } from 'vitest';
import { DeltaSnapshot } from '../messages.js';
import { SectionHashes } from '../section-hashes.js';
import { Sections } from '../snapshot.js';
import { LATER_SECTION_NAMES, SECTION_NAMES, isBaselineSection } from './names.js';
import { BASELINE_VERSION, SECTION_REGISTRY } from './registry.js';

const BASELINE = ['os', 'zoom', 'tcc', 'firewall', 'usb', 'power'];

describe('section registry', () => {
  it('declares the six 1.0 sections in the order snapshots have always listed them', () => {
    expect(SECTION_NAMES.slice(0, 6)).toEqual(BASELINE);
    for (const n of BASELINE) expect({ n, since: SECTION_REGISTRY[n as 'os'].since }).toEqual({ n, since: BASELINE_VERSION });
    expect(LATER_SECTION_NAMES).toEqual(SECTION_NAMES.filter((n) => !BASELINE.includes(n)));
  });

  it('derives the Snapshot sections and the delta hashes: baseline sections required, later ones optional', () => {
    const baseline = SECTION_NAMES.filter(isBaselineSection);
    expect(Object.keys(Sections.properties)).toEqual(SECTION_NAMES);
    expect([...(Sections.required ?? [])].sort()).toEqual([...baseline].sort());
    expect(Object.keys(SectionHashes.properties)).toEqual(SECTION_NAMES);
    expect([...(SectionHashes.required ?? [])].sort()).toEqual([...baseline].sort());
    expect(DeltaSnapshot.properties.hashes).toBe(SectionHashes);
  });

  it('every entry is complete: description, sources with sane macOS bounds, a panel', () => {
    for (const name of SECTION_NAMES) {
      const spec = SECTION_REGISTRY[name];
      expect(spec.description.length, name).toBeGreaterThan(20);
      expect(spec.sources.length, name).toBeGreaterThan(0);
      for (const r of spec.sources as readonly { sinceMajor?: number; untilMajor?: number; why: string }[]) {
        expect(r.why.length, name).toBeGreaterThan(0);
        if (r.sinceMajor !== undefined && r.untilMajor !== undefined) expect(r.sinceMajor, name).toBeLessThanOrEqual(r.untilMajor);
      }
      expect(spec.panel.id, name).toMatch(/^[a-z][a-z0-9-]*$/);
      // A section's replay needs something recorded, unless it reads nothing from the Mac.
      expect(spec.recorded.commands.length + spec.recorded.files.length, name).toBeGreaterThan(0);
    }
  });

  it('source ids are unique across sections (the agent switches on them)', () => {
    const ids = SECTION_NAMES.flatMap((n) => (SECTION_REGISTRY[n].sources as readonly { source: string }[]).map((r) => r.source));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
