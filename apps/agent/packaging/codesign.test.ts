// The designated requirement for the Full Disk Access profile, read from real `codesign -d -r-`
// output (recorded-macs/extra-captures/codesign-*.txt, sources in SOURCES.md there).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { parseDesignatedRequirement } from './codesign.mjs';

const capture = (name: string) => readFile(path.join(REPO_ROOT, 'recorded-macs/extra-captures', name), 'utf8');

describe('parseDesignatedRequirement', () => {
  it('reads a Developer ID requirement (identifier, Apple anchor, team)', async () => {
    expect(parseDesignatedRequirement(await capture('codesign-dr-signal-developer-id.txt'))).toEqual({
      ok: true,
      value: 'identifier "org.whispersystems.signal-desktop" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = U68MSDN6DR',
    });
  });

  it('reads an Apple platform binary\'s', async () => {
    expect(parseDesignatedRequirement(await capture('codesign-dr-bin-ls.txt'))).toEqual({ ok: true, value: 'identifier "com.apple.ls" and anchor apple' });
  });

  it('refuses an ad-hoc signature (its cdhash changes with every node build) and an unsigned binary, saying why', async () => {
    expect(parseDesignatedRequirement(await capture('codesign-dr-adhoc.txt'))).toEqual({ ok: false, error: expect.stringContaining('ad-hoc signed') });
    expect(parseDesignatedRequirement(await capture('codesign-dr-unsigned.txt'))).toEqual({ ok: false, error: 'not signed at all' });
  });

  it('never reads an empty or foreign output as a requirement', () => {
    for (const output of ['', '\n', 'codesign: command not found', 'designated => ']) {
      expect(parseDesignatedRequirement(output)).toMatchObject({ ok: false, error: expect.stringContaining('no designated requirement') });
    }
  });
});
