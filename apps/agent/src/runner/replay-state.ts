import { appendFile, cp, mkdir, mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The writable side of a replayed Mac. The recorded folder is never written: on the first
 * state-changing command the Mac's `fs/` is copied to `<state>/fs`, and changed command
 * outputs go to `<state>/cmd/`. Every argv a remediation would have run is appended to
 * `<state>/replay-log.jsonl` as `{ at, argv, asUser? }`.
 */
export class ReplayState {
  private dir: string | undefined;
  private copying: Promise<string> | undefined;
  private hasCopy = false;

  constructor(private readonly recordedDir: string, stateDir?: string) {
    this.dir = stateDir;
  }

  /** Opens an existing state (a restarted agent keeps seeing its earlier changes). */
  async init(): Promise<void> {
    if (this.dir) this.hasCopy = await isDir(path.join(this.dir, 'fs'));
  }

  /** Root for reading the Mac's files: the copy once one exists, else the recording. */
  fsRoot(): string {
    return this.hasCopy && this.dir ? path.join(this.dir, 'fs') : path.join(this.recordedDir, 'fs');
  }

  /** Folder of changed command outputs, or undefined before any change. */
  cmdDir(): string | undefined {
    return this.dir ? path.join(this.dir, 'cmd') : undefined;
  }

  /** The state folder, created on demand (a temp folder when none was given). */
  async ensureDir(): Promise<string> {
    this.dir ??= await mkdtemp(path.join(os.tmpdir(), 'fleetmedic-replay-'));
    await mkdir(path.join(this.dir, 'cmd'), { recursive: true });
    return this.dir;
  }

  /** Copies the recorded fs/ into the state once; returns the writable root. */
  ensureFsCopy(): Promise<string> {
    this.copying ??= (async () => {
      const dir = await this.ensureDir();
      const target = path.join(dir, 'fs');
      if (!(await isDir(target))) {
        const source = path.join(this.recordedDir, 'fs');
        if (await isDir(source)) await cp(source, target, { recursive: true });
        else await mkdir(target, { recursive: true });
      }
      this.hasCopy = true;
      return target;
    })();
    return this.copying;
  }

  /** Appends one would-have-run argv to replay-log.jsonl. */
  async log(argv: string[], asUser?: string): Promise<void> {
    const dir = await this.ensureDir();
    const line = JSON.stringify({ at: new Date().toISOString(), argv, ...(asUser ? { asUser } : {}) });
    await appendFile(path.join(dir, 'replay-log.jsonl'), `${line}\n`);
  }

  /** Path of replay-log.jsonl (it may not exist yet). */
  logPath(): string | undefined {
    return this.dir ? path.join(this.dir, 'replay-log.jsonl') : undefined;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
