import type { TccEntry } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';
import { parseJson } from '../json.js';

/** Largest sqlite3 output of the access table parsed, characters (thousands of rows with csreq blobs fit). */
export const ACCESS_ROWS_MAX_CHARS = 1024 * 1024;

type Raw = Record<string, unknown>;

const AUTH_VALUE_NAMES: Record<number, string> = { 0: 'denied', 1: 'unknown', 2: 'allowed', 3: 'limited' };

/** auth_value -> name: 0 denied, 1 unknown, 2 allowed, 3 limited, else "other(N)" (never read as allowed). */
export const authValueName = (v: number): string => AUTH_VALUE_NAMES[v] ?? `other(${v})`;

const AUTH_REASON_NAMES: Record<number, string> = {
  1: 'error', 2: 'user-consent', 3: 'user-set', 4: 'system-set', 5: 'service-policy', 6: 'mdm-policy',
  7: 'override-policy', 8: 'missing-usage-string', 9: 'prompt-timeout', 10: 'preflight-unknown', 11: 'entitled', 12: 'app-type-policy',
};

/** auth_reason -> name (2 user-consent is set whether the user clicked Allow or Don't Allow), else "other-N". */
export const authReasonName = (v: number): string => AUTH_REASON_NAMES[v] ?? `other-${v}`;

// TCC.db appeared with OS X 10.8 (2012): an older last_modified is a typo or a truncated value.
const TCC_EPOCH_SECONDS = Date.UTC(2012, 0, 1) / 1000;

