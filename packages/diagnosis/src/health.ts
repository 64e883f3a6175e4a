import type { Health, SectionName, Severity } from '@fleetmedic/protocol';
import { FINDING_CATALOG } from './catalog.js';
import { RULES } from './rules/index.js';

/**
 * Sections that decide readiness: a rule judging them can find a critical problem (Zoom denied the
 * camera, the firewall blocking Zoom, Zoom missing). When one of them could not be checked, a Mac
 * with nothing critical known is `unknown`, not "at risk" or "ready".
 */
export const READINESS_SECTIONS: ReadonlySet<SectionName> = new Set(
  RULES.filter((r) => FINDING_CATALOG[r.id].severity === 'critical').flatMap((r) => r.sections),
);

/** What a Mac's health is judged from: the severities of its open findings and the sections that could not be checked. */
export interface HealthInput {
  /** severities of the OPEN findings (awaiting-consent ones are fixed, not counted) */
  openSeverities: readonly (Severity | string)[];
  /** sections no rule could judge in the last report (Diagnosis.unknown) */
  unknownSections: readonly SectionName[];
}

/**
 * The one severity model (HEALTHS in @fleetmedic/protocol), for the server, the API and the
 * dashboard: `cannot-join` when a critical finding is open; else `unknown` when a section that
 * decides readiness (READINESS_SECTIONS) could not be checked; else `at-risk` when a warning is
 * open; else `unknown` when any other section could not be checked (nothing proves "ready");
 * else `ready`. An unrecognised stored severity counts as a warning.
 */
export function judgeHealth({ openSeverities, unknownSections }: HealthInput): Health {
  if (openSeverities.includes('critical')) return 'cannot-join';
  if (unknownSections.some((s) => READINESS_SECTIONS.has(s))) return 'unknown';
  if (openSeverities.some((s) => s !== 'info')) return 'at-risk';
  if (unknownSections.length > 0) return 'unknown';
  return 'ready';
}
