import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../versions/parse.js';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import {
  ZOOM_BUNDLE_ID, parseFleetZoomVersions, parseInfoPlistFragment, parseInstallomatorZoomLog, parseOsqueryZoomApps, parseZoomInfoPlist, zoomNotInstalled,
} from './parse.js';

const APP = '/Applications/zoom.us.app';

/** Every fixtures/zoom file, the parser for its format, and the real values in it. */
const FIXTURES: Record<string, () => void> = {
  'fleet-maintained-app-zoom-version-query.json': () => {
    const r = parseFleetZoomVersions(readFixture('zoom/fleet-maintained-app-zoom-version-query.json'));
    expect(r).toEqual({ ok: true, value: ['7.1.5.84650'], problems: [] });
    // The same file's query note: osquery's version_compare('7.1.7 (13891)','7.1.7.13891') = -1; ours is equal.
    expect(compareVersions('7.1.7 (13891)', '7.1.7.13891')).toBe(0);
  },
  'grep-bundleident-us.zoom.xos.txt': () => {
    expect(parseInfoPlistFragment(readFixture('zoom/grep-bundleident-us.zoom.xos.txt'))).toEqual({ ok: true, value: { CFBundleIdentifier: ZOOM_BUNDLE_ID }, problems: [] });
  },
  'homebysix236-CFBundleShortVersionString-4.5.0.plist-fragment.xml': () => {
    const r = parseInfoPlistFragment(readFixture('zoom/homebysix236-CFBundleShortVersionString-4.5.0.plist-fragment.xml'));
    expect(r).toEqual({ ok: true, value: { CFBundleShortVersionString: '4.5.0 (3261.0825)' }, problems: [] });
    // A fragment alone is not a plist: parseZoomInfoPlist refuses it with a reason rather than guessing.
    expect(parseZoomInfoPlist(readFixture('zoom/homebysix236-CFBundleShortVersionString-4.5.0.plist-fragment.xml'), APP)).toMatchObject({ ok: false, error: expect.stringMatching(/no <plist> element/) });
  },
  'installomator445-zoom-5.9.6-log.txt': () => {
    const r = parseInstallomatorZoomLog(readFixture('zoom/installomator445-zoom-5.9.6-log.txt'));
    expect(r).toEqual({ ok: true, value: { appPath: APP, installedVersion: '5.9.6 (4993)', versionKey: 'CFBundleShortVersionString', latestVersion: '5.9.6.4993' }, problems: [] });
    expect(compareVersions('5.9.6 (4993)', '5.9.6.4993')).toBe(0);
  },
  'osquery-apps-snapshot-zoom-5.16.10.json': () => {
    const r = parseOsqueryZoomApps(readFixture('zoom/osquery-apps-snapshot-zoom-5.16.10.json'));
    expect(r).toEqual({
      ok: true,
      value: [{ installed: true, appPath: APP, bundleId: ZOOM_BUNDLE_ID, shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689', version: '5.16.10.25689' }],
      problems: [],
    });
  },
};

describe('every fixtures/zoom capture, each with its format parser', () => {
  it('covers every fixture file', () => expect(Object.keys(FIXTURES).sort()).toEqual(listFixtures('zoom')));
  it.each(Object.keys(FIXTURES))('%s', (file) => FIXTURES[file]?.());
});

/** Info.plist keys as the osquery fixture reports them for Zoom 5.16.10 (osquery's apps columns map 1:1 to Info.plist). */
const INFO = {
  CFBundleExecutable: 'zoom.us',
  CFBundleIdentifier: 'us.zoom.xos',
  CFBundleName: 'zoom.us',
  CFBundleShortVersionString: '5.16.10 (25689)',
  CFBundleVersion: '5.16.10.25689',
  LSMinimumSystemVersion: '10.13.0',
};
const FACTS = { installed: true, appPath: APP, bundleId: 'us.zoom.xos', shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689', version: '5.16.10.25689' };

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import plistlib']);
    return true;
  } catch {
    return false;
  }
})();

