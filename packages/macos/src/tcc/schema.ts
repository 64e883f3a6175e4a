import { failed, parsed, type ParseResult } from '../result.js';
import { parseJson } from '../json.js';

/** Run as `/usr/bin/sqlite3 -readonly -json <TCC.db> "PRAGMA table_info(access)"`; parse with parseTableInfo. */
export const TCC_TABLE_INFO_SQL = 'PRAGMA table_info(access)';

const BASE_11 = ['service', 'client', 'client_type', 'auth_value', 'auth_reason', 'auth_version', 'csreq', 'policy_id',
  'indirect_object_identifier_type', 'indirect_object_identifier', 'indirect_object_code_identity', 'flags', 'last_modified'];

/**
 * `access` table columns per generation, in table order (fixtures/tcc/schema-access-by-version-verified.md):
 * allowed-6 ≤ 10.10, allowed-7 10.11–10.13 (+policy_id, text unverified), allowed-12 10.14–10.15,
 * auth-13 11–13, auth-17 14–26 (ALTER TABLE added pid…last_reminded), auth-19 seen in 2026 test fixtures (probably 27).
 */
export const ACCESS_COLUMNS_BY_LAYOUT = {
  'allowed-6': ['service', 'client', 'client_type', 'allowed', 'prompt_count', 'csreq'],
  'allowed-7': ['service', 'client', 'client_type', 'allowed', 'prompt_count', 'csreq', 'policy_id'],
  'allowed-12': ['service', 'client', 'client_type', 'allowed', 'prompt_count', 'csreq', 'policy_id',
    'indirect_object_identifier_type', 'indirect_object_identifier', 'indirect_object_code_identity', 'flags', 'last_modified'],
  'auth-13': BASE_11,
  'auth-17': [...BASE_11, 'pid', 'pid_version', 'boot_uuid', 'last_reminded'],
  'auth-19': [...BASE_11, 'pid', 'pid_version', 'boot_uuid', 'last_reminded', 'one_time_reprompt_eligible', 'reminder_count'],
} as const satisfies Record<string, readonly string[]>;

export type AccessLayout = keyof typeof ACCESS_COLUMNS_BY_LAYOUT;

/**
 * `sqlite3 -json` output of PRAGMA table_info(access) (`[{"cid":0,"name":"service","type":"TEXT",...}]`) -> column names
 * in table order. Empty output means the database has no `access` table: that fails.
 */
export function parseTableInfo(stdout: string): ParseResult<string[]> {
  if (stdout.trim() === '') return failed('no access table (PRAGMA table_info(access) returned nothing)');
  let rows: unknown;
  try {
    rows = parseJson(stdout);
  } catch (e) {
    return failed(`PRAGMA table_info output is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(rows)) return failed('PRAGMA table_info output is not a JSON array');
  const cols = rows
    .map((r) => r as { cid?: unknown; name?: unknown })
    .filter((r) => typeof r?.name === 'string')
    .sort((a, b) => Number(a.cid) - Number(b.cid))
    .map((r) => r.name as string);
  if (cols.length === 0) return failed('PRAGMA table_info rows carry no column names');
  return parsed(cols, cols.length < rows.length ? [`${rows.length - cols.length} table_info rows without a name skipped`] : []);
}

/** The layout whose column set equals `columns` (compared by name, order ignored), else `other-N`. */
export function tccLayout(columns: readonly string[]): string {
  const have = new Set(columns);
  for (const [layout, cols] of Object.entries(ACCESS_COLUMNS_BY_LAYOUT)) {
    if (cols.length === have.size && cols.every((c) => have.has(c))) return layout;
  }
  return `other-${columns.length}`;
}

/** Columns read into a TccEntry. BLOB columns (csreq, indirect_object_code_identity) are never selected: raw bytes break output. */
export const ACCESS_READ_COLUMNS = ['service', 'client', 'client_type', 'auth_value', 'auth_reason', 'allowed', 'last_modified', 'indirect_object_identifier'] as const;

/**
 * SELECT for the `access` table: the known columns that exist in `columns`, by name, double-quoted, in a stable order.
 * Run with `sqlite3 -readonly -json`; parse with parseAccessRows(stdout, the same columns).
 */
export function accessQuery(columns: readonly string[]): string {
  const have = new Set(columns);
  const pick = ACCESS_READ_COLUMNS.filter((c) => have.has(c));
  const list = pick.length > 0 ? pick.map((c) => `"${c}"`).join(', ') : '"service", "client"';
  return `SELECT ${list} FROM access ORDER BY service, client`;
}
