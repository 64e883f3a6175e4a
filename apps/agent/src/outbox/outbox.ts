import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FullReportMessage, validator } from '@fleetmedic/protocol';
import { dropOrder, type AddOptions, type ReportQueue } from './queue.js';

export interface OutboxOptions {
  /** Most reports kept; the oldest are dropped beyond it. Default 200. */
  maxFiles?: number;
  /** Most bytes kept on disk; the oldest are dropped beyond it. Default 20 MB. */
  maxBytes?: number;
  /** Told about every report dropped (bound reached, or unreadable file), with why. */
  onDrop?: (id: string, reason: string) => void;
}

const checkReport = validator(FullReportMessage);
const SUFFIX = '.json';
/** File name suffix of a report that repeats the one collected before it (dropped first, dropOrder). */
const UNCHANGED_SUFFIX = '.unchanged.json';

/**
 * Reports not yet acknowledged by the server, one file per report: `<dir>/<id>.json` holding
 * the `report` message. Report ids start with a time stamp (see newReportId), so name order is
 * age order; `<id>.unchanged.json` marks a report that repeats the one before it. Bounded by count
 * and bytes: reports are dropped in dropOrder (unchanged ones first, oldest first), with a
 * warning, never the newest.
 * Files are written to a temp name and renamed, so a crash leaves a whole report or none.
 */
export class Outbox implements ReportQueue {
  private constructor(
    readonly dir: string,
    private readonly maxFiles: number,
    private readonly maxBytes: number,
    private readonly onDrop: (id: string, reason: string) => void,
  ) {}

  static async open(dir: string, opts: OutboxOptions = {}): Promise<Outbox> {
    await mkdir(dir, { recursive: true });
    return new Outbox(dir, opts.maxFiles ?? 200, opts.maxBytes ?? 20 * 1024 * 1024, opts.onDrop ?? (() => {}));
  }

  /** Stores a report until acked; returns the ids dropped to stay within bounds, in dropOrder. */
  async add(message: FullReportMessage, opts: AddOptions = {}): Promise<string[]> {
    const file = this.fileOf(message.id, opts.unchanged);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify(message));
    await rename(tmp, file);
    return this.enforceBounds(message.id);
  }

  /** Removes an acked report; false when it was not (or no longer) there. */
  async remove(id: string): Promise<boolean> {
    if (!isSafeId(id)) return false;
    const removed = await Promise.all([this.fileOf(id), this.fileOf(id, true)].map((f) => rm(f).then(() => true, () => false)));
    return removed.includes(true);
  }

  /** Ids waiting, oldest first. */
  async ids(): Promise<string[]> {
    return (await this.entries()).map((e) => e.id);
  }

  /** Waiting reports' ids, oldest first, and whether each is marked unchanged. */
  private async entries(): Promise<{ id: string; unchanged: boolean }[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith(SUFFIX))
      .map((n) => (n.endsWith(UNCHANGED_SUFFIX) ? { id: n.slice(0, -UNCHANGED_SUFFIX.length), unchanged: true } : { id: n.slice(0, -SUFFIX.length), unchanged: false }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Reports waiting, oldest first. A file that is not a valid report is dropped (and reported through onDrop). */
  async list(): Promise<FullReportMessage[]> {
    const out: FullReportMessage[] = [];
    for (const id of await this.ids()) {
      const m = await this.read(id);
      if (m) out.push(m);
    }
    return out;
  }

  /** One waiting report, or null when absent or unreadable (then dropped). */
  async read(id: string): Promise<FullReportMessage | null> {
    let text: string | null = null;
    for (const file of [this.fileOf(id), this.fileOf(id, true)]) {
      text ??= await readFile(file, 'utf8').catch(() => null);
    }
    if (text === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      await this.drop(id, `unreadable outbox file: ${(error as Error).message}`);
      return null;
    }
    const checked = checkReport(parsed);
    if (!checked.ok) {
      await this.drop(id, `outbox file is not a report: ${checked.errors.join('; ')}`);
      return null;
    }
    return checked.value;
  }

  /** Count and total size (bytes) of the waiting reports. */
  async usage(): Promise<{ files: number; bytes: number }> {
    let bytes = 0;
    const entries = await this.entries();
    for (const e of entries) bytes += await sizeOf(this.fileOf(e.id, e.unchanged));
    return { files: entries.length, bytes };
  }

  private async enforceBounds(keep: string): Promise<string[]> {
    const entries = await this.entries();
    const sizes = new Map<string, number>();
    for (const e of entries) sizes.set(e.id, await sizeOf(this.fileOf(e.id, e.unchanged)));
    let bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    let files = entries.length;
    const unchanged = new Set(entries.filter((e) => e.unchanged).map((e) => e.id));
    const dropped: string[] = [];
    for (const id of dropOrder(entries.map((e) => e.id), unchanged, keep)) {
      if (files <= this.maxFiles && bytes <= this.maxBytes) break;
      const which = unchanged.has(id) ? 'oldest report repeating the one before it' : 'oldest report';
      await this.drop(id, `outbox full (${files} reports, ${bytes} bytes; bounds ${this.maxFiles} reports, ${this.maxBytes} bytes): ${which} dropped`);
      files -= 1;
      bytes -= sizes.get(id) ?? 0;
      dropped.push(id);
    }
    return dropped;
  }

  private async drop(id: string, reason: string): Promise<void> {
    await this.remove(id);
    this.onDrop(id, reason);
  }

  private fileOf(id: string, unchanged = false): string {
    if (!isSafeId(id)) throw new Error(`invalid report id: ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}${unchanged ? UNCHANGED_SUFFIX : SUFFIX}`);
  }
}

/** Report and command ids are `[A-Za-z0-9_-]{8,64}` (protocol): safe as file names. */
export function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9_-]{8,64}$/.test(id);
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
