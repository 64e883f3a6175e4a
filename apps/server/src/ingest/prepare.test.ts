import { createHash } from 'node:crypto';
import { DEFAULT_POLICY, SECTION_NAMES, type DeltaReportMessage } from '@fleetmedic/protocol';
import { contentHash, sectionHashes } from '@fleetmedic/protocol/hash';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../testing/snapshots.js';
import { prepareReport, prepareSnapshot, sectionsKey, stateFingerprint } from './prepare.js';

describe('what a report is read into once', () => {
  const snapshot = buildSnapshot({ collectedAt: '2026-05-01T10:15:00.000Z' });
  const { sections, ...rest } = snapshot;
  const hashes = sectionHashes(sections);
  // An agent older than the `devices` section: the fingerprint names it null.
  const { devices: _devices, ...olderHashes } = hashes;
  const older: DeltaReportMessage = { type: 'report', id: 'prepare-0002', delta: { ...rest, hashes: olderHashes, sections: {} } };
  const policyHash = contentHash(DEFAULT_POLICY);

  it('gives the fingerprint Device.stateHash has always held: contentHash([policy hash, host, section hashes in SECTION_NAMES order])', () => {
    for (const r of [prepareSnapshot('prepare-0001', snapshot), prepareReport(older)]) {
      expect(stateFingerprint(r, policyHash)).toBe(contentHash([policyHash, r.host, SECTION_NAMES.map((n) => r.hashes[n])]));
    }
    expect(stateFingerprint(prepareReport(older), policyHash)).not.toBe(stateFingerprint(prepareSnapshot('prepare-0001', snapshot), policyHash));
  });

  it('keys the sections a report has by their names in code-point order and the sha256 of name=hash', () => {
    const names = Object.keys(olderHashes).sort();
    expect(prepareReport(older).sectionsKey).toEqual({
      sections: names.join(','),
      sectionsDigest: createHash('sha256').update(names.map((n) => `${n}=${(olderHashes as Record<string, string>)[n]}`).join(',')).digest('hex'),
    });
    expect(names).not.toContain('devices');
    expect(sectionsKey(hashes).sections.split(',')).toContain('devices');
  });
});
