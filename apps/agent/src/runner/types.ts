/**
 * The one door through which the agent touches the machine it watches: a real Mac (spawned
 * processes, real files) or a recorded Mac (replayed outputs). Collectors and the remediation
 * executor only ever talk to a `CommandRunner`.
 */

/** Options for one command. `timeoutMs` in milliseconds (default 30 000); `asUser` is informational for replay logs; `maxOutputBytes` bounds a command that could print a lot (the unified log). */
export interface RunOptions {
  timeoutMs?: number;
  asUser?: string;
  /** Bytes of output past which the real runner kills the process (never more than its own cap). */
  maxOutputBytes?: number;
}

/**
 * What one command produced. `exitCode` is null when the process was killed (timeout, signal).
 * `notInstalled` is true when the program did not run because it does not exist (ENOENT) or, on
 * a recorded Mac, because the recording has no answer for it (`notRecorded` then says so): stdout
 * is empty. `durationMs` is wall time in milliseconds.
 */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  notInstalled: boolean;
  durationMs: number;
  /** Set when the runner killed the process (timeout) or capped its output. */
  note?: string;
  /**
   * Replay only, with `notInstalled`: what the recording lacks, e.g. "no cmd/pmset-batt.out".
   * The program exists on the Mac (pmset always does); the capture was not made. Never set by
   * the real runner, whose ENOENT is a program that is not installed.
   */
  notRecorded?: string;
}

/**
 * Why a command with `notInstalled` did not run, in words for a section's problems or a command's
 * result: "not installed" on a real Mac, "not recorded (no cmd/pmset-batt.out)" on a recorded one.
 */
export function notRunWords(r: Pick<RunResult, 'notRecorded'>): string {
  return r.notRecorded === undefined ? 'not installed' : `not recorded (${r.notRecorded})`;
}

/** A file read: its bytes, or why not (`permission-denied` is what a missing Full Disk Access looks like). */
export type ReadFileResult =
  | { ok: true; data: Buffer }
  | { ok: false; kind: 'not-found' | 'permission-denied' | 'other'; reason: string };

export type { TreeMeasure, TreeRemoval } from './trees.js';
import type { TreeMeasure, TreeRemoval } from './trees.js';

/** Identity of a recorded Mac (`host.json`), or of a real Mac as far as the runner knows it. */
export interface RecordedHost {
  hostname: string;
  serialNumber: string | null;
  hardwareModel: string | null;
  architecture: string;
  consoleUser: string | null;
  /** user name -> home folder (absolute Mac path), e.g. { alice: "/Users/alice" }. */
  homes: Record<string, string>;
}

export interface CommandRunner {
  /** Platform of the watched machine: 'darwin' for a recorded Mac, `process.platform` for the real one. */
  readonly platform: string;
  /** Present when the runner replays a recorded Mac: its host.json. */
  readonly recorded?: RecordedHost;
  /** Runs `program` (absolute path) with an argument array, never through a shell. */
  run(program: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Reads a whole file (absolute path on the watched machine). */
  readFile(path: string): Promise<ReadFileResult>;
  /** Whether a path exists (a file or a folder), even if it may not be read. */
  exists(path: string): Promise<boolean>;
  /** Names in a folder, sorted; [] when it does not exist or may not be listed. */
  listDir(path: string): Promise<string[]>;
  /** Size (bytes of regular files) and newest mtime of a folder, symlinks never followed (trees.ts). */
  measureTree(path: string): Promise<TreeMeasure>;
  /** Removes a folder and its contents without following a symlink out of it (trees.ts); only the remediation executor calls it. */
  removeTree(path: string): Promise<TreeRemoval>;
}

/** Default timeout per command, in milliseconds: system_profiler on a large USB tree takes seconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Output kept per stream, in bytes: enough for a full SPUSBDataType -json of a docked Mac. */
export const COMMAND_STDOUT_CAP_BYTES = 8 * 1024 * 1024;
