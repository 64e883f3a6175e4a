import type { FullReportMessage } from '@fleetmedic/protocol';

/**
 * Where whole reports wait until the server acks them: the disk Outbox for the agent, a
 * MemoryOutbox for the fleet simulator's thousands of Macs in one process.
 */
export interface ReportQueue {
  /** Stores a report until acked; returns the ids dropped to stay within bounds. */
  add(message: FullReportMessage): Promise<string[]>;
  /** Removes an acked report; false when it was not there. */
  remove(id: string): Promise<boolean>;
  /** Ids waiting, oldest first. */
  ids(): Promise<string[]>;
  /** Reports waiting, oldest first. */
  list(): Promise<FullReportMessage[]>;
  /** One waiting report, or null. */
  read(id: string): Promise<FullReportMessage | null>;
}

/** A ReportQueue in memory, bounded by count (oldest dropped first); lost when the process ends. */
export class MemoryOutbox implements ReportQueue {
  private readonly reports = new Map<string, FullReportMessage>();
  constructor(private readonly maxReports = 200) {}

  async add(message: FullReportMessage): Promise<string[]> {
    this.reports.set(message.id, message);
    const dropped: string[] = [];
    for (const id of this.reports.keys()) {
      if (this.reports.size <= this.maxReports) break;
      if (id === message.id) continue;
      this.reports.delete(id);
      dropped.push(id);
    }
    return dropped;
  }

  async remove(id: string): Promise<boolean> {
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
