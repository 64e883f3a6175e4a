import { TCC_TABLE_INFO_SQL, accessQuery, describeSqliteError, parseAccessRows, parseTableInfo, tccLayout } from '@fleetmedic/macos';
import type { Sections, TccDatabase, TccLogReset } from '@fleetmedic/protocol';
import { PROGRAMS, TCC_SYSTEM_DB, sqliteReadArgs, tccUserDb } from '../runner/commands.js';
import type { CommandRunner, RunResult } from '../runner/types.js';
import { listHomes } from './homes.js';
import { commandFailure, withData } from './section.js';
import { collectTccLog } from './tcc-log.js';

type DbStatus = TccDatabase['status'];

/**
 * TCC: the system TCC.db and every user's, each read with
 * `sqlite3 -readonly -json <db> "PRAGMA table_info(access)"` and then the by-name SELECT from
 * accessQuery. Each database carries its own status and reason: an unreadable one (no Full
 * Disk Access) is listed as `unreadable` with sqlite3's words, never as an empty list.
 * When no per-user TCC.db could be read (macOS 27 moved it out of reach; no Full Disk Access),
 * tccd's decisions about Zoom are read from the unified log as well (`log`, see collectTccLog),
 * with `tccResets`, the resets this agent ran, beside them.
 * Section: `ok` when every database was read or is absent, `partial` otherwise.
 */
export async function collectTcc(runner: CommandRunner, tccResets: readonly TccLogReset[] = []): Promise<Sections['tcc']> {
  const homes = await listHomes(runner);
  const targets: { path: string; scope: 'system' | 'user'; user: string | null }[] = [
    { path: TCC_SYSTEM_DB, scope: 'system', user: null },
    ...Object.entries(homes)
      // Code-unit order: stable across runs, and no ICU collator in the resident agent (localeCompare maps ~2 MB of it).
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([user, home]) => ({ path: tccUserDb(home), scope: 'user' as const, user })),
  ];
  const problems: string[] = [];
  const databases: TccDatabase[] = [];
  for (const t of targets) {
    const db = await readDatabase(runner, t.path, t.scope, t.user);
    databases.push(db.database);
    problems.push(...db.problems);
  }
  if (databases.some((db) => db.scope === 'user' && db.status === 'ok')) {
    return withData(['sqlite3 -readonly -json TCC.db'], { databases }, problems);
  }
  const fromLog = await collectTccLog(runner, tccResets);
  return withData(['sqlite3 -readonly -json TCC.db', 'log show (com.apple.TCC)'], { databases, log: fromLog.log }, [...problems, ...fromLog.problems]);
}

interface DbRead {
  database: TccDatabase;
  /** Section problems: an unreadable database, or rows skipped while parsing. */
  problems: string[];
}

async function readDatabase(runner: CommandRunner, path: string, scope: 'system' | 'user', user: string | null): Promise<DbRead> {
  const empty = { path, scope, user, layout: null, columns: [], entries: [] };
  const fail = (status: DbStatus, reason: string, seen: Partial<TccDatabase> = {}): DbRead => ({
    database: { ...empty, ...seen, status, reason },
    // A user who was never asked anything has no TCC.db: normal, not a problem.
    problems: status === 'missing' ? [] : [`${path}: ${status}: ${reason}`],
  });
  if (!(await runner.exists(path))) return fail('missing', 'no TCC.db at this path');

  const info = await sqlite(runner, path, TCC_TABLE_INFO_SQL);
  if (info.failure) return fail(info.status, info.failure);
  const cols = parseTableInfo(info.result.stdout);
  if (!cols.ok) return fail('unparseable', cols.error);
  const columns = cols.value;
  const layout = tccLayout(columns);

  const rows = await sqlite(runner, path, accessQuery(columns));
  if (rows.failure) return fail(rows.status, rows.failure, { layout, columns });
  const entries = parseAccessRows(rows.result.stdout, columns);
  if (!entries.ok) return fail('unparseable', entries.error, { layout, columns });
  const problems = [...cols.problems, ...entries.problems].map((p) => `${path}: ${p}`);
  return { database: { path, scope, user, status: 'ok', layout, columns, entries: entries.value }, problems };
}

/** One sqlite3 query; on failure the database status sqlite3's words point to. */
async function sqlite(runner: CommandRunner, db: string, sql: string): Promise<{ result: RunResult; failure: null } | { result: RunResult; failure: string; status: DbStatus }> {
  const result = await runner.run(PROGRAMS.sqlite3, sqliteReadArgs(db, sql));
  if (result.exitCode === 0) return { result, failure: null };
  if (result.notInstalled || result.exitCode === null) {
    return { result, failure: commandFailure('sqlite3', result) ?? 'sqlite3 failed', status: 'unreadable' };
  }
  const d = describeSqliteError(result.stderr, result.exitCode);
  const status: DbStatus = d.kind === 'not-found' ? 'missing' : d.kind === 'not-a-database' ? 'unparseable' : 'unreadable';
  return { result, failure: d.reason, status };
}
