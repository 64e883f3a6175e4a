import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PROGRAMS, replayNameFor, COMMANDS } from './commands.js';
import { RealRunner } from './real.js';
import { loadRecordedHost } from './recorded-host.js';
import { ReplayState } from './replay-state.js';
import { simulateFirewallWrite, simulateTccutil, FIREWALL_WRITE_FLAGS } from './replay-remediation.js';
import { runSqliteWasm } from './sqlite-wasm.js';
import { measureTree, removeTreeNoFollow } from './trees.js';
import type { CommandRunner, ReadFileResult, RecordedHost, RunOptions, RunResult, TreeMeasure, TreeRemoval } from './types.js';

export interface ReplayOptions {
  /** Where changes made by remediation go (copied fs, changed outputs, replay-log.jsonl). Default: a temp folder on first write. */
  stateDir?: string;
  /**
   * This machine's sqlite3, used on the recorded TCC.db files. Default /usr/bin/sqlite3. null:
   * SQLite in WebAssembly in this process, never a process per query: for many replayed Macs in
   * one process (the fleet simulator), where each spawn forks a large Node process and blocks
   * its event loop (30-250 ms measured under load): 14,285 simulated resets gave no result in 20 min.
   */
  sqlite3?: string | null;
}

/** A recorded output: `cmd/<name>.out`, `.err`, `.code`; null when none of them exists. */
export interface RecordedOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * Serves a recorded Mac folder (contract: docs/recorded-mac.md) as if it were the Mac:
 * read commands answer from `cmd/`, files from `fs/`, `denied.txt` paths fail as without
 * Full Disk Access, and `/usr/bin/sqlite3` runs this machine's sqlite3 on the mapped file.
 * Remediation never touches the recording (see ReplayState).
 */
