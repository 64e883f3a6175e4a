import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { CommandResult } from '@fleetmedic/protocol';
import { SerialFile } from '../outbox/serial-file.js';

/** One command id the agent has taken on: `running` until its result is stored. `expiresAt`: the command's own (ISO). */
export type ExecutedEntry =
  | { state: 'running'; startedAt: string; expiresAt: string }
  | { state: 'done'; result: CommandResult; finishedAt: string; expiresAt: string };

/** Limits of an ExecutedStore. */
export interface ExecutedStoreOptions {
  /** Executed ids kept at most (default 10,000); past it the soonest-expiring are forgotten and anything not newer is refused. */
  maxExecuted?: number;
  /** Refused ids kept at most (default 1,000); they never evict an execution. */
  maxRefused?: number;
}

/** executed.json as written since issue 15 (`version: 2`). */
interface SavedV2 {
  version: 2;
  executed: Record<string, ExecutedEntry>;
  refused: Record<string, ExecutedEntry>;
  forgottenThrough: string | null;
}

/** How long past its expiry an id is still kept: a clock set back by up to a day cannot revive a replay. */
const KEEP_AFTER_EXPIRY_MS = 24 * 3600_000;
/** Entries of an executed.json before version 2 carry no expiry: kept this long after they started (the server's default TTL is 7 days). */
const LEGACY_KEEP_MS = 30 * 24 * 3600_000;

/**
 * Command ids this agent has taken on, kept in `<state>/executed.json` across restarts so a
 * redelivered command is answered with its stored result instead of running twice.
 * - An executed id (acked, then run or answered) is kept until its command expired a day ago,
 *   however many commands come after it. Past `maxExecuted` (a safety bound, not reached by a
 *   week of real commands) the soonest-expiring ids are forgotten and `forgottenThrough` records
 *   the latest expiry forgotten: the executor refuses any unknown command expiring no later.
 * - A refused id (allow-list, schema, another device, expired) is kept apart in a bounded list,
 *   so a flood of refusals (replayed commands of another Mac) never evicts an execution.
 * - An id left `running` (the agent died mid-command) is never re-run.
 * Writes are atomic (temp file + rename) and one at a time.
 * `ExecutedStore.memory()` keeps them in memory only (the fleet simulator: 10,000 Macs in one
 * process writing a file each per command ran out of open files, leaving results unsent).
 */
export class ExecutedStore {
  private constructor(
    /** null: kept in memory only */
    private readonly file: SerialFile | null,
    private readonly executed: Map<string, ExecutedEntry>,
    private readonly refused: Map<string, ExecutedEntry>,
    private forgotten: string | null,
    private readonly maxExecuted: number,
    private readonly maxRefused: number,
  ) {}

  /** A store kept in memory only, lost when the process ends (for many simulated Macs in one process). */
  static memory(opts: ExecutedStoreOptions = {}): ExecutedStore {
    return new ExecutedStore(null, new Map(), new Map(), null, opts.maxExecuted ?? 10_000, opts.maxRefused ?? 1000);
  }

  /** Opens (or starts) the store in `file`; a corrupt file is renamed aside (`.corrupt-<ms>`) rather than trusted. */
  static async open(file: string, opts: ExecutedStoreOptions = {}): Promise<ExecutedStore> {
    await mkdir(path.dirname(file), { recursive: true });
    let saved: SavedV2 = { version: 2, executed: {}, refused: {}, forgottenThrough: null };
    try {
      saved = upgrade(JSON.parse(await readFile(file, 'utf8')) as SavedV2 | Record<string, ExecutedEntry>);
    } catch (error) {
      // Missing is normal on first start; a corrupt file is kept aside rather than trusted.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') await rename(file, `${file}.corrupt-${Date.now()}`).catch(() => {});
    }
    return new ExecutedStore(
      new SerialFile(file), new Map(Object.entries(saved.executed)), new Map(Object.entries(saved.refused)), saved.forgottenThrough,
      opts.maxExecuted ?? 10_000, opts.maxRefused ?? 1000,
    );
  }

  get(id: string): ExecutedEntry | undefined {
    return this.executed.get(id) ?? this.refused.get(id);
  }

  /** The latest expiry (ISO) of an executed id forgotten past the cap, or null: refuse any unknown command expiring no later. */
  forgottenThrough(): string | null {
    return this.forgotten;
  }

  /** Marks a command as started, before anything runs. */
  async start(id: string, startedAt: string, expiresAt: string): Promise<void> {
    this.executed.set(id, { state: 'running', startedAt, expiresAt });
    await this.save(new Date(startedAt));
  }

  /** Stores the result of a command that was acked (run, or answered without running). */
  async finish(id: string, result: CommandResult, expiresAt: string): Promise<void> {
    this.refused.delete(id);
    this.executed.set(id, { state: 'done', result, finishedAt: result.finishedAt, expiresAt });
    await this.save(new Date(result.finishedAt));
  }

  /** Stores the answer to a refused command (never run); `expiresAt` null when the envelope had none usable. */
  async refuse(id: string, result: CommandResult, expiresAt: string | null): Promise<void> {
    this.refused.delete(id);
    this.refused.set(id, { state: 'done', result, finishedAt: result.finishedAt, expiresAt: expiresAt ?? result.finishedAt });
    while (this.refused.size > this.maxRefused) this.refused.delete(this.refused.keys().next().value!);
    await this.save(new Date(result.finishedAt));
  }

  private save(now: Date): Promise<void> {
    this.prune(now);
    if (this.file === null) return Promise.resolve();
    return this.file.write(JSON.stringify({
      version: 2, executed: Object.fromEntries(this.executed), refused: Object.fromEntries(this.refused), forgottenThrough: this.forgotten,
    } satisfies SavedV2, null, 1));
  }

  /** Drops ids expired more than a day ago; past the cap, forgets the soonest-expiring executions and records how far. */
  private prune(now: Date): void {
    const cutoff = now.getTime() - KEEP_AFTER_EXPIRY_MS;
    for (const map of [this.executed, this.refused]) {
      for (const [id, e] of map) if (Date.parse(e.expiresAt) < cutoff) map.delete(id);
    }
    if (this.executed.size <= this.maxExecuted) return;
    const bySoonest = [...this.executed].sort((a, b) => Date.parse(a[1].expiresAt) - Date.parse(b[1].expiresAt));
    for (const [id, e] of bySoonest.slice(0, this.executed.size - this.maxExecuted)) {
      this.executed.delete(id);
      if (this.forgotten === null || Date.parse(e.expiresAt) > Date.parse(this.forgotten)) this.forgotten = new Date(e.expiresAt).toISOString();
    }
  }
}

/** Reads both layouts: version 2, or the earlier id -> entry map (all treated as executions, no expiry stored). */
function upgrade(raw: SavedV2 | Record<string, ExecutedEntry>): SavedV2 {
  if ((raw as SavedV2).version === 2) return raw as SavedV2;
  const executed: Record<string, ExecutedEntry> = {};
  for (const [id, e] of Object.entries(raw as Record<string, { state: string; startedAt?: string; finishedAt?: string; expiresAt?: string }>)) {
    const since = Date.parse(e.finishedAt ?? e.startedAt ?? '');
    executed[id] = { ...e, expiresAt: e.expiresAt ?? new Date((Number.isNaN(since) ? Date.now() : since) + LEGACY_KEEP_MS).toISOString() } as unknown as ExecutedEntry;
  }
  return { version: 2, executed, refused: {}, forgottenThrough: null };
}
