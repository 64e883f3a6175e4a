/** Why sqlite3 could not read a TCC.db, in words for an admin. */
export interface SqliteErrorDescription {
  kind: 'no-full-disk-access' | 'not-found' | 'not-a-database' | 'other';
  reason: string;
}

const firstLine = (s: string) => s.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';

/**
 * `sqlite3` stderr + exit code -> kind of failure.
 * - "authorization denied" (macOS refuses TCC.db without Full Disk Access) -> no-full-disk-access
 * - "unable to open database" / "no such file" (file or folder missing) -> not-found
 * - "file is not a database" / "file is encrypted" / "malformed" -> not-a-database
 */
export function describeSqliteError(stderr: string, exitCode: number): SqliteErrorDescription {
  const line = firstLine(stderr);
  const said = line ? `sqlite3 exited ${exitCode}: ${line}` : `sqlite3 exited ${exitCode} with no message`;
  if (/authorization denied|operation not permitted/i.test(stderr)) {
    return { kind: 'no-full-disk-access', reason: `${said} — the agent needs Full Disk Access to read TCC.db` };
  }
  if (/unable to open database|no such file|cannot open/i.test(stderr)) return { kind: 'not-found', reason: `${said} — TCC.db is missing at this path` };
  if (/not a database|file is encrypted|malformed/i.test(stderr)) return { kind: 'not-a-database', reason: `${said} — the file is not a readable SQLite database` };
  return { kind: 'other', reason: said };
}
