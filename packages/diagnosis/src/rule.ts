import type { Evidence, Finding, FindingId, Policy, Remedy, SectionName, Sections, Snapshot } from '@fleetmedic/protocol';
import { FINDING_CATALOG } from './catalog.js';

/**
 * One diagnosis rule: a pure function of a Snapshot and a Policy.
 * - `sections`: the snapshot sections the rule judges. When one of them is `unavailable`, the rule
 *   emits nothing and `diagnoseWithErrors` reports the section as unknown (never "all clear").
 * - `evaluate`: the findings, each with `id` equal to the rule's id. It throws `CannotJudge` when
 *   the section is present but the value it needs is missing or unreadable.
 */
export interface Rule {
  id: FindingId;
  title: string;
  description: string;
  sections: readonly SectionName[];
  evaluate(snapshot: Snapshot, policy: Policy): Finding[];
}

/**
 * Thrown by a rule when the section was read but the fact it needs is absent or garbled
 * (e.g. Zoom installed with no readable version). `diagnoseWithErrors` turns it into an
 * `unknown` section with this message as the reason.
 */
export class CannotJudge extends Error {
  constructor(readonly section: SectionName, reason: string) {
    super(reason);
    this.name = 'CannotJudge';
  }
}

type SectionData<N extends SectionName> = NonNullable<NonNullable<Sections[N]>['data']>;

/**
 * The data of a section when it can be judged (status ok or partial, data present), else null.
 * Rules return no findings on null; whether that means "unknown" is decided from the status.
 */
export function sectionData<N extends SectionName>(snapshot: Snapshot, name: N): SectionData<N> | null {
  const section = snapshot.sections[name] as Sections[N] | undefined;
  if (!section) return null;
  if (section.status !== 'ok' && section.status !== 'partial') return null;
  return (section.data ?? null) as SectionData<N> | null;
}

/**
 * True when the report lacks the section: an agent older than the section's registry `since`
 * (or, for a baseline section, a snapshot that skipped validation).
 */
export const sectionNotReported = (snapshot: Snapshot, name: SectionName): boolean => snapshot.sections?.[name] === undefined;

/**
 * True when the section could not be read on a platform where it exists: status `unavailable`,
 * or ok/partial without data (a malformed snapshot). `unsupported` (e.g. TCC on Linux) is not unknown.
 */
export function sectionUnknown(snapshot: Snapshot, name: SectionName): boolean {
  // Optional chaining: diagnose must not throw on a snapshot that skipped validation.
  const section = snapshot.sections?.[name] as Sections[SectionName] | undefined;
  if (!section) return true;
  if (section.status === 'unsupported') return false;
  return section.status === 'unavailable' || section.data == null;
}

/** A finding for `id` with the catalog's title and severity; key is `<id>:<subject>`. */
export function makeFinding(id: FindingId, subject: string, evidence: Evidence[], remedy: Remedy): Finding {
  const { title, severity } = FINDING_CATALOG[id];
  return { id, key: `${id}:${subject}`, severity, title, evidence, remedy };
}

/** Rule header fields taken from the catalog, so titles never drift between the two. */
export const catalogHeader = (id: FindingId) => ({
  id,
  title: FINDING_CATALOG[id].title,
  description: FINDING_CATALOG[id].description,
});
