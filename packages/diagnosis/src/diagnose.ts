import { DEFAULT_POLICY, SECTION_NAMES, isBaselineSection, type Finding, type FindingId, type Policy, type SectionName, type Severity, type Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, sectionNotReported, sectionUnknown, type Rule } from './rule.js';
import { RULES } from './rules/index.js';

/** A rule that failed with an unexpected error (a bug or a malformed snapshot): it produced no findings. */
export interface RuleError {
  rule: FindingId;
  message: string;
}

/** Why a section could not be judged: the section's own reason, or what a rule could not read. */
export interface UnknownReason {
  section: SectionName;
  rule: FindingId;
  reason: string;
}

/**
 * Everything one diagnosis learned.
 * - `findings`: sorted by severity (critical, warning, info), then id, then key.
 * - `unknown`: sections (in SECTION_NAMES order) some rule could not judge — section
 *   `unavailable` (including `tcc`, alongside its `tcc.unreadable` finding), a value a rule needs
 *   missing, or a rule that failed. The UI says "could not check firewall" for these, never "healthy".
 *   `unsupported` sections (not on this platform) are not unknown.
 * - `notReported`: sections added to the protocol after the agent's version (registry `since`),
 *   absent from its report. Rules over them do not run: the UI says "not reported by this agent
 *   version", never "healthy" and never "could not read".
 * - `unknownReasons`: one entry per rule and section behind `unknown`.
 * - `ruleErrors`: rules that threw something other than CannotJudge.
 */
export interface Diagnosis {
  findings: Finding[];
  unknown: SectionName[];
  notReported: SectionName[];
  unknownReasons: UnknownReason[];
  ruleErrors: RuleError[];
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Order findings for display: severity, then id, then key (stable across runs). */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) =>
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
    || a.id.localeCompare(b.id)
    || a.key.localeCompare(b.key));
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs `rules` (default RULES) over a snapshot with a full Policy (default DEFAULT_POLICY; pass
 * the result of resolvePolicy for admin overrides). Never throws: a failing rule yields no
 * findings, a RuleError, and its sections as unknown.
 */
export function diagnoseWithErrors(snapshot: Snapshot, policy: Policy = DEFAULT_POLICY, rules: readonly Rule[] = RULES): Diagnosis {
  const findings: Finding[] = [];
  const unknownReasons: UnknownReason[] = [];
  const ruleErrors: RuleError[] = [];
  const notReported = SECTION_NAMES.filter((n) => !isBaselineSection(n) && sectionNotReported(snapshot, n));
  for (const rule of rules) {
    // A rule over a section the agent does not report cannot judge it: neither pass nor unknown.
    if (rule.sections.some((n) => notReported.includes(n))) continue;
    for (const section of rule.sections) {
      if (sectionUnknown(snapshot, section)) {
        const s = snapshot.sections?.[section];
        unknownReasons.push({ section, rule: rule.id, reason: s?.reason ?? `section ${section} has status ${s?.status ?? 'missing'} and no data` });
      }
    }
    try {
      findings.push(...rule.evaluate(snapshot, policy));
    } catch (err) {
      if (err instanceof CannotJudge) {
        unknownReasons.push({ section: err.section, rule: rule.id, reason: err.message });
      } else {
        ruleErrors.push({ rule: rule.id, message: messageOf(err) });
        for (const section of rule.sections) unknownReasons.push({ section, rule: rule.id, reason: `rule ${rule.id} failed: ${messageOf(err)}` });
      }
    }
  }
  const unknownSet = new Set(unknownReasons.map((u) => u.section));
  return {
    findings: sortFindings(findings),
    unknown: SECTION_NAMES.filter((s) => unknownSet.has(s)),
    notReported,
    unknownReasons,
    ruleErrors,
  };
}

/** The findings of every rule, sorted by severity then id; never throws (see diagnoseWithErrors). */
export function diagnose(snapshot: Snapshot, policy?: Policy): Finding[] {
  return diagnoseWithErrors(snapshot, policy).findings;
}
