import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandResult } from '@fleetmedic/protocol';

/** One command id the agent has taken on: `running` until its result is stored. */
export type ExecutedEntry =
  | { state: 'running'; startedAt: string }
  | { state: 'done'; result: CommandResult; finishedAt: string };

/**
 * Command ids this agent has executed, kept in `<state>/executed.json` across restarts so a
 * redelivered command is answered with its stored result instead of running twice.
 * An id left `running` (the agent died mid-command) is never re-run either.
 * Bounded to the newest `max` ids (default 1000); writes are atomic (temp file + rename).
 * `ExecutedStore.memory()` keeps them in memory only (the fleet simulator: 10,000 Macs in one
 * process writing a file each per command ran out of open files, leaving results unsent).
 */
export class ExecutedStore {
  private constructor(
    /** null: kept in memory only */
    private readonly file: string | null,
    private readonly entries: Map<string, ExecutedEntry>,
    private readonly max: number,
  ) {}

  /** A store kept in memory only, lost when the process ends (for many simulated Macs in one process). */
  static memory(max = 1000): ExecutedStore {
    return new ExecutedStore(null, new Map(), max);
  }

  static async open(file: string, max = 1000): Promise<ExecutedStore> {
    await mkdir(path.dirname(file), { recursive: true });
    let entries = new Map<string, ExecutedEntry>();
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, ExecutedEntry>;
      entries = new Map(Object.entries(raw));
    } catch (error) {
      // Missing is normal on first start; a corrupt file is kept aside rather than trusted.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') await rename(file, `${file}.corrupt-${Date.now()}`).catch(() => {});
    }
    return new ExecutedStore(file, entries, max);
  }

  get(id: string): ExecutedEntry | undefined {
    return this.entries.get(id);
  }

  /** Marks a command as started, before anything runs. */
  async start(id: string, startedAt: string): Promise<void> {
    this.entries.set(id, { state: 'running', startedAt });
    await this.save();
  }

  async finish(id: string, result: CommandResult): Promise<void> {
    this.entries.delete(id);
    this.entries.set(id, { state: 'done', result, finishedAt: result.finishedAt });
    await this.save();
  }

  private async save(): Promise<void> {
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    if (this.file === null) return;
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.entries), null, 1));
    await rename(tmp, this.file);
  }
}
