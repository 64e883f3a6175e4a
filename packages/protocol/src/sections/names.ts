/**
 * The lists derived from SECTION_REGISTRY at run time. Kept apart from the registry's entries so
 * a test can extend the registry module (vi.mock of registry.ts) and every list follows.
 */
import { BASELINE_VERSION, SECTION_REGISTRY, type LaterSectionName, type SectionName } from './registry.js';

/** Every section name, in registry order (the order of snapshots, hashes and the API). */
export const SECTION_NAMES = Object.keys(SECTION_REGISTRY) as SectionName[];

/** True when every report must carry the section (it was in the baseline protocol, 1.0). */
export const isBaselineSection = (name: SectionName): boolean => SECTION_REGISTRY[name].since === BASELINE_VERSION;

/** Sections added after 1.0: optional on the wire, "not reported by this agent version" when absent. */
export const LATER_SECTION_NAMES = SECTION_NAMES.filter((n) => !isBaselineSection(n)) as LaterSectionName[];
