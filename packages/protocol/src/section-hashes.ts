import Type, { type Static, type TOptional, type TString } from 'typebox';
import { BASELINE_VERSION, SECTION_REGISTRY, type SectionName, type SectionRegistry } from './sections/registry.js';
import { SECTION_NAMES } from './sections/names.js';

/** sha256 (hex) of a section's canonical JSON (`sectionHashes` in `@fleetmedic/protocol/hash`). */
export const SectionHash = Type.String({ pattern: '^[0-9a-f]{64}$' });

type HashProperties = { [N in SectionName]: SectionRegistry[N]['since'] extends typeof BASELINE_VERSION ? TString : TOptional<TString> };

/**
 * One content hash per section of a snapshot, derived from SECTION_REGISTRY like Sections: the
 * baseline sections always, a later section only when the snapshot has it.
 */
export const SectionHashes = Type.Object(Object.fromEntries(SECTION_NAMES.map((n) => [
  n, SECTION_REGISTRY[n].since === BASELINE_VERSION ? SectionHash : Type.Optional(SectionHash),
])) as HashProperties);
export type SectionHashes = Static<typeof SectionHashes>;