describe('parseZoomInfoPlist', () => {
  it('reads an XML Info.plist given as text and as bytes', () => {
    const xml = plist.build(INFO);
    expect(parseZoomInfoPlist(xml, APP)).toEqual({ ok: true, value: FACTS, problems: [] });
    expect(parseZoomInfoPlist(Buffer.from(xml), APP)).toEqual({ ok: true, value: FACTS, problems: [] });
  });

  it.skipIf(!hasPython)('reads a binary Info.plist written by Python plistlib (an independent bplist00 writer)', () => {
    const bytes = execFileSync('python3', ['-c', 'import plistlib,sys,json; sys.stdout.buffer.write(plistlib.dumps(json.loads(sys.argv[1]), fmt=plistlib.FMT_BINARY))', JSON.stringify(INFO)]);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('bplist00');
    expect(parseZoomInfoPlist(bytes, APP)).toEqual({ ok: true, value: FACTS, problems: [] });
    // Read as UTF-8 text the binary is corrupted: refused with a reason that says what to do.
    expect(parseZoomInfoPlist(bytes.toString('utf8'), APP)).toMatchObject({ ok: false, error: expect.stringMatching(/read the file as bytes/) });
  });

  it('reads a binary Info.plist written by plist.buildBinary', () => {
    expect(parseZoomInfoPlist(Buffer.from(plist.buildBinary(INFO)), APP)).toEqual({ ok: true, value: FACTS, problems: [] });
  });

  it('reports another app at the path and missing versions as problems, not as Zoom', () => {
    const r = parseZoomInfoPlist(plist.build({ CFBundleIdentifier: 'com.example.other' }), APP);
    expect(r).toEqual({
      ok: true,
      value: { installed: true, appPath: APP, bundleId: 'com.example.other', shortVersion: null, bundleVersion: null, version: null },
      problems: ['CFBundleIdentifier is "com.example.other", expected us.zoom.xos', 'no numeric version in CFBundleShortVersionString or CFBundleVersion'],
    });
  });

  it('fails with a reason on empty, non-plist, truncated and non-dictionary files', () => {
    expect(parseZoomInfoPlist('', APP)).toEqual({ ok: false, error: `${APP}/Contents/Info.plist: empty plist`, problems: [] });
    expect(parseZoomInfoPlist('{"CFBundleIdentifier":"us.zoom.xos"}', APP)).toMatchObject({ ok: false, error: expect.stringMatching(/not a property list/) });
    expect(parseZoomInfoPlist(Buffer.from('bplist00\x00\x01'), APP)).toMatchObject({ ok: false, error: expect.stringMatching(/unreadable plist/) });
    expect(parseZoomInfoPlist(plist.build(['a']), APP)).toMatchObject({ ok: false, error: expect.stringMatching(/not a dictionary/) });
  });

  it('zoomNotInstalled says installed: false with no versions', () => {
    expect(zoomNotInstalled(APP)).toEqual({ installed: false, appPath: APP, bundleId: null, shortVersion: null, bundleVersion: null, version: null });
  });

  it('keeps non-ASCII text intact and never throws on arbitrary bytes or mangled plists (property)', () => {
    const xml = plist.build(INFO);
    const mangled = fc.tuple(fc.nat(xml.length), fc.nat(60), fc.string()).map(([at, cut, ins]) => xml.slice(0, at) + ins + xml.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mangled, fc.string({ unit: 'binary' }), fc.uint8Array().map((a) => Buffer.concat([Buffer.from('bplist00'), a]))), (input) => {
      const r = parseZoomInfoPlist(input, APP);
      if (!r.ok) expect(r.error).toMatch(/^\/Applications\/zoom\.us\.app\/Contents\/Info\.plist: /);
    }), { numRuns: 300 });
    // Line separators (CR, NEL, U+2028/9) are excluded: the XML parser normalises them to "\n", as XML line-end handling does.
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s.trim() !== '' && s.trim() === s && !/[\r\u0085\u2028\u2029]/.test(s)), (name) => {
      const r = parseZoomInfoPlist(plist.build({ ...INFO, CFBundleIdentifier: name, CFBundleShortVersionString: '6,0 (1)' }), APP);
      expect(r.ok && r.value.bundleId).toBe(name);
      expect(r.ok && r.value.version).toBe('6'); // "6,0" is not 6.0: the comma ends the number, nothing is invented
    }), { numRuns: 100 });
  });
});
