import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFixture } from '@fleetmedic/macos/testing';

/** macOS 14+ `access` table (fixtures/tcc/schema-access-by-version-verified.md, sha1 f773496775). */
export const ACCESS_17 = `CREATE TABLE "access" (    service        TEXT        NOT NULL,     client         TEXT        NOT NULL,     client_type    INTEGER     NOT NULL,     auth_value     INTEGER     NOT NULL,     auth_reason    INTEGER     NOT NULL,     auth_version   INTEGER     NOT NULL,     csreq          BLOB,     policy_id      INTEGER,     indirect_object_identifier_type    INTEGER,     indirect_object_identifier         TEXT NOT NULL DEFAULT 'UNUSED',     indirect_object_code_identity      BLOB,     flags          INTEGER,     last_modified  INTEGER     NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)), pid INTEGER, pid_version INTEGER, boot_uuid TEXT NOT NULL DEFAULT 'UNUSED', last_reminded INTEGER NOT NULL DEFAULT 0,     PRIMARY KEY (service, client, client_type, indirect_object_identifier),    FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE ON UPDATE CASCADE);`;

/** One access row: service, client, auth_value, auth_reason (client_type 0, bundle id). */
export type Row = [service: string, client: string, authValue: number, authReason: number];

const MAC_USER_DB = 'Library/Application Support/com.apple.TCC/TCC.db';

/** Builds a real TCC.db with the macOS 14+ schema and the given rows, using this machine's sqlite3. */
export function makeTccDb(file: string, rows: Row[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const inserts = rows
    .map(([s, c, v, r]) => `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES ('${s}', '${c}', 0, ${v}, ${r}, 1, 1714550400);`)
    .join('\n');
  execFileSync('/usr/bin/sqlite3', [file], { input: `${ACCESS_17}\n${inserts}\n` });
}

/** Zoom's Info.plist with the values Zoom 5.16.10 ships (fixtures/zoom). */
export const ZOOM_PLIST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleIdentifier</key><string>us.zoom.xos</string>
<key>CFBundleShortVersionString</key><string>5.16.10 (25689)</string>
<key>CFBundleVersion</key><string>5.16.10.25689</string>
</dict></plist>
`;

/**
 * A tiny recorded Mac in a temp folder, from real captures: macOS 12.5.1 sw_vers, socketfilterfw
 * (state 1, stealth read fails with exit 1), listapps (macOS 15 layout), pmset batt (pmset-adapter
 * missing: not recorded), console user alice, Zoom 5.16.10; TCC: system db (ScreenCapture allowed),
 * alice's (Camera denied, Microphone allowed), bob's listed in denied.txt.
 */
export function makeTinyMac(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-mac-'));
  const cmd = path.join(dir, 'cmd');
  mkdirSync(cmd);
  const put = (name: string, text: string) => writeFileSync(path.join(cmd, name), text);
  const lines = (rel: string) => readFixture(rel).split('\n');
  const fw = lines('firewall/kolide-combined-get-v1-state1.txt');
  put('sw_vers.out', readFixture('sw_vers/monterey-12.5.1-21G83.txt'));
  put('socketfilterfw-getglobalstate.out', `${fw[0]}\n`);
  put('socketfilterfw-getblockall.out', `${fw[1]}\n`);
  put('socketfilterfw-getallowsigned.out', `${fw[2]}\n${fw[3]}\n`);
  put('socketfilterfw-getstealthmode.err', 'ALF: Error, kStealthEnableKey does not return the correct type.\n');
  put('socketfilterfw-getstealthmode.code', '1\n');
  put('socketfilterfw-listapps.out', `${lines('firewall/nixdarwin-1705-listapps-new-format.txt').slice(2).join('\n')}`);
  put('pmset-batt.out', lines('power/pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt').slice(-3).join('\n'));
  put('console-user.out', 'alice\n');
  // Remedy answers, real captures (recorded-macs use the same): tccutil prints one line per
  // registered copy of the app; socketfilterfw's --add/--unblockapp from an OS X 10.11-era note.
  put('tccutil-reset.out', `${lines('tccutil/meetai-reset-success-x4.txt').filter((l) => l.startsWith('Successfully')).slice(0, 1).join('\n')}\n`);
  put('socketfilterfw-add.out', 'The application is already a part of the firewall\n');
  put('socketfilterfw-unblockapp.out', 'Incoming connection to the application is permitted\n');
  writeFileSync(
    path.join(dir, 'host.json'),
    JSON.stringify({ hostname: 'tiny-mac', serialNumber: 'C02TINY0001', hardwareModel: 'Mac14,2', architecture: 'arm64', consoleUser: 'alice', homes: { alice: '/Users/alice', bob: '/Users/bob' } }),
  );
  writeFileSync(path.join(dir, 'denied.txt'), `# no Full Disk Access for bob's database\n/Users/bob/${MAC_USER_DB}\n`);
  const fs = path.join(dir, 'fs');
  makeTccDb(path.join(fs, 'Library/Application Support/com.apple.TCC/TCC.db'), [['kTCCServiceScreenCapture', 'us.zoom.xos', 2, 3]]);
  makeTccDb(path.join(fs, 'Users/alice', MAC_USER_DB), [
    ['kTCCServiceCamera', 'us.zoom.xos', 0, 2],
    ['kTCCServiceMicrophone', 'us.zoom.xos', 2, 2],
  ]);
  makeTccDb(path.join(fs, 'Users/bob', MAC_USER_DB), [['kTCCServiceCamera', 'us.zoom.xos', 2, 2]]);
  mkdirSync(path.join(fs, 'Applications/zoom.us.app/Contents'), { recursive: true });
  writeFileSync(path.join(fs, 'Applications/zoom.us.app/Contents/Info.plist'), ZOOM_PLIST);
  return dir;
}
