/**
 * Turns a TccDbSpec into the SQL that builds a recorded Mac's TCC.db: the exact CREATE
 * statements of its macOS generation and the real rows of fixtures/tcc, plus Zoom's rows.
 * Pure: takes the fixture texts, returns SQL text.
 */
import { createHash } from 'node:crypto';
import type { AccessLayout, RowSet, TccDbSpec, ZoomTcc } from './manifest.js';

/** Fixture texts this module reads, by fixture path. */
export type ReadFixture = (rel: string) => string;

export const SCHEMA_MD = 'tcc/schema-access-by-version-verified.md';
export const SCHEMA_DUMP = 'tcc/schema-macos26.6.2-25G83-user-TCCdb.sql';
export const ROWS: Record<RowSet, string> = {
  'ventura-user-13col': 'tcc/rows-ventura-select-star-13col.txt',
  '2024-user': 'tcc/rows-2024-user-db-service-client-authvalue.txt',
  '2024-system': 'tcc/rows-2024-system-db-service-client-authvalue.txt',
  'sonoma-logga-system': 'tcc/rows-17col-sonoma-logga-blog-csreq-blob-newline.txt',
};

/** `access` columns in table order: 13 on macOS 11–13, 17 on 14–26 (19 on 27, not built here). */
export const COLUMNS_13 = [
  'service', 'client', 'client_type', 'auth_value', 'auth_reason', 'auth_version', 'csreq', 'policy_id',
  'indirect_object_identifier_type', 'indirect_object_identifier', 'indirect_object_code_identity', 'flags', 'last_modified',
] as const;
export const COLUMNS_17 = [...COLUMNS_13, 'pid', 'pid_version', 'boot_uuid', 'last_reminded'] as const;
export const COLUMNS_19 = [...COLUMNS_17, 'one_time_reprompt_eligible', 'reminder_count'] as const;

/** sha1[:10] of `SELECT sql FROM sqlite_master WHERE name='access'`, the fingerprint jacobsalmela/tccutil checks. */
export const accessDigest = (sql: string): string => createHash('sha1').update(sql).digest('hex').slice(0, 10);

export const layoutDigest = (layout: AccessLayout): string => layout.split('-')[1]!;
export const layoutColumns = (layout: AccessLayout): readonly string[] => (layout.startsWith('auth13') ? COLUMNS_13 : COLUMNS_17);

type Value = string | number | null;
type Row = Record<string, Value>;

/** Date of the 2024 notes that listed service|client|auth_value (2024-09-11T00:00:00Z); their time of day is unknown. */
export const FILLED_LAST_MODIFIED = 1726012800;

/** The exact CREATE TABLE access text whose fingerprint is the layout's digest. */
export function accessCreate(layout: AccessLayout, read: ReadFixture): string {
  const digest = layoutDigest(layout);
  const candidates = [...read(SCHEMA_MD).split('\n'), ...read(SCHEMA_DUMP).split('\n')].filter((l) => /^CREATE TABLE "?access"? /.test(l));
  const hit = candidates.find((l) => accessDigest(l.replace(/;$/, '')) === digest);
  if (!hit) throw new Error(`no CREATE TABLE access with sha1[:10] ${digest} in ${SCHEMA_MD} / ${SCHEMA_DUMP}`);
  return hit;
}

/** The 26.6.2 dump's statements, with `access` swapped for the layout's and integrity_flag kept only when asked. */
export function schemaStatements(spec: TccDbSpec, read: ReadFixture): string[] {
  return read(SCHEMA_DUMP)
    .split('\n')
    .filter((l) => l.startsWith('CREATE '))
    .filter((l) => spec.integrityFlag || !l.startsWith('CREATE TABLE integrity_flag'))
    .map((l) => (/^CREATE TABLE "?access"? /.test(l) ? accessCreate(spec.layout, read) : l));
}

const NULLABLE_EMPTY = new Set(['csreq', 'policy_id', 'indirect_object_code_identity', 'pid', 'pid_version']);
const INTEGER = new Set(['client_type', 'auth_value', 'auth_reason', 'auth_version', 'policy_id', 'indirect_object_identifier_type', 'flags', 'last_modified', 'pid', 'pid_version', 'last_reminded']);

/** One `select *` line in sqlite3 list mode: NULL prints as an empty field. csreq bytes are not kept (printed raw, lost). */
function fromSelectStar(fields: string[], columns: readonly string[]): Row {
  if (fields.length !== columns.length) throw new Error(`expected ${columns.length} fields, got ${fields.length}: ${fields.join('|')}`);
  const row: Row = {};
  columns.forEach((c, i) => {
    const v = fields[i]!;
    row[c] = c === 'csreq' || (v === '' && NULLABLE_EMPTY.has(c)) ? null : INTEGER.has(c) ? Number(v) : v;
  });
  return row;
}

