import { readFile, writeFile } from 'node:fs/promises';
import type { SqlJsStatic } from 'sql.js';
import type { RunResult } from './types.js';

// Loaded on first use only: a Mac (and any box with /usr/bin/sqlite3) never pays for the WASM engine.
let engine: Promise<SqlJsStatic> | undefined;

/**
 * Stands in for `sqlite3` when this machine has none (a Linux box with only Node): SQLite compiled
 * to WebAssembly (sql.js) runs the same SQL on the same TCC.db file and prints what the sqlite3
 * shell prints for the two forms the replay runner uses:
 * - `[-readonly] -json <db> <sql>`: rows as a JSON array of objects, nothing for no rows;
 * - `<db> <sql>` (writes to the state copy): no output, the file rewritten when a row changed
 *   (a fleet simulator's thousands of identical resets on one shared copy change it once).
 * Errors come back as sqlite3 words on stderr with exit 1 ("Error: file is not a database", ...).
 */
export async function runSqliteWasm(args: string[]): Promise<Omit<RunResult, 'durationMs'>> {
  const flags = args.filter((a) => a.startsWith('-'));
  const [file, sql, ...extra] = args.filter((a) => !a.startsWith('-'));
  if (!file || !sql || extra.length > 0) return fail('Error: expected <db> <sql>');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return fail(`Error: unable to open database "${file}": ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const SQL = await (engine ??= import('sql.js').then((m) => m.default()));
  let db;
  try {
    db = new SQL.Database(bytes);
    const results = db.exec(sql);
    if (!flags.includes('-readonly') && !flags.includes('-json')) {
      if (Number(db.exec('SELECT total_changes()')[0]?.values[0]?.[0] ?? 1) > 0) await writeFile(file, db.export());
      return { stdout: '', stderr: '', exitCode: 0, notInstalled: false };
    }
    const rows = results.flatMap((r) => r.values.map((v) => Object.fromEntries(r.columns.map((c, i) => [c, v[i] instanceof Uint8Array ? null : v[i]]))));
    return { stdout: rows.length ? `${JSON.stringify(rows)}\n` : '', stderr: '', exitCode: 0, notInstalled: false };
  } catch (err) {
    return fail(`Error: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

const fail = (message: string): Omit<RunResult, 'durationMs'> => ({ stdout: '', stderr: `${message}\n`, exitCode: 1, notInstalled: false });
