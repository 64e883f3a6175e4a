import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { diagnoseWithErrors } from '../diagnose.js';
import { buildSnapshot, zoomInstall, zoomInstallsSection, zoomSection } from '../testing/snapshots.js';
import { zoomDamaged } from './zoom-damaged.js';
import { zoomMultipleInstalls } from './zoom-multiple-installs.js';

// Signatures as the codesign parsers read the real captures (packages/macos/src/codesign/parse.test.ts).
const SEALED = { valid: false, verdict: 'sealed-resource' as const, reason: 'a sealed resource is missing or invalid', details: ['file missing: /Applications/zoom.us.app/Contents/Frameworks/x.bundle'] };
/** codesign-dv-zoom-resigned-own-team-2020.txt: Zoom re-signed with another account. */
const RESIGNED = { identifier: 'us.zoom.xos', teamId: '<YOUR TEAM ID>', authorities: [], adhoc: false };
const ALICE_PATHS = ['/Users/alice/Library/Caches/us.zoom.xos', '/Users/alice/Library/Application Support/zoom.us', '/Users/alice/Library/Logs/zoom.us'];

describe('zoom.damaged', () => {
  it('finds nothing for Zoom signed by Zoom with a valid signature', () => {
    expect(zoomDamaged.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
  });

  it('a sealed resource missing: critical, macOS\'s reason and details as evidence, reinstall with the console user\'s caches offered', () => {
    const snap = buildSnapshot({ zoomInstalls: zoomInstallsSection([zoomInstall({ signature: SEALED })]) });
    const [f, ...rest] = zoomDamaged.evaluate(snap, DEFAULT_POLICY);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'zoom.damaged', key: 'zoom.damaged:/Applications/zoom.us.app', severity: 'critical' });
    expect(f!.evidence).toEqual([{
      section: 'zoomInstalls',
      detail: 'codesign --verify --deep --strict /Applications/zoom.us.app: a sealed resource is missing or invalid (file missing: /Applications/zoom.us.app/Contents/Frameworks/x.bundle).',
      value: { appPath: '/Applications/zoom.us.app', ...SEALED },
    }]);
    expect(f!.remedy.summary).toMatch(/^Reinstall Zoom at \/Applications\/zoom\.us\.app through your usual deployment .*: macOS says "a sealed resource is missing or invalid": files of the app itself are missing or modified, and clearing data cannot repair them\. Clearing alice's Zoom caches/);
    expect(f!.remedy.action).toEqual({ type: 'zoom.clear-caches', params: { user: 'alice', paths: ALICE_PATHS } });
  });

  it('a valid signature of another team (Zoom re-signed): critical, the Team ID as evidence', () => {
    const snap = buildSnapshot({ zoomInstalls: zoomInstallsSection([zoomInstall({ signer: RESIGNED })]) });
    const [f] = zoomDamaged.evaluate(snap, DEFAULT_POLICY);
    expect(f!.evidence.map((e) => e.detail)).toEqual(['/Applications/zoom.us.app is signed by Team ID <YOUR TEAM ID>, not Zoom\'s BJ4HAAB9B3.']);
    expect(f!.remedy.summary).toContain('it is not signed by Zoom (Team ID BJ4HAAB9B3)');
  });

  it('a user\'s damaged copy offers that user\'s caches; with nobody logged in the system copy offers none', () => {
    const own = zoomInstall({ appPath: '/Users/bob/Applications/zoom.us.app', user: 'bob', version: '5.16.10.25689', bundleId: 'us.zoom.xos', signer: { ...RESIGNED, teamId: null, adhoc: true } });
    const snap = buildSnapshot({ zoomInstalls: zoomInstallsSection([zoomInstall(), own]) });
    const [f] = zoomDamaged.evaluate(snap, DEFAULT_POLICY);
    expect(f!.key).toBe('zoom.damaged:/Users/bob/Applications/zoom.us.app');
    expect(f!.evidence[0]!.detail).toBe('/Users/bob/Applications/zoom.us.app is signed by Team ID none (ad-hoc signature), not Zoom\'s BJ4HAAB9B3.');
    expect(f!.remedy.action).toMatchObject({ params: { user: 'bob' } });
    const nobody = buildSnapshot({ zoomInstalls: zoomInstallsSection([zoomInstall({ signature: SEALED })]) });
    nobody.host.consoleUser = null;
    expect(zoomDamaged.evaluate(nobody, DEFAULT_POLICY)[0]!.remedy.action).toBeUndefined();
  });

  it('cannot judge a copy whose signature was not read: the section is unknown, never "not damaged"', () => {
    const snap = buildSnapshot({ zoomInstalls: zoomInstallsSection([zoomInstall({ signature: null, problems: ['codesign --verify --deep --strict --verbose=2 /Applications/zoom.us.app: not recorded (no cmd/codesign-verify-zoom.out)'] })]) });
    const r = diagnoseWithErrors(snap);
    expect(r.unknown).toEqual(['zoomInstalls']);
    expect(r.unknownReasons).toEqual([expect.objectContaining({ section: 'zoomInstalls', rule: 'zoom.damaged', reason: expect.stringContaining('no cmd/codesign-verify-zoom.out') })]);
  });
});

describe('zoom.multiple-installs', () => {
  it('one copy: nothing', () => expect(zoomMultipleInstalls.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]));

  it('two copies: a warning naming each, the /Applications version taken from the zoom section, a user\'s copy below the minimum said so', () => {
    const own = zoomInstall({ appPath: '/Users/alice/Applications/zoom.us.app', user: 'alice', bundleId: 'us.zoom.xos', version: '5.16.10.25689' });
    const snap = buildSnapshot({ zoom: zoomSection({}), zoomInstalls: zoomInstallsSection([zoomInstall(), own]) });
    expect(zoomMultipleInstalls.evaluate(snap, DEFAULT_POLICY)).toEqual([{
      id: 'zoom.multiple-installs',
      key: 'zoom.multiple-installs:zoom.us.app',
      severity: 'warning',
      title: 'More than one Zoom is installed',
      evidence: [
        { section: 'zoomInstalls', detail: '/Applications/zoom.us.app: Zoom 7.1.5 (84650).', value: { appPath: '/Applications/zoom.us.app', user: null, version: '7.1.5 (84650)' } },
        { section: 'zoomInstalls', detail: '/Users/alice/Applications/zoom.us.app (alice\'s own copy): Zoom 5.16.10.25689, older than the minimum 6.0.0.', value: { appPath: '/Users/alice/Applications/zoom.us.app', user: 'alice', version: '5.16.10.25689' } },
      ],
      remedy: { summary: '2 copies of Zoom are installed; which one opens is Launch Services\' choice. Keep the deployed copy and remove /Users/alice/Applications/zoom.us.app.' },
    }]);
  });
});
