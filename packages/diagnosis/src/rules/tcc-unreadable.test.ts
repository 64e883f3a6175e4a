import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, SYSTEM_TCC_PATH, tccDb, tccEntry, tccSection, unavailableSection, unreadableTccDb, unsupportedSection, USER_TCC_PATH } from '../testing/snapshots.js';
import { tccUnreadable } from './tcc-unreadable.js';

describe('tcc.unreadable', () => {
  it('names the unavailable section and its reason', () => {
    const snap = buildSnapshot({ tcc: unavailableSection('sqlite3: authorization denied (no Full Disk Access)', ['sqlite3']) });
    const findings = tccUnreadable.evaluate(snap, DEFAULT_POLICY);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'tcc.unreadable',
      key: 'tcc.unreadable:section',
      severity: 'warning',
      evidence: [{ section: 'tcc', detail: 'The TCC databases could not be read: sqlite3: authorization denied (no Full Disk Access).' }],
    });
    expect(findings[0]?.remedy.summary).toContain('Full Disk Access');
    expect(findings[0]?.remedy.action).toBeUndefined();
  });

  it('gives one finding per cause (no Full Disk Access; not understood), one piece of evidence per database', () => {
    const snap = buildSnapshot({
      tcc: tccSection([
        unreadableTccDb({ path: SYSTEM_TCC_PATH, scope: 'system', user: null }),
        tccDb([tccEntry()]),
        tccDb([], { user: 'bob', path: '/Users/bob/Library/Application Support/com.apple.TCC/TCC.db', status: 'unparseable', reason: 'no access table', layout: null }),
        tccDb([], { user: 'carol', path: '/Users/carol/Library/Application Support/com.apple.TCC/TCC.db', status: 'missing', reason: 'no such file' }),
        unreadableTccDb({ user: 'dave', path: '/Users/dave/Library/Application Support/com.apple.TCC/TCC.db' }),
      ]),
    });
    const findings = tccUnreadable.evaluate(snap, DEFAULT_POLICY);
    expect(findings.map((f) => [f.key, f.evidence.map((e) => e.detail)])).toEqual([
      ['tcc.unreadable:full-disk-access', [
        `System TCC.db ${SYSTEM_TCC_PATH} is unreadable: authorization denied (the agent has no Full Disk Access).`,
        'User dave TCC.db /Users/dave/Library/Application Support/com.apple.TCC/TCC.db is unreadable: authorization denied (the agent has no Full Disk Access).',
      ]],
      ['tcc.unreadable:unparseable',
        ['User bob TCC.db /Users/bob/Library/Application Support/com.apple.TCC/TCC.db is unparseable: no access table.']],
    ]);
    expect(findings[0]?.remedy.summary).toContain('Full Disk Access');
    expect(findings[1]?.remedy.summary).toContain('could not understand its `access` table');
  });

  it('finds nothing when every database was read, or on a platform without TCC', () => {
    expect(tccUnreadable.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    expect(tccUnreadable.evaluate(buildSnapshot({ tcc: tccSection([tccDb([], { path: USER_TCC_PATH })]) }), DEFAULT_POLICY)).toEqual([]);
    expect(tccUnreadable.evaluate(buildSnapshot({ tcc: unsupportedSection('TCC exists only on macOS') }), DEFAULT_POLICY)).toEqual([]);
  });
});
