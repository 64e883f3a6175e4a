import type { FullReportMessage } from '@fleetmedic/protocol';

/**
 * Where whole reports wait until the server acks them: the disk Outbox for the agent, a
 * MemoryOutbox for the fleet simulator's thousands of Macs in one process.
 */
export interface ReportQueue {
  /**
   * Stores a report until acked; returns the ids dropped to stay within bounds, in the order of
   * dropOrder (`unchanged`: the report repeats the one collected before it).
   */
  add(message: FullReportMessage, opts?: AddOptions): Promise<string[]>;
  /** Removes an acked report; false when it was not there. */
  remove(id: string): Promise<boolean>;
  /** Ids waiting, oldest first. */
  ids(): Promise<string[]>;
  /** Reports waiting, oldest first. */
  list(): Promise<FullReportMessage[]>;
  /** One waiting report, or null. */
  read(id: string): Promise<FullReportMessage | null>;
}

/** How a report is added: `unchanged` when every section repeats the report collected before it. */
export interface AddOptions {
  unchanged?: boolean;
}

/**
 * Which waiting reports an over-full queue drops first (`waiting` oldest first; `unchanged` their
 * marks; `keep` the report just added, never dropped): reports that only repeat the one before
 * them, oldest first, then the others, oldest first. A report that repeats its predecessor tells
 * the server only that the Mac was alive then; one that carries a change is the only record of
 * when that change happened, and the newest says how the Mac is now.
 */
export function dropOrder(waiting: readonly string[], unchanged: ReadonlySet<string>, keep: string): string[] {
  const others = waiting.filter((id) => id !== keep);
  return [...others.filter((id) => unchanged.has(id)), ...others.filter((id) => !unchanged.has(id))];
}

/** A ReportQueue in memory, bounded by count (dropped in dropOrder); lost when the process ends. */
export class MemoryOutbox implements ReportQueue {
  private readonly reports = new Map<string, FullReportMessage>();
  private readonly unchanged = new Set<string>();
  constructor(private readonly maxReports = 200) {}

  async add(message: FullReportMessage, opts: AddOptions = {}): Promise<string[]> {
    this.reports.set(message.id, message);
    if (opts.unchanged) this.unchanged.add(message.id);
    const excess = this.reports.size - this.maxReports;
    if (excess <= 0) return [];
    const dropped = dropOrder([...this.reports.keys()], this.unchanged, message.id).slice(0, excess);
    for (const id of dropped) await this.remove(id);
    return dropped;
  }

  async remove(id: string): Promise<boolean> {
    this.unchanged.delete(id);
    return this.reports.delete(id);
  }

  async ids(): Promise<string[]> {
    return [...this.reports.keys()];
  }

  async list(): Promise<FullReportMessage[]> {
    return [...this.reports.values()];
  }

  async read(id: string): Promise<FullReportMessage | null> {
    return this.reports.get(id) ?? null;
  }
}
