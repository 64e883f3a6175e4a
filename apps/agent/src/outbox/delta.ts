import { SECTION_NAMES, type FullReportMessage, type ReportMessage, type SectionName, type Sections } from '@fleetmedic/protocol';
import { contentHash, sectionHashes, type SectionHashMap } from '@fleetmedic/protocol/hash';
import type { AckedSections, AckedSectionsStore } from './acked.js';

/** Sent-but-unacked reports whose hashes are remembered (the outbox keeps at most 200 by default). */
const MAX_UNACKED = 1000;

/** How a report went on the wire: whole, or as a delta carrying `sections` of the report's. */
export interface WireReport {
  message: ReportMessage;
  /** the sections whose content is in the message (all the report has when whole) */
  sections: SectionName[];
  full: boolean;
}

/**
 * Cuts reports into deltas (protocol DeltaReportMessage): every section's content hash, and only
 * the sections whose hash differs from the newest report the server has ACKED. Reports are kept
 * whole in the outbox and cut at send time, so a resend after a reconnect is cut against what
 * the server has acked by then. The acked base is kept by an AckedSectionsStore (a file in the
 * agent's state folder). Used by the agent daemon and by the fleet simulator.
 */
export class DeltaReporter {
  /** hashes of the reports sent and not yet acked, by report id */
  private readonly sent = new Map<string, { collectedAt: string; hashes: SectionHashMap }>();
  /** hashes of the newest report cut so far (by collectedAt) */
  private newest: { collectedAt: string; hashes: SectionHashMap } | null = null;

  private constructor(
    private readonly store: AckedSectionsStore,
    private base: AckedSections | null,
    private readonly hash: (section: unknown) => string,
  ) {}

  /**
   * `hash` defaults to the protocol's contentHash; the fleet simulator passes one that remembers
   * the hash of each (never mutated) section object it shares between thousands of Macs.
   */
  static async open(store: AckedSectionsStore, opts: { hash?: (section: unknown) => string } = {}): Promise<DeltaReporter> {
    return new DeltaReporter(store, await store.load(), opts.hash ?? contentHash);
  }

  /** The acked base (null: the next report goes whole). */
  get acked(): AckedSections | null {
    return this.base;
  }

  /** The message to send for a whole report: a delta against the acked base, or the report itself when there is none. */
  wire(report: FullReportMessage): WireReport {
    const { snapshot } = report;
    const hashes = this.hashesOf(report);
    const present = SECTION_NAMES.filter((n) => hashes[n] !== undefined);
    if (!this.base) return { message: report, sections: present, full: true };
    const base = this.base.hashes;
    const changed: Partial<Sections> = {};
    const names: SectionName[] = [];
    // A section the report lacks (not collected by this agent) has no hash and no content: it stays absent.
    for (const name of present) {
      if (base[name] === hashes[name]) continue;
      (changed as Record<string, unknown>)[name] = snapshot.sections[name];
      names.push(name);
    }
    const { sections: _all, ...rest } = snapshot;
    const { snapshot: _whole, ...envelope } = report;
    return { message: { ...envelope, delta: { ...rest, hashes, sections: changed } }, sections: names, full: false };
  }

  /**
   * True when every section of a newly collected `report` hashes as in the report collected
   * before it (the newest this reporter has seen; the acked base when none): it tells the server
   * nothing new but that the Mac was alive. False when there is nothing to compare with.
   */
  unchangedSincePrevious(report: FullReportMessage): boolean {
    const previous = (this.newest ?? this.base)?.hashes;
    const hashes = this.hashesOf(report);
    return previous !== undefined && SECTION_NAMES.every((n) => previous[n] === hashes[n]);
  }

  /**
   * The server acked report `id`: its hashes become the base, unless the base is already a report
   * collected later. An id this reporter did not send (a command result's ack) changes nothing.
   */
  async ackedReport(id: string): Promise<boolean> {
    const entry = this.sent.get(id);
    if (!entry) return false;
    this.sent.delete(id);
    if (this.base && Date.parse(this.base.collectedAt) > Date.parse(entry.collectedAt)) return true;
    this.base = { reportId: id, collectedAt: entry.collectedAt, hashes: entry.hashes };
    await this.store.save(this.base);
    return true;
  }

  /** The server lacks the base (error code `resync`): forget it, so the caller's resend of that report goes whole. */
  async resync(): Promise<void> {
    this.base = null;
    await this.store.save(null);
  }

  private hashesOf(report: FullReportMessage): SectionHashMap {
    const known = this.sent.get(report.id);
    if (known) return known.hashes;
    const hashes = sectionHashes(report.snapshot.sections, this.hash);
    const entry = { collectedAt: report.snapshot.collectedAt, hashes };
    this.sent.set(report.id, entry);
    if (!this.newest || Date.parse(entry.collectedAt) >= Date.parse(this.newest.collectedAt)) this.newest = entry;
    // Reports the outbox dropped are never acked: keep the map as bounded as the outbox.
    if (this.sent.size > MAX_UNACKED) this.sent.delete(this.sent.keys().next().value!);
    return hashes;
  }
}
