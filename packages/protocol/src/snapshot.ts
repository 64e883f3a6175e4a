import Type, { type Static } from 'typebox';
import { Section } from './section.js';
import { FirewallFacts, HostFacts, OsFacts, PowerFacts, TccFacts, UsbFacts, ZoomFacts } from './facts.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The sections of a snapshot, one per signal group. */
export const Sections = Type.Object({
  os: Section(OsFacts),
  zoom: Section(ZoomFacts),
  tcc: Section(TccFacts),
  firewall: Section(FirewallFacts),
  usb: Section(UsbFacts),
  power: Section(PowerFacts),
});
export type Sections = Static<typeof Sections>;
export type SectionName = keyof Sections;
export const SECTION_NAMES: SectionName[] = ['os', 'zoom', 'tcc', 'firewall', 'usb', 'power'];

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
