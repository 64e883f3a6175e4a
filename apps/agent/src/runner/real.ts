import { execFile } from 'node:child_process';
import { access, readFile, readdir } from 'node:fs/promises';
import { measureTree, removeTreeNoFollow } from './trees.js';
import { DEFAULT_TIMEOUT_MS, COMMAND_STDOUT_CAP_BYTES, type CommandRunner, type ReadFileResult, type RunOptions, type RunResult, type TreeMeasure, type TreeRemoval } from './types.js';

/** Environment of every child: C locale so labels and numbers are not localised, a fixed PATH. */
const CHILD_ENV = { LANG: 'C', LC_ALL: 'C', PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };

/**
 * Runs programs on this machine with `execFile` (argument arrays, never a shell), C locale,
 * a timeout and an output cap per stream.
 */
export class RealRunner implements CommandRunner {
  readonly platform = process.platform;

  constructor(private readonly outputCapBytes = COMMAND_STDOUT_CAP_BYTES) {}

  run(program: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (!program.startsWith('/')) {
      return Promise.resolve({ stdout: '', stderr: `refused: program must be an absolute path, got "${program}"`, exitCode: null, notInstalled: false, durationMs: 0 });
    }
    const started = performance.now();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const capBytes = Math.min(opts.maxOutputBytes ?? this.outputCapBytes, this.outputCapBytes);
    return new Promise((resolve) => {
      execFile(
        program,
        args,
        { env: CHILD_ENV, timeout: timeoutMs, maxBuffer: capBytes, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          const durationMs = Math.round(performance.now() - started);
          if (!error) return resolve({ stdout, stderr, exitCode: 0, notInstalled: false, durationMs });
          const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null };
          if (e.code === 'ENOENT') return resolve({ stdout: '', stderr: '', exitCode: null, notInstalled: true, durationMs });
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            return resolve({ stdout, stderr, exitCode: null, notInstalled: false, durationMs, note: `output exceeded ${capBytes} bytes; process killed` });
          }
          if (e.killed || e.signal) {
            // Node sets `killed` only when it killed the child itself: here, the timeout.
            const note = e.killed ? `timed out after ${timeoutMs} ms` : `killed by ${e.signal}`;
            return resolve({ stdout, stderr, exitCode: null, notInstalled: false, durationMs, note });
          }
          if (typeof e.code === 'number') return resolve({ stdout, stderr, exitCode: e.code, notInstalled: false, durationMs });
          // EACCES on the program itself and similar spawn failures.
          resolve({ stdout, stderr: stderr || e.message, exitCode: null, notInstalled: false, durationMs, note: e.message });
        },
      );
    });
  }

  async readFile(path: string): Promise<ReadFileResult> {
    try {
      return { ok: true, data: await readFile(path) };
    } catch (error) {
      return readError(error);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch (error) {
      // EACCES/EPERM means it is there but guarded (TCC, permissions).
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM';
    }
  }

  async listDir(path: string): Promise<string[]> {
    try {
      return (await readdir(path)).sort();
    } catch {
      return [];
    }
  }

  measureTree(path: string): Promise<TreeMeasure> {
    return measureTree(path);
  }

  removeTree(path: string): Promise<TreeRemoval> {
    return removeTreeNoFollow(path);
  }
}

/** Maps a Node fs error to the runner's read failure kinds. */
export function readError(error: unknown): ReadFileResult & { ok: false } {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { ok: false, kind: 'not-found', reason: e.message };
  if (e.code === 'EACCES' || e.code === 'EPERM') return { ok: false, kind: 'permission-denied', reason: e.message };
  return { ok: false, kind: 'other', reason: e.message ?? String(error) };
}
