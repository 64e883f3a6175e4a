import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TccEntry } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { authReasonName, authValueName, parseAccessRows, parseAccessRowsPipe } from './access.js';
import { ACCESS_COLUMNS_BY_LAYOUT, TCC_TABLE_INFO_SQL, accessQuery, parseTableInfo, tccLayout } from './schema.js';
import { KNOWN_TCC_SERVICES, isKnownTccService, tccServiceShortName } from './services.js';
import { describeSqliteError } from './sqlite-error.js';

const SQLITE = '/usr/bin/sqlite3';
const dir = mkdtempSync(path.join(tmpdir(), 'fleetmedic-tcc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real sqlite3 the way the agent does (`-readonly -json`), or with other flags for setup. */
function sqlite(db: string, sql: string, flags: string[] = ['-readonly', '-json']) {
  const r = spawnSync(SQLITE, [...flags, db, sql], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}
/** Setup SQL through stdin (a script may start with "--", which sqlite3 would take for an option). */
function exec(db: string, sql: string): void {
  const r = spawnSync(SQLITE, ['-bail', db], { input: `BEGIN;\n${sql}\nCOMMIT;`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 setup failed: ${r.stderr}`);
}

/** What the agent does for one TCC.db: table_info -> layout -> by-name SELECT -> entries. */
function readTcc(db: string) {
  const info = sqlite(db, TCC_TABLE_INFO_SQL);
  expect(info.code).toBe(0);
  const cols = parseTableInfo(info.stdout);
  if (!cols.ok) throw new Error(cols.error);
  const rows = sqlite(db, accessQuery(cols.value));
  expect(rows.code).toBe(0);
  return { columns: cols.value, layout: tccLayout(cols.value), entries: parseAccessRows(rows.stdout, cols.value) };
}

const sqlText = (v: string | null) => (v === null ? 'NULL' : /^-?\d+$/.test(v) ? v : `'${v.replace(/'/g, "''")}'`);
/** INSERT for `|`-separated fixture rows into the given columns (empty field = NULL, as sqlite3 printed it). */
const insertRows = (rows: string[][], columns: readonly string[]) =>
  rows.map((f) => `INSERT INTO access (${columns.join(', ')}) VALUES (${f.map((v) => sqlText(v === '' ? null : v)).join(', ')});`).join('\n');
const pipeRows = (text: string) => text.split('\n').filter((l) => l.startsWith('kTCCService')).map((l) => l.split('|'));
/** The output of the first command of a capture holding several "$ command" blocks. */
const firstCommandOutput = (text: string) => text.split(/\n(?=\$ )/)[0] ?? '';

const entry = (service: string, client: string, authValue: number, more: Partial<TccEntry> = {}): TccEntry => ({
  service, client, clientType: client.startsWith('/') ? 'path' : 'bundle', authValue, authValueName: authValueName(authValue),
  authReason: null, authReasonName: null, lastModified: null, indirectObject: null, ...more,
});
const byKey = (a: TccEntry, b: TccEntry) => `${a.service}|${a.client}`.localeCompare(`${b.service}|${b.client}`);

// ---------------------------------------------------------------------------------------------
// The exact CREATE TABLE statements of fixtures/tcc/schema-access-by-version-verified.md, in file order.
const SCHEMA_MD = readFixture('tcc/schema-access-by-version-verified.md');
const CREATES = [...SCHEMA_MD.matchAll(/^## (.+)\n[^\n]*\n```sql\n(CREATE TABLE [^\n]+)\n```/gm)].map((m) => ({ title: m[1] ?? '', sql: m[2] ?? '' }));
const CREATE_LAYOUTS = ['allowed-6', 'allowed-12', 'auth-13', 'auth-13', 'auth-17', 'auth-17'];

const VENTURA = readFixture('tcc/rows-ventura-select-star-13col.txt');
const USER_2024 = readFixture('tcc/rows-2024-user-db-service-client-authvalue.txt');
const SYSTEM_2024 = readFixture('tcc/rows-2024-system-db-service-client-authvalue.txt');
const SCHEMA_26 = readFixture('tcc/schema-macos26.6.2-25G83-user-TCCdb.sql');
// Localised client names as they appear on a Russian Mac (fixtures/locale): used as non-ASCII TCC clients.
const RU_NAMES = [...readFixture('locale/SPAudioDataType-ru-RU-excerpt-carthing.txt').matchAll(/^\s+([^\x00-\x7f][^:\n]*):$/gm)].map((m) => m[1] ?? '');

describe('real TCC.db files built with /usr/bin/sqlite3 from the verified schemas', () => {
  it('finds the six verified CREATE TABLE statements', () => {
    expect(CREATES.map((c) => c.title)).toHaveLength(6);
    expect(CREATES[0]?.sql).toMatch(/^CREATE TABLE access \(service TEXT NOT NULL/);
  });

  it.each(CREATES.map((c, i) => [c.title, CREATE_LAYOUTS[i] ?? '?', c.sql] as const))('%s -> %s', (title, layout, create) => {
    const db = path.join(dir, `${layout}-${title.replace(/\W+/g, '_')}.db`);
    exec(db, `CREATE TABLE policies (id INTEGER PRIMARY KEY); ${create}`);
    let expected: TccEntry[];
    if (layout.startsWith('allowed')) {
      // No row capture exists for ≤ 10.15: Zoom rows written the way those releases stored them (allowed 0/1).
      const lm = layout === 'allowed-12' ? ', last_modified' : '';
      const lmv = layout === 'allowed-12' ? ', 1571000000' : '';
      exec(db, `INSERT INTO access (service, client, client_type, allowed, prompt_count${lm}) VALUES ('kTCCServiceCamera', 'us.zoom.xos', 0, 1, 1${lmv}), ('kTCCServiceMicrophone', 'us.zoom.xos', 0, 0, 1${lmv});`);
      const more = layout === 'allowed-12' ? { lastModified: '2019-10-13T20:53:20.000Z' } : {};
      expected = [entry('kTCCServiceCamera', 'us.zoom.xos', 2, more), entry('kTCCServiceMicrophone', 'us.zoom.xos', 0, more)];
    } else if (layout === 'auth-13') {
      // The Ventura `select *` capture, inserted column for column.
      exec(db, insertRows(pipeRows(VENTURA), ACCESS_COLUMNS_BY_LAYOUT['auth-13']));
      expected = pipeRows(VENTURA).map((f) => entry(f[0] ?? '', f[1] ?? '', 2, {
        authReason: 4, authReasonName: 'system-set', lastModified: new Date(Number(f[12]) * 1000).toISOString(),
      }));
    } else {
      // The 2024 user-db capture has only service, client, auth_value: the NOT NULL columns it lacks are filled with
      // client_type from the client's form, auth_reason 2 (user-consent), auth_version 1.
      const rows = pipeRows(firstCommandOutput(USER_2024));
      exec(db, rows.map(([s, c, v]) => `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version) VALUES (${sqlText(s ?? '')}, ${sqlText(c ?? '')}, ${c?.startsWith('/') ? 1 : 0}, ${v}, 2, 1);`).join('\n'));
      expected = rows.map(([s, c, v]) => entry(s ?? '', c ?? '', Number(v), { authReason: 2, authReasonName: 'user-consent', lastModified: expect.stringMatching(/^20\d\d-/) as unknown as string }));
    }
    const read = readTcc(db);
    expect(read.layout).toBe(layout);
    expect(read.entries.ok && read.entries.problems).toEqual([]);
    expect(read.entries.ok && [...read.entries.value].sort(byKey)).toEqual([...expected].sort(byKey));
  });

  it('the real macOS 26.6.2 .schema dump (all tables) -> auth-17; csreq BLOBs, AppleEvents targets and non-ASCII clients', () => {
    const db = path.join(dir, 'macos26.db');
    exec(db, SCHEMA_26);
    const sys = pipeRows(firstCommandOutput(SYSTEM_2024));
    exec(db, [
      ...sys.map(([s, c, v]) => `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES (${sqlText(s ?? '')}, ${sqlText(c ?? '')}, ${c?.startsWith('/') ? 1 : 0}, ${v}, 4, 1, 1727000000);`),
      // Zoom as users see it: camera allowed by the user (csreq with the real 0xfade0c00 magic: list mode stops printing at
      // its NUL byte), microphone denied with a csreq holding a newline and a '|' (what splits `select *` rows), an
      // MDM-set screen capture, AppleEvents with a target, and a localised path client.
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, csreq, last_modified) VALUES ('kTCCServiceCamera', 'us.zoom.xos', 0, 2, 2, 1, X'fade0c0000000034', 1760000000);`,
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, csreq, last_modified) VALUES ('kTCCServiceMicrophone', 'us.zoom.xos', 0, 0, 2, 1, X'fade0a7c0a01', 1760000001);`,
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES ('kTCCServiceScreenCapture', 'us.zoom.xos', 0, 2, 6, 1, 1760000002);`,
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, indirect_object_identifier, last_modified) VALUES ('kTCCServiceAppleEvents', 'us.zoom.xos', 0, 2, 3, 1, 'com.apple.systemevents', 1760000003);`,
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES ('kTCCServiceMicrophone', ${sqlText(`/Applications/${RU_NAMES[0] ?? 'x'}.app`)}, 1, 3, 13, 1, 1760000004);`,
    ].join('\n'));
    const read = readTcc(db);
    expect(read.layout).toBe('auth-17');
    expect(read.columns).toEqual(ACCESS_COLUMNS_BY_LAYOUT['auth-17']);
    if (!read.entries.ok) throw new Error(read.entries.error);
    expect(read.entries.problems).toEqual([]);
    expect(read.entries.value).toHaveLength(sys.length + 5);
    const zoom = read.entries.value.filter((e) => e.client === 'us.zoom.xos');
    expect(zoom).toEqual([
      entry('kTCCServiceAppleEvents', 'us.zoom.xos', 2, { authReason: 3, authReasonName: 'user-set', lastModified: '2025-10-09T08:53:23.000Z', indirectObject: 'com.apple.systemevents' }),
      entry('kTCCServiceCamera', 'us.zoom.xos', 2, { authReason: 2, authReasonName: 'user-consent', lastModified: '2025-10-09T08:53:20.000Z' }),
      entry('kTCCServiceMicrophone', 'us.zoom.xos', 0, { authReason: 2, authReasonName: 'user-consent', lastModified: '2025-10-09T08:53:21.000Z' }),
      entry('kTCCServiceScreenCapture', 'us.zoom.xos', 2, { authReason: 6, authReasonName: 'mdm-policy', lastModified: '2025-10-09T08:53:22.000Z' }),
    ]);
    expect(RU_NAMES[0]).toBe('Микрофон MacBook Pro');
    expect(read.entries.value).toContainEqual(entry('kTCCServiceMicrophone', '/Applications/Микрофон MacBook Pro.app', 3, { authReason: 13, authReasonName: 'other-13', lastModified: '2025-10-09T08:53:24.000Z' }));
    expect(read.entries.value.find((e) => e.client === '/usr/libexec/sshd-keygen-wrapper')).toMatchObject({ clientType: 'path', authValueName: 'denied', authReasonName: 'system-set' });

    // The same database read the naive way (`select *`, list mode): the csreq BLOB (two newlines) splits Zoom's microphone row over
    // three lines — reproduced here with the real sqlite3; that row is reported, the others are kept.
    const star = sqlite(db, 'SELECT * FROM access', ['-readonly']);
    const pipe = parseAccessRowsPipe(star.stdout, ACCESS_COLUMNS_BY_LAYOUT['auth-17']);
    expect(pipe.ok && pipe.value).toHaveLength(sys.length + 4);
    expect(pipe.problems).toEqual([expect.stringMatching(/row kTCCServiceMicrophone \/ us\.zoom\.xos spans 3 lines .*skipped/)]);
  });

  it('a macOS 27-style table (ALTER TABLE adding one_time_reprompt_eligible, reminder_count) -> auth-19', () => {
    const db = path.join(dir, 'auth19.db');
    exec(db, `CREATE TABLE policies (id INTEGER PRIMARY KEY); ${CREATES[5]?.sql ?? ''} ALTER TABLE access ADD COLUMN one_time_reprompt_eligible INTEGER; ALTER TABLE access ADD COLUMN reminder_count INTEGER;`);
    exec(db, `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version) VALUES ('kTCCServiceCamera', 'us.zoom.xos', 0, 2, 2, 1);`);
    const read = readTcc(db);
    expect(read.layout).toBe('auth-19');
    expect(read.entries).toMatchObject({ ok: true, value: [{ service: 'kTCCServiceCamera', client: 'us.zoom.xos', authValueName: 'allowed' }] });
  });

  it('an empty access table: sqlite3 -json prints nothing with exit 0 -> zero rows', () => {
    const db = path.join(dir, 'empty.db');
    exec(db, SCHEMA_26);
    const rows = sqlite(db, accessQuery(ACCESS_COLUMNS_BY_LAYOUT['auth-17'] as unknown as string[]));
    expect(rows).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(parseAccessRows(rows.stdout, [...ACCESS_COLUMNS_BY_LAYOUT['auth-17']])).toEqual({ ok: true, value: [], problems: [] });
  });

  it('a database without an access table: table_info is empty -> a clear failure', () => {
    const db = path.join(dir, 'noaccess.db');
    exec(db, 'CREATE TABLE admin (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);');
    const info = sqlite(db, TCC_TABLE_INFO_SQL);
    expect(info.code).toBe(0);
    expect(parseTableInfo(info.stdout)).toEqual({ ok: false, error: 'no access table (PRAGMA table_info(access) returned nothing)', problems: [] });
  });

  it('describeSqliteError on real sqlite3 failures and on the macOS "authorization denied" wording', () => {
    const missing = sqlite(path.join(dir, 'nope', 'TCC.db'), TCC_TABLE_INFO_SQL);
    expect(missing.code).not.toBe(0);
    expect(describeSqliteError(missing.stderr, missing.code)).toMatchObject({ kind: 'not-found', reason: expect.stringMatching(/unable to open database/) });
    const text = path.join(dir, 'text.db');
    writeFileSync(text, 'this is not sqlite, it is a text file long enough to have a header........................................');
    const notDb = sqlite(text, TCC_TABLE_INFO_SQL);
    expect(describeSqliteError(notDb.stderr, notDb.code)).toMatchObject({ kind: 'not-a-database', reason: expect.stringMatching(/file is not a database/) });
    // macOS without Full Disk Access (FORMATS.md §4; cannot be produced on Linux).
    expect(describeSqliteError('Error: unable to open database "/Library/Application Support/com.apple.TCC/TCC.db": authorization denied\n', 1)).toEqual({
      kind: 'no-full-disk-access',
      reason: 'sqlite3 exited 1: Error: unable to open database "/Library/Application Support/com.apple.TCC/TCC.db": authorization denied — the agent needs Full Disk Access to read TCC.db',
    });
    const noTable = sqlite(path.join(dir, 'noaccess.db'), 'SELECT service FROM access');
    expect(describeSqliteError(noTable.stderr, noTable.code)).toEqual({ kind: 'other', reason: expect.stringMatching(/no such table: access/) });
    expect(describeSqliteError('', 1)).toEqual({ kind: 'other', reason: 'sqlite3 exited 1 with no message' });
  });
});

// ---------------------------------------------------------------------------------------------
/** Every fixtures/tcc file and what it must give. */
const FIXTURES: Record<string, () => void> = {
  'kTCCService-exported-symbols-TCCframework-stub.txt': () => {
    const exported = [...readFixture('tcc/kTCCService-exported-symbols-TCCframework-stub.txt').matchAll(/kTCCService\w+/g)].map((m) => m[0]);
    expect(exported).toHaveLength(51);
    expect(KNOWN_TCC_SERVICES).toEqual(expect.arrayContaining(exported));
    for (const extra of ['kTCCServiceLiverpool', 'kTCCServiceUbiquity', 'kTCCServiceBluetoothAlways', 'kTCCServiceWebBrowserPublicKeyCredential', 'kTCCServiceSystemPolicyAppData', 'kTCCServiceAudioCapture', 'kTCCServiceEndpointSecurityClient']) {
      expect(isKnownTccService(extra)).toBe(true);
    }
    expect(isKnownTccService('Camera')).toBe(false);
    expect(tccServiceShortName('kTCCServiceCamera')).toBe('Camera');
  },
  'rows-17col-nextron-asgard-path-client-typo.txt': () => {
    // Partial by nature: the docs' row has 16 fields for 17 columns (typo in the source) -> skipped with the reason.
    const r = parseAccessRowsPipe(readFixture('tcc/rows-17col-nextron-asgard-path-client-typo.txt'), [...ACCESS_COLUMNS_BY_LAYOUT['auth-17']]);
    expect(r).toEqual({
      ok: false,
      error: 'none of the access rows could be read (1 problems)',
      problems: [expect.stringMatching(/^line 2: row kTCCServiceSystemPolicyAllFiles \/ \/private\/var\/lib\/asgard2-agent\/asgard2-agent-service has 16 fields, expected 17/)],
    });
  },
  'rows-17col-sonoma-logga-blog-csreq-blob-newline.txt': () => {
    // Partial by nature: both rows were split by a raw csreq BLOB -> both reported, nothing invented.
    const r = parseAccessRowsPipe(readFixture('tcc/rows-17col-sonoma-logga-blog-csreq-blob-newline.txt'), [...ACCESS_COLUMNS_BY_LAYOUT['auth-17']]);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.stringMatching(/^line 1: row kTCCServiceSystemPolicyAllFiles \/ com\.apple\.Terminal spans 2 lines/),
      expect.stringMatching(/^line 3: row kTCCServiceEndpointSecurityClient \/ com\.apple\.Terminal spans 2 lines/),
    ]);
  },
  'rows-2024-system-db-service-client-authvalue.txt': () => {
    const [rows, distinct] = SYSTEM_2024.split(/\n(?=\$ )/);
    const r = parseAccessRowsPipe(rows ?? '', ['service', 'client', 'auth_value']);
    if (!r.ok) throw new Error(r.error);
    expect(r.problems).toEqual([]);
    expect(r.value).toHaveLength(12);
    expect(r.value[0]).toEqual({ ...entry('kTCCServiceListenEvent', 'com.hnc.Discord', 0), clientType: 'unknown' });
    expect(r.value.filter((e) => e.authValueName === 'allowed').map((e) => `${e.service} ${e.client}`)).toEqual([
      'kTCCServiceScreenCapture com.brave.Browser', 'kTCCServiceSystemPolicyAllFiles com.apple.Terminal',
    ]);
    // Cross-check with the DISTINCT service listing captured from the same database.
    const services = (distinct ?? '').split('\n').filter((l) => l.startsWith('kTCCService'));
    expect([...new Set(r.value.map((e) => e.service))].sort()).toEqual(services);
  },
  'rows-2024-user-db-service-client-authvalue.txt': () => {
    const [rows, distinct] = USER_2024.split(/\n(?=\$ )/);
    const r = parseAccessRowsPipe(rows ?? '', ['service', 'client', 'auth_value']);
    if (!r.ok) throw new Error(r.error);
    expect(r.problems).toEqual([]);
    expect(r.value).toHaveLength(56);
    expect(r.value.filter((e) => e.service === 'kTCCServiceMicrophone').map((e) => [e.client, e.authValueName])).toEqual([
      ['com.brave.Browser', 'denied'], ['com.apple.Terminal', 'denied'], ['com.vscodium', 'denied'], ['com.hnc.Discord', 'denied'], ['com.apple.logic10', 'denied'],
    ]);
    expect(r.value.find((e) => e.client.startsWith('/'))).toMatchObject({ service: 'kTCCServiceUbiquity', client: '/System/Library/PrivateFrameworks/PhotoLibraryServices.framework/Versions/A/Support/photolibraryd', authValue: 2 });
    const services = (distinct ?? '').split('\n').filter((l) => l.startsWith('kTCCService'));
    expect([...new Set(r.value.map((e) => e.service))].sort()).toEqual(services);
    expect(services.every(isKnownTccService)).toBe(true);
  },
  'rows-ventura-select-star-13col.txt': () => {
    const r = parseAccessRowsPipe(VENTURA, [...ACCESS_COLUMNS_BY_LAYOUT['auth-13']]);
    if (!r.ok) throw new Error(r.error);
    expect(r.problems).toEqual([]);
    expect(r.value).toHaveLength(18);
    expect(r.value[0]).toEqual(entry('kTCCServiceLiverpool', 'com.apple.securityd', 2, { authReason: 4, authReasonName: 'system-set', lastModified: '2023-02-16T04:12:40.000Z' }));
    expect(r.value.at(-1)).toEqual(entry('kTCCServiceLiverpool', 'com.apple.icloud.fmfd', 2, { authReason: 4, authReasonName: 'system-set', lastModified: '2023-02-16T04:13:20.000Z' }));
  },
  'schema-access-by-version-verified.md': () => {
    // Each statement is built into a real database above; here: the column lists by layout match the statements.
    CREATES.forEach((c, i) => {
      const cols = [...c.sql.matchAll(/[(,]\s*([a-z_]+)\s+(?:TEXT|INTEGER|BLOB)/g)].map((m) => m[1] ?? '');
      expect(tccLayout(cols)).toBe(CREATE_LAYOUTS[i]);
    });
  },
  'schema-macos26.6.2-25G83-user-TCCdb.sql': () => {
    const access = /CREATE TABLE "access" \(([^\n]+)\);/.exec(SCHEMA_26)?.[1] ?? '';
    expect([...access.matchAll(/(?:^|,)\s*([a-z_]+)\s+(?:TEXT|INTEGER|BLOB)/g)].map((m) => m[1])).toEqual([...ACCESS_COLUMNS_BY_LAYOUT['auth-17']]);
  },
};

describe('every fixtures/tcc file', () => {
  it('covers every fixture file', () => expect(Object.keys(FIXTURES).sort()).toEqual(listFixtures('tcc')));
  it.each(Object.keys(FIXTURES))('%s', (file) => FIXTURES[file]?.());
});

describe('TCC helpers', () => {
  it('tccLayout detects by names, not order or count alone', () => {
    expect(tccLayout([...ACCESS_COLUMNS_BY_LAYOUT['auth-17']].reverse())).toBe('auth-17');
    expect(tccLayout([...ACCESS_COLUMNS_BY_LAYOUT['allowed-6'], 'policy_id'])).toBe('allowed-7');
    expect(tccLayout(['service', 'client', 'auth_value', 'x1', 'x2', 'x3'])).toBe('other-6');
  });

  it('accessQuery selects known columns by name and never the BLOBs', () => {
    expect(accessQuery([...ACCESS_COLUMNS_BY_LAYOUT['auth-17']])).toBe(
      'SELECT "service", "client", "client_type", "auth_value", "auth_reason", "last_modified", "indirect_object_identifier" FROM access ORDER BY service, client',
    );
    expect(accessQuery([...ACCESS_COLUMNS_BY_LAYOUT['allowed-6']])).toBe('SELECT "service", "client", "client_type", "allowed" FROM access ORDER BY service, client');
    expect(accessQuery([...ACCESS_COLUMNS_BY_LAYOUT['auth-19']])).not.toMatch(/csreq|code_identity/);
  });

  it('auth_value and auth_reason names', () => {
    expect([0, 1, 2, 3, 7].map(authValueName)).toEqual(['denied', 'unknown', 'allowed', 'limited', 'other(7)']);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map(authReasonName)).toEqual([
      'error', 'user-consent', 'user-set', 'system-set', 'service-policy', 'mdm-policy', 'override-policy', 'missing-usage-string',
      'prompt-timeout', 'preflight-unknown', 'entitled', 'app-type-policy', 'other-13',
    ]);
  });

  it('bad -json output: a clear error, bad rows skipped with reasons', () => {
    const cols = [...ACCESS_COLUMNS_BY_LAYOUT['auth-13']];
    expect(parseAccessRows('Error: no such table', cols)).toMatchObject({ ok: false, error: expect.stringMatching(/^sqlite3 -json output is not JSON/) });
    expect(parseAccessRows('{"a":1}', cols)).toMatchObject({ ok: false, error: 'sqlite3 -json output is not an array of rows' });
    const r = parseAccessRows(JSON.stringify([
      { service: 'kTCCServiceCamera', client: 'us.zoom.xos', client_type: 0, auth_value: 2, auth_reason: 2, last_modified: 1700000000 },
      { service: 'kTCCServiceMicrophone', client: 'us.zoom.xos', client_type: 7, auth_value: 'x', auth_reason: 2 },
      { service: 'kTCCServiceCamera', client: null },
      42,
    ]), cols);
    expect(r).toEqual({
      ok: true,
      value: [entry('kTCCServiceCamera', 'us.zoom.xos', 2, { authReason: 2, authReasonName: 'user-consent', lastModified: '2023-11-14T22:13:20.000Z' })],
      problems: ['row 4 is not an object: skipped', 'row 2 (kTCCServiceMicrophone / us.zoom.xos): unreadable auth_value "x": skipped', 'row 3: no client value: skipped'],
    });
  });

  it('never throws on arbitrary or mangled -json/pipe text; numbers come out as integers (property)', () => {
    const json = JSON.stringify([{ service: 'kTCCServiceCamera', client: 'us.zoom.xos', client_type: 0, auth_value: 2, auth_reason: 2, last_modified: 1700000000 }]);
    const mangle = (s: string) => fc.tuple(fc.nat(s.length), fc.nat(20), fc.string()).map(([at, cut, ins]) => s.slice(0, at) + ins + s.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mangle(json), mangle(VENTURA), fc.string({ unit: 'binary' })), (text) => {
      for (const r of [parseAccessRows(text, [...ACCESS_COLUMNS_BY_LAYOUT['auth-13']]), parseAccessRowsPipe(text, [...ACCESS_COLUMNS_BY_LAYOUT['auth-13']])]) {
        if (r.ok) for (const e of r.value) expect(Number.isInteger(e.authValue)).toBe(true);
        else expect(r.error.length).toBeGreaterThan(0);
      }
    }), { numRuns: 300 });
  });

  it('decimal commas and non-ASCII clients do not corrupt values (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('|') && !/[\r\n]/.test(s) && s.trim() === s && s !== ''), fc.nat(3), (client, v) => {
      const r = parseAccessRowsPipe(`kTCCServiceCamera|${client}|${v}\nkTCCServiceMicrophone|${client}|2,5`, ['service', 'client', 'auth_value']);
      expect(r.ok && r.value).toEqual([{ ...entry('kTCCServiceCamera', client, v), clientType: 'unknown' }]);
      expect(r.problems).toEqual([expect.stringMatching(/unreadable auth_value "2,5": skipped/)]);
    }), { numRuns: 200 });
  });
});
