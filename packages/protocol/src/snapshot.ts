import Type, { type Static, type TOptional } from 'typebox';
import { Section } from './section.js';
import { HostFacts } from './facts.js';
import { BASELINE_VERSION, SECTION_REGISTRY, type SectionName, type SectionRegistry } from './sections/registry.js';
import { SECTION_NAMES } from './sections/names.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The schema of one section: Section() around the registry's data schema. */
export type SectionSchemaOf<N extends SectionName> = ReturnType<typeof Section<SectionRegistry[N]['data']>>;
type SectionsProperties = {
  [N in SectionName]: SectionRegistry[N]['since'] extends typeof BASELINE_VERSION ? SectionSchemaOf<N> : TOptional<SectionSchemaOf<N>>;
};

function sectionsProperties(): SectionsProperties {
  const props: Record<string, unknown> = {};
  for (const name of SECTION_NAMES) {
    const schema = Section(SECTION_REGISTRY[name].data, SECTION_REGISTRY[name].description);
    props[name] = SECTION_REGISTRY[name].since === BASELINE_VERSION ? schema : Type.Optional(schema);
  }
  return props as SectionsProperties;
}

/**
 * The sections of a snapshot, one per signal group, derived from SECTION_REGISTRY: the baseline
 * (1.0) sections are required, sections added later are optional (an older agent does not send
 * them; the server shows them as "not reported by this agent version").
 */
export const Sections = Type.Object(sectionsProperties());
export type Sections = Static<typeof Sections>;
/** The `data` of a section (the registry's data schema), e.g. SectionDataOf<'firewall'> = FirewallFacts. */
export type SectionDataOf<N extends SectionName> = Static<SectionRegistry[N]['data']>;
/** One section as the snapshot carries it, present (status, sources, data…). */
export type SectionOfName<N extends SectionName> = NonNullable<Sections[N]>;

/**
 * Everything one collection cycle learned about a device.
 * `collectedAt` is ISO 8601; `agentVersion` is the agent's package version.
 */
export const Snapshot = Type.Object({
  schemaVersion: Type.Literal(SNAPSHOT_SCHEMA_VERSION),
  collectedAt: Type.String({ format: 'date-time' }),
  agentVersion: Type.String(),
  host: HostFacts,
  sections: Sections,
});
export type Snapshot = Static<typeof Snapshot>;