/**
 * A `service|client|auth_value` line completed to a full row. Filled, not captured: client_type from
 * the client's form, auth_reason 4 (System Set) for Liverpool/Ubiquity as in the real Ventura rows and
 * 2 (User Consent) otherwise, and the capture date as last_modified.
 */
function fromThreeColumns(service: string, client: string, authValue: number): Row {
  return {
    service, client, client_type: client.startsWith('/') ? 1 : 0, auth_value: authValue,
    auth_reason: /^kTCCService(Liverpool|Ubiquity)$/.test(service) ? 4 : 2, auth_version: 1,
    csreq: null, policy_id: null, indirect_object_identifier_type: 0, indirect_object_identifier: 'UNUSED',
    indirect_object_code_identity: null, flags: 0, last_modified: FILLED_LAST_MODIFIED,
    pid: null, pid_version: null, boot_uuid: 'UNUSED', last_reminded: 0,
  };
}

/** Data lines of a `$ sqlite3 ... "SELECT service, client, auth_value ..."` block, up to its blank line. */
function threeColumnLines(text: string): string[] {
  const lines = text.split('\n');
  const end = lines.indexOf('', 1);
  return lines.slice(1, end === -1 ? undefined : end);
}

/**
 * Real rows of one set. AppleEvents rows of the 2024 notes are left out: their target
 * (indirect_object_identifier, part of the primary key) was not captured.
 */
export function rowsOf(set: RowSet, read: ReadFixture): Row[] {
  const text = read(ROWS[set]);
  switch (set) {
    case 'ventura-user-13col':
      return text.split('\n').filter(Boolean).map((l) => fromSelectStar(l.split('|'), COLUMNS_13));
    case 'sonoma-logga-system': {
      // Each row spans two lines: its csreq blob contained a newline byte.
      const lines = text.split('\n').filter(Boolean);
      const rows: Row[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) rows.push(fromSelectStar((lines[i]! + lines[i + 1]!).split('|'), COLUMNS_17));
      return rows;
    }
    case '2024-user':
    case '2024-system':
      return threeColumnLines(text)
        .map((l) => l.split('|'))
        .filter(([service]) => service !== 'kTCCServiceAppleEvents')
        .map(([service, client, value]) => fromThreeColumns(service!, client!, Number(value)));
  }
}

const SERVICE = { Camera: 'kTCCServiceCamera', Microphone: 'kTCCServiceMicrophone', ScreenCapture: 'kTCCServiceScreenCapture' } as const;

/** auth_value / auth_reason of Zoom's row: allowed 2 with User Consent (2), or User Set (3) for screen recording, which is granted in Settings. */
function zoomAuth(service: keyof typeof SERVICE, state: ZoomTcc): [number, number] {
  if (state === 'allowed') return [2, service === 'ScreenCapture' ? 3 : 2];
  return state === 'denied' ? [0, 2] : [0, 6];
}

/** Zoom's rows: scenario data, stamped with the newest last_modified of the real rows beside them. */
export function zoomRows(spec: TccDbSpec, realRows: Row[]): Row[] {
  const stamp = Math.max(...realRows.map((r) => Number(r.last_modified)));
  return (Object.entries(spec.zoom) as [keyof typeof SERVICE, ZoomTcc][]).map(([service, state]) => {
    const [authValue, authReason] = zoomAuth(service, state);
    return { ...fromThreeColumns(SERVICE[service], 'us.zoom.xos', authValue), auth_reason: authReason, last_modified: stamp };
  });
}

const literal = (v: Value): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/** The whole SQL script of one TCC.db: header, CREATE statements, rows (INSERT OR IGNORE: the first set wins a duplicate key). */
export function tccSql(spec: TccDbSpec, read: ReadFixture, header: string[]): string {
  const columns = layoutColumns(spec.layout);
  const real = spec.rows.flatMap((set) => rowsOf(set, read));
  const inserts = [...real, ...zoomRows(spec, real)].map(
    (row) => `INSERT OR IGNORE INTO access (${columns.join(', ')}) VALUES (${columns.map((c) => literal(row[c] ?? null)).join(', ')});`,
  );
  return [...header.map((h) => `-- ${h}`), ...schemaStatements(spec, read), 'BEGIN;', ...inserts, 'COMMIT;', ''].join('\n');
}