/** An INTEGER column: JSON number or decimal text -> number; NULL/'' -> null; anything else -> NaN. */
function int(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number.NaN;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return Number.NaN;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** One access row (values by column name) -> TccEntry, or null with a problem. */
function toEntry(raw: Raw, columns: ReadonlySet<string>, where: string, problems: string[]): TccEntry | null {
  const service = text(raw.service);
  const client = text(raw.client);
  if (!service || !client) {
    problems.push(`${where}: no ${service ? 'client' : 'service'} value: skipped`);
    return null;
  }
  const label = `${where} (${service} / ${client})`;

  let authValue: number | null;
  if (columns.has('auth_value')) {
    authValue = int(raw.auth_value);
  } else if (columns.has('allowed')) {
    // Before macOS 11 the column was `allowed` 0/1; map onto auth_value 0 denied / 2 allowed.
    const allowed = int(raw.allowed);
    authValue = allowed === 1 ? 2 : allowed === 0 ? 0 : Number.NaN;
  } else {
    problems.push(`${label}: neither auth_value nor allowed was selected: skipped`);
    return null;
  }
  if (authValue === null || Number.isNaN(authValue)) {
    problems.push(`${label}: unreadable ${columns.has('auth_value') ? 'auth_value' : 'allowed'} ${JSON.stringify(raw.auth_value ?? raw.allowed)}: skipped`);
    return null;
  }

  const clientTypeRaw = int(raw.client_type);
  const clientType = clientTypeRaw === 0 ? 'bundle' : clientTypeRaw === 1 ? 'path' : 'unknown';
  if (columns.has('client_type') && clientType === 'unknown') problems.push(`${label}: client_type ${JSON.stringify(raw.client_type)} is neither 0 (bundle id) nor 1 (path)`);

  let authReason = columns.has('auth_reason') ? int(raw.auth_reason) : null;
  if (authReason !== null && Number.isNaN(authReason)) {
    problems.push(`${label}: unreadable auth_reason ${JSON.stringify(raw.auth_reason)}`);
    authReason = null;
  }

  let lastModified: string | null = null;
  const seconds = int(raw.last_modified);
  if (seconds !== null && !Number.isNaN(seconds)) {
    const d = new Date(seconds * 1000);
    if (Number.isNaN(d.getTime())) problems.push(`${label}: last_modified ${seconds} is out of range`);
    else lastModified = d.toISOString();
    if (seconds < TCC_EPOCH_SECONDS) problems.push(`${label}: last_modified ${seconds} is before 2012 — likely a truncated value`);
  } else if (seconds !== null) {
    problems.push(`${label}: unreadable last_modified ${JSON.stringify(raw.last_modified)}`);
  }

  const indirect = text(raw.indirect_object_identifier);
  return {
    service,
    client,
    clientType,
    authValue,
    authValueName: authValueName(authValue),
    authReason,
    authReasonName: authReason === null ? null : authReasonName(authReason),
    lastModified,
    indirectObject: indirect && indirect !== 'UNUSED' ? indirect : null,
  };
}

/** Entries from decoded rows; fails when there were rows but none could be read. */
function collect(rows: Raw[], columns: readonly string[], problems: string[]): ParseResult<TccEntry[]> {
  const cols = new Set(columns);
  const entries = rows.flatMap((r, i) => toEntry(r, cols, `row ${i + 1}`, problems) ?? []);
  if (entries.length === 0 && problems.length > 0) return failed(`none of the access rows could be read (${problems.length} problems)`, problems);
  return parsed(entries, problems);
}

/**
 * `sqlite3 -readonly -json <TCC.db> <accessQuery(columns)>` stdout -> TccEntry[].
 * `columns` = the table's columns (parseTableInfo): they tell whether auth_value or the pre-11 `allowed` holds the decision.
 * Empty stdout (sqlite3 prints nothing for zero rows, exit 0) = no rows. Rows that cannot be read are skipped with a problem.
 */
export function parseAccessRows(stdout: string, columns: readonly string[]): ParseResult<TccEntry[]> {
  const oversized = refuseOversized(stdout, ACCESS_ROWS_MAX_CHARS, 'sqlite3 access rows');
  if (oversized) return oversized;
  if (stdout.trim() === '') return parsed([]);
  let rows: unknown;
  try {
    rows = parseJson(stdout);
  } catch (e) {
    return failed(`sqlite3 -json output is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(rows)) return failed('sqlite3 -json output is not an array of rows');
  const problems: string[] = [];
  const objects = rows.filter((r, i): r is Raw => {
    const ok = r !== null && typeof r === 'object' && !Array.isArray(r);
    if (!ok) problems.push(`row ${i + 1} is not an object: skipped`);
    return ok;
  });
  return collect(objects, columns, problems);
}

/**
 * sqlite3 default list-mode output (`|`-separated, NULL printed as an empty field) of `select * from access` or of an
 * explicit column list -> TccEntry[]. `columns` names the printed fields in order (for `select *`: ACCESS_COLUMNS_BY_LAYOUT).
 * A row starts on a line whose service field begins with "kTCCService"; other lines (prompts, commands) are ignored.
 * `select *` prints BLOBs raw, so a csreq holding a newline splits a row over lines: such rows, and rows whose field count
 * differs from `columns`, are skipped with a problem; the other rows are kept.
 */
export function parseAccessRowsPipe(textIn: string, columns: readonly string[]): ParseResult<TccEntry[]> {
  const oversized = refuseOversized(textIn, ACCESS_ROWS_MAX_CHARS, 'sqlite3 access rows');
  if (oversized) return oversized;
  const serviceAt = columns.indexOf('service');
  if (serviceAt < 0) return failed('columns do not include service');
  const problems: string[] = [];
  const rows: Raw[] = [];
  let pending: { text: string; lines: number; at: number } | null = null;
  const fieldsOf = (s: string) => s.split('|');

  const flush = () => {
    if (!pending) return;
    const fields = fieldsOf(pending.text);
    const id = `${fields[serviceAt] ?? '?'} / ${fields[columns.indexOf('client')] ?? '?'}`.replace(/\s+/g, ' ');
    if (pending.lines > 1) {
      problems.push(`line ${pending.at}: row ${id} spans ${pending.lines} lines (a raw BLOB such as csreq printed by select * holds a newline): skipped — select explicit columns or use -json`);
    } else if (fields.length !== columns.length) {
      problems.push(`line ${pending.at}: row ${id} has ${fields.length} fields, expected ${columns.length} (${columns.join(', ')}): skipped`);
    } else {
      rows.push(Object.fromEntries(columns.map((c, i) => [c, fields[i] === '' ? null : fields[i]])));
    }
    pending = null;
  };

  let sawText = false;
  textIn.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    sawText = true;
    if (fieldsOf(trimmed)[serviceAt]?.startsWith('kTCCService')) {
      flush();
      pending = { text: trimmed, lines: 1, at: i + 1 };
    } else if (pending && line.includes('|') && fieldsOf(pending.text).length < columns.length) {
      // The rest of a row whose BLOB held a newline.
      pending = { ...pending, text: `${pending.text}\n${line}`, lines: pending.lines + 1 };
    } else {
      flush();
    }
  });
  flush();
  if (rows.length === 0 && problems.length === 0) return sawText ? failed('no access rows (no line starts with a kTCCService name)') : parsed([]);
  return collect(rows, columns, problems);
}