export class ReplayRunner implements CommandRunner {
  readonly platform = 'darwin';
  private readonly local = new RealRunner();
  /** The last write to the state copy: writes run one at a time (see sqliteWrite). */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly recorded: RecordedHost,
    private readonly denied: string[],
    readonly state: ReplayState,
    private readonly sqlite3: string | null,
  ) {}

  /** Opens a recorded Mac; throws RecordedMacError when host.json is missing or malformed. */
  static async open(dir: string, opts: ReplayOptions = {}): Promise<ReplayRunner> {
    const abs = path.resolve(dir);
    const recorded = await loadRecordedHost(abs);
    const denied = await readDenied(abs);
    const state = new ReplayState(abs, opts.stateDir);
    await state.init();
    return new ReplayRunner(abs, recorded, denied, state, opts.sqlite3 === undefined ? PROGRAMS.sqlite3 : opts.sqlite3);
  }

  async run(program: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const result = await this.dispatch(program, args, opts.asUser ?? null, true);
    return { ...result, durationMs: Math.round(performance.now() - started) };
  }

  private async dispatch(program: string, args: string[], user: string | null, top: boolean): Promise<Omit<RunResult, 'durationMs'>> {
    if (program === PROGRAMS.sqlite3) return this.sqlite(args);
    const isWrite =
      program === PROGRAMS.tccutil ||
      program === PROGRAMS.launchctl ||
      program === PROGRAMS.pkill ||
      (program === PROGRAMS.socketfilterfw && FIREWALL_WRITE_FLAGS.has(args[0] ?? ''));
    if (isWrite && top) await this.state.log([program, ...args], user ?? undefined);
    if (program === PROGRAMS.launchctl) return this.asUser(args);
    if (program === PROGRAMS.tccutil) return simulateTccutil(this, args, user);
    if (program === PROGRAMS.socketfilterfw && isWrite) return simulateFirewallWrite(this, args);
    // A recording runs no processes: pkill finds nothing to signal (exit 1) unless the recording says otherwise.
    if (program === PROGRAMS.pkill) return { ...((await this.recordedOutput('pkill')) ?? { stdout: '', stderr: '', exitCode: 1 }), notInstalled: false };

    const name = replayNameFor(program, args, this.recorded.homes);
    if (!name) {
      const notRecorded = `not in the replay table: ${[program, ...args].join(' ')}`;
      return { stdout: '', stderr: '', exitCode: null, notInstalled: true, notRecorded, note: notRecorded };
    }
    const out = await this.recordedOutput(name);
    if (out) return { ...out, notInstalled: false };
    if (name === COMMANDS.consoleUid.name && this.recorded.consoleUser) {
      // Recordings rarely carry the uid; 501 is the first local user's uid on every Mac.
      return { stdout: '501\n', stderr: '', exitCode: 0, notInstalled: false, note: 'uid not recorded; assumed 501' };
    }
    // Not "not installed": the program is on every Mac (pmset, system_profiler); the capture was not made.
    return { stdout: '', stderr: '', exitCode: null, notInstalled: true, notRecorded: `no cmd/${name}.out` };
  }

  /** `launchctl asuser <uid> /usr/bin/sudo -u <user> <program> ...`: runs the inner command in that user's context. */
  private async asUser(args: string[]): Promise<Omit<RunResult, 'durationMs'>> {
    const [verb, uid, sudo, dashU, user, inner, ...rest] = args;
    if (verb !== 'asuser' || !uid || sudo !== PROGRAMS.sudo || dashU !== '-u' || !user || !inner) {
      return { stdout: '', stderr: 'Usage: launchctl asuser <UID> <command> ...\n', exitCode: 64, notInstalled: false };
    }
    return this.dispatch(inner, rest, user, false);
  }

  /** Runs this machine's sqlite3 read-only on the mapped file; denied paths fail as macOS does. */
  private async sqlite(args: string[]): Promise<Omit<RunResult, 'durationMs'>> {
    const dbIndex = args.findIndex((a) => !a.startsWith('-'));
    const db = args[dbIndex];
    if (dbIndex < 0 || !db) return { stdout: '', stderr: 'Error: no database given\n', exitCode: 1, notInstalled: false };
    if (this.isDenied(db)) {
      return { stdout: '', stderr: `Error: unable to open database "${db}": authorization denied\n`, exitCode: 1, notInstalled: false };
    }
    const local = this.toLocal(db, this.state.fsRoot());
    const mapped = [...args];
    mapped[dbIndex] = local;
    // The recording is never opened for writing.
    if (!mapped.includes('-readonly')) mapped.unshift('-readonly');
    const r = await this.runSqlite(mapped);
    return { ...r, stderr: r.stderr.split(local).join(db), stdout: r.stdout };
  }

  /** This machine's sqlite3, or SQLite in WebAssembly when it has none (a Linux box with only Node) or none was wanted. */
  private async runSqlite(args: string[]): Promise<Omit<RunResult, 'durationMs'>> {
    if (this.sqlite3 === null) return runSqliteWasm(args);
    const r = await this.local.run(this.sqlite3, args);
    return r.notInstalled ? runSqliteWasm(args) : r;
  }

  /**
   * Runs sqlite3 with write access on a file of the state copy (for simulated tccd changes), one
   * write at a time: commands sharing this runner (the fleet simulator's Macs of one recording)
   * would otherwise meet "database is locked" (sqlite3) or rewrite the file over each other (sql.js).
   */
  sqliteWrite(localDb: string, sql: string): Promise<Omit<RunResult, 'durationMs'>> {
    const run = this.writing.then(() => this.runSqlite([localDb, sql]));
    this.writing = run.catch(() => {});
    return run;
  }

  /** The recorded output of a command, changed state first; null when the command was not recorded. */
  async recordedOutput(name: string): Promise<RecordedOutput | null> {
    for (const dir of [this.state.cmdDir(), path.join(this.dir, 'cmd')]) {
      if (!dir) continue;
      const [out = null, err = null, code = null] = await Promise.all(['out', 'err', 'code'].map((ext) => readOptional(path.join(dir, `${name}.${ext}`))));
      if (out === null && err === null && code === null) continue;
      if (code !== null && !/^\s*-?\d{1,3}\s*$/.test(code)) {
        // A broken recording must not read as success: no exit status, and stderr says why.
        return { stdout: out ?? '', stderr: `${err ?? ''}recording error: cmd/${name}.code is not an exit status: ${JSON.stringify(code.slice(0, 40))}\n`, exitCode: null };
      }
      return { stdout: out ?? '', stderr: err ?? '', exitCode: code === null ? 0 : Number.parseInt(code.trim(), 10) };
    }
    return null;
  }

  /** Whether a Mac path is listed in denied.txt (or lies beneath a listed folder). */
  isDenied(macPath: string): boolean {
    const p = path.posix.normalize(macPath);
    return this.denied.some((d) => p === d || p.startsWith(`${d}/`));
  }

  /** Maps an absolute Mac path onto a root folder; `..` cannot climb out of it. */
  toLocal(macPath: string, root: string): string {
    const normal = path.posix.normalize(path.posix.join('/', macPath));
    return path.join(root, normal);
  }

  async readFile(macPath: string): Promise<ReadFileResult> {
    if (!macPath.startsWith('/')) return { ok: false, kind: 'other', reason: `not an absolute path: ${macPath}` };
    if (this.isDenied(macPath)) {
      return { ok: false, kind: 'permission-denied', reason: `EPERM: operation not permitted, open '${macPath}'` };
    }
    const r = await this.local.readFile(this.toLocal(macPath, this.state.fsRoot()));
    return r.ok ? r : { ...r, reason: r.reason.split(this.state.fsRoot()).join('') };
  }

  async exists(macPath: string): Promise<boolean> {
    if (this.isDenied(macPath)) return true;
    try {
      await stat(this.toLocal(macPath, this.state.fsRoot()));
      return true;
    } catch {
      return false;
    }
  }

  async listDir(macPath: string): Promise<string[]> {
    if (this.isDenied(macPath)) return [];
    try {
      return (await readdir(this.toLocal(macPath, this.state.fsRoot()))).sort();
    } catch {
      return [];
    }
  }

  async measureTree(macPath: string): Promise<TreeMeasure> {
    if (this.isDenied(macPath)) return { exists: true, sizeBytes: null, modifiedAt: null, problem: `${macPath}: EPERM: operation not permitted` };
    const root = this.state.fsRoot();
    const m = await measureTree(this.toLocal(macPath, root));
    return m.problem ? { ...m, problem: m.problem.split(root).join('') } : m;
  }

  /** Removes the folder from the state's copy of fs/ (the recording is never written), logged in replay-log.jsonl. */
  async removeTree(macPath: string): Promise<TreeRemoval> {
    if (this.isDenied(macPath)) return { existed: true, removedBytes: 0, problem: `${macPath}: EPERM: operation not permitted` };
    await this.state.log(['(remove folder, symlinks not followed)', macPath]);
    const root = await this.state.ensureFsCopy();
    const r = await removeTreeNoFollow(this.toLocal(macPath, root), root);
    return r.problem ? { ...r, problem: r.problem.split(root).join('') } : r;
  }
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** denied.txt: one absolute Mac path a line; blank lines and `#` comments ignored. */
async function readDenied(dir: string): Promise<string[]> {
  const text = await readOptional(path.join(dir, 'denied.txt'));
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'))
    .map((l) => path.posix.normalize(l).replace(/\/+$/, '') || '/');
}
