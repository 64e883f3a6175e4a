import { SECTION_NAMES, type HostFacts, type ReportMessage, type SectionName, type Sections, type Snapshot } from '@fleetmedic/protocol';
import { canonicalJson, contentHash, sectionHashes, type SectionHashMap } from '@fleetmedic/protocol/hash';
import { sha256Hex } from '../auth/secrets.js';

/**
 * A validated report, whole or delta, in one shape: the content hash of every section the report
 * has, and the content of the sections that came with it (all of them for a whole snapshot). A
 * section registered after 1.0 that the agent does not collect has neither: "not reported".
 */
export interface PreparedReport {
  reportId: string;
  collectedAt: Date;
  host: HostFacts;
  agentVersion: string;
  /** the hash (sha256 hex of canonical JSON) of every section the report has */
  hashes: SectionHashMap;
  /** the sections whose content the report carries */
  sections: Partial<Sections>;
  /** true when the message carried a whole snapshot (`snapshot`), false for a delta (`delta`) */
  full: boolean;
  /** bytes of the message text, when known (for the ingest counters) */
  bytes?: number;
  /**
   * Canonical JSON of the host facts and of every registered section's hash (stateFingerprint's
   * policy-free part) and the report's section key (fast path), made when the report is read, a
   * slice at a time, not for 500 reports at once when their batch is written.
   */
  stateText: string;
  sectionsKey: SectionsKey;
}

/**
 * The sections a report has, as the fast path compares them with the stored ones: their names
 * comma-separated in code-point order, and the sha256 (hex) of `name=hash` for each of them joined
 * by commas (what FAST_PATH_SQL computes from the stored SectionState rows of those sections).
 */
export interface SectionsKey {
  sections: string;
  sectionsDigest: string;
}

/** The SectionsKey of `hashes` (one hash per section a report has). */
export function sectionsKey(hashes: Record<string, string | undefined>): SectionsKey {
  const names = Object.keys(hashes).filter((n) => hashes[n] !== undefined).sort();
  return {
    sections: names.join(','),
    sectionsDigest: sha256Hex(names.map((n) => `${n}=${hashes[n]}`).join(',')),
  };
}

/** What stateFingerprint hashes besides the policy: the host facts and the section hashes in SECTION_NAMES order. */
const stateTextOf = (host: HostFacts, hashes: SectionHashMap): string => `${canonicalJson(host)},${canonicalJson(SECTION_NAMES.map((n) => hashes[n]))}`;

/** A report's fields as read, with what is derived from them once (stateText, sectionsKey). */
function prepared(r: Omit<PreparedReport, 'stateText' | 'sectionsKey'>): PreparedReport {
  return { ...r, stateText: stateTextOf(r.host, r.hashes), sectionsKey: sectionsKey(r.hashes) };
}

/** A delta whose section content does not match the hash it claims: refused as `invalid-report`. */
export class InvalidReportError extends Error {
  override name = 'InvalidReportError';
}

/** How far ahead of the server's clock a report's collectedAt may be before it counts as clock skew, ms. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A report's collection time: `collectedAt` (ISO 8601), or the server's `now` when the Mac's clock
 * is more than MAX_CLOCK_SKEW_MS ahead. Ingest orders reports by this time and ignores older ones,
 * so one report stamped in 2099 would otherwise freeze the device's state for good.
 * Throws InvalidReportError when the text is not a date.
 */
export function reportClock(collectedAt: string, now = new Date()): Date {
  const at = new Date(collectedAt);
  if (Number.isNaN(at.getTime())) throw new InvalidReportError(`collectedAt ${JSON.stringify(collectedAt.slice(0, 40))} is not a date`);
  return at.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS ? now : at;
}

/** From a whole snapshot: hashes computed here. */
export function prepareSnapshot(reportId: string, snapshot: Snapshot): PreparedReport {
  return prepared({
    reportId,
    collectedAt: reportClock(snapshot.collectedAt),
    host: snapshot.host,
    agentVersion: snapshot.agentVersion,
    hashes: sectionHashes(snapshot.sections),
    sections: snapshot.sections,
    full: true,
  });
}

/**
 * From a report message already validated against the protocol's ReportMessage. The content of
 * every section a delta carries is hashed again and must match its claimed hash (else
 * InvalidReportError), so stored hashes always describe stored content.
 */
export function prepareReport(message: ReportMessage, bytes?: number): PreparedReport {
  if ('snapshot' in message) return { ...prepareSnapshot(message.id, message.snapshot), bytes };
  const { delta } = message;
  for (const name of SECTION_NAMES) {
    const section = delta.sections[name];
    if (section === undefined) continue;
    if (delta.hashes[name] === undefined) throw new InvalidReportError(`section ${name}: content without hashes.${name}`);
    if (contentHash(section) !== delta.hashes[name]) {
      throw new InvalidReportError(`section ${name}: content does not match hashes.${name}`);
    }
  }
  return prepared({
    reportId: message.id,
    collectedAt: reportClock(delta.collectedAt),
    host: delta.host,
    agentVersion: delta.agentVersion,
    hashes: delta.hashes,
    sections: delta.sections,
    full: false,
    bytes,
  });
}

/** Sections a report names by hash only (their content must come from the stored state). */
export const omittedSections = (r: PreparedReport): SectionName[] =>
  SECTION_NAMES.filter((n) => r.hashes[n] !== undefined && r.sections[n] === undefined);

/** Sections the report does not have at all (registered after the agent's version): not reported. */
export const unreportedSections = (r: Pick<PreparedReport, 'hashes'>): SectionName[] => SECTION_NAMES.filter((n) => r.hashes[n] === undefined);

/**
 * Device.stateHash: what a stored diagnosis was made from — the policy (its hash), the host facts
 * and every registered section's hash in SECTION_NAMES order (null for a section not reported,
 * so registering a section re-diagnoses each device once, at its next report).
 * A report with the same fingerprint would change nothing but times.
 */
export function stateFingerprint(r: Pick<PreparedReport, 'stateText'>, policyHash: string): string {
  // contentHash([policyHash, host, hashes in SECTION_NAMES order]), its tail made when the report was read.
  return sha256Hex(`[${JSON.stringify(policyHash)},${r.stateText}]`);
}
