// The zoomInstalls collector on recorded Macs (recorded-macs/) and copies of them with answers taken away or data added.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { ReplayRunner } from '../runner/replay.js';
import { collectZoomInstalls } from './zoom-installs.js';

const MACS = path.join(REPO_ROOT, 'recorded-macs');
const ZOOM = '/Applications/zoom.us.app';
const ZOOM_SIGNER = { identifier: 'us.zoom.xos', teamId: 'BJ4HAAB9B3', authorities: ['Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)', 'Developer ID Certification Authority', 'Apple Root CA'], adhoc: false };
const VALID = { valid: true, verdict: 'valid', reason: null, details: [] };
const collect = async (dir: string) => collectZoomInstalls(await ReplayRunner.open(dir), ZOOM);
const copyOf = (mac: string) => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'zoom-installs-')), mac);
  cpSync(path.join(MACS, mac), dir, { recursive: true });
  return dir;
};

describe('collectZoomInstalls', () => {
  it('two Zooms: /Applications (its version is the zoom section\'s) and the user\'s own 5.16.10, both signed by Zoom', async () => {
    expect(await collect(path.join(MACS, 'mbp-m5pro-26-two-zooms'))).toEqual({
      status: 'ok',
      sources: ['codesign --verify --deep --strict --verbose=2', 'codesign -dvvv', 'Info.plist', 'Zoom data folders'],
      data: {
        installs: [
          { appPath: ZOOM, user: null, signature: VALID, signer: ZOOM_SIGNER, problems: [] },
          { appPath: '/Users/user/Applications/zoom.us.app', user: 'user', bundleId: 'us.zoom.xos', version: '5.16.10.25689', signature: VALID, signer: ZOOM_SIGNER, problems: [] },
        ],
        dataFolders: [
          { user: 'user', kind: 'caches', path: '/Users/user/Library/Caches/us.zoom.xos', exists: false, sizeBytes: null, modifiedAt: null },
          { user: 'user', kind: 'application-support', path: '/Users/user/Library/Application Support/zoom.us', exists: false, sizeBytes: null, modifiedAt: null },
          { user: 'user', kind: 'logs', path: '/Users/user/Library/Logs/zoom.us', exists: false, sizeBytes: null, modifiedAt: null },
        ],
      },
    });
  });

  it('the damaged Zoom: macOS\'s reason with codesign\'s exit status 1', async () => {
    const s = await collect(path.join(MACS, 'mbp-m5pro-26-zoom-damaged'));
    expect(s.data?.installs).toEqual([{ appPath: ZOOM, user: null, signature: { valid: false, verdict: 'sealed-resource', reason: 'a sealed resource is missing or invalid', details: [] }, signer: ZOOM_SIGNER, problems: [] }]);
  });

  it('codesign not recorded: no signature (null, the reason as a problem), never "valid"', async () => {
    const dir = copyOf('mbp-m5pro-26-healthy');
    rmSync(path.join(dir, 'cmd', 'codesign-verify-zoom.err'));
    const s = await collect(dir);
    expect(s.status).toBe('partial');
    expect(s.data?.installs[0]).toMatchObject({ signature: null, signer: ZOOM_SIGNER });
    expect(s.problems).toEqual([`${ZOOM}: codesign --verify --deep --strict --verbose=2 ${ZOOM}: not recorded (no cmd/codesign-verify-zoom.out)`]);
  });

  it('no Zoom at all: no copy, no codesign run', async () => {
    const s = await collect(path.join(MACS, 'mbp-intel-t2-13-zoom-not-installed'));
    expect(s).toMatchObject({ status: 'ok', data: { installs: [] } });
  });

  it('measures the data folders in bytes without following a symlink, and says why one could not be measured', async () => {
    const dir = copyOf('mbp-m5pro-26-healthy');
    const caches = path.join(dir, 'fs/Users/user/Library/Caches/us.zoom.xos');
    mkdirSync(caches, { recursive: true });
    writeFileSync(path.join(caches, 'Cache.db'), Buffer.alloc(1234));
    symlinkSync('/', path.join(caches, 'root'));
    mkdirSync(path.join(dir, 'fs/Users/user/Library/Logs'), { recursive: true });
    symlinkSync('../Caches', path.join(dir, 'fs/Users/user/Library/Logs/zoom.us'));
    const s = await collect(dir);
    expect(s.data?.dataFolders[0]).toMatchObject({ kind: 'caches', exists: true, sizeBytes: 1234 });
    expect(s.data?.dataFolders[2]).toEqual({ user: 'user', kind: 'logs', path: '/Users/user/Library/Logs/zoom.us', exists: true, sizeBytes: null, modifiedAt: null, problem: '/Users/user/Library/Logs/zoom.us is a symlink: not followed' });
    expect(s.status).toBe('partial');
  });
});
