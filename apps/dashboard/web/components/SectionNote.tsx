import { SECTION_REGISTRY, type SectionName } from '@fleetmedic/protocol';
import type { DeviceDetail, SectionView } from '../api/types.js';

const STATUS_WORDS = {
  ok: 'Read',
  partial: 'Partly read',
  unavailable: 'Could not be read',
  unsupported: 'Not available on this platform',
};

/**
 * Says how section `name` of device `d` was read when it was not read cleanly (partial,
 * unavailable, unsupported), that this agent version does not report it (a section added after
 * the agent's version: never shown as healthy), or that the Mac never reported it. Nothing for a
 * clean read. Never shows "could not read" as "off". The section's words come from the registry.
 */
export function SectionNote({ d, name, covered = [] }: {
  d: DeviceDetail;
  name: SectionName;
  /** Problems naming one of these (e.g. a TCC.db path) are shown beside the data, so not here. */
  covered?: string[];
}) {
  const section = d.sections[name] as SectionView<unknown> | undefined;
  const noun = SECTION_REGISTRY[name].panel.noun;
  if (d.device.notReportedSections.includes(name)) {
    return <p class="note note-not-reported" role="note"><strong>Not reported by this agent version.</strong> Update the agent to see {noun} facts.</p>;
  }
  if (!section) return <p class="note">No {noun} facts reported yet.</p>;
  if (section.status === 'ok') return null;
  // Problems the reason already spells out, or the data's own notes show, are not listed twice.
  const problems = section.problems ?? [];
  const extra = problems.filter((p) => !section.reason?.includes(p) && !covered.some((c) => p.includes(c)));
  const below = !section.reason && extra.length === 0 && problems.length > 0;
  return (
    <div class={`note note-${section.status}`} role="note">
      <strong>{STATUS_WORDS[section.status]}.</strong> {section.reason}{below && 'What could not be read is listed below.'}
      {extra.length > 0 && <ul>{extra.map((p, i) => <li key={i}>{p}</li>)}</ul>}
    </div>
  );
}

/** The sources a section was read from, e.g. "socketfilterfw --getglobalstate". */
export function Sources({ section }: { section: SectionView<unknown> | undefined }) {
  if (!section || section.sources.length === 0) return null;
  return <p class="sources">Read from {section.sources.map((s, i) => <span key={i}><code>{s}</code>{i < section.sources.length - 1 ? ', ' : ''}</span>)}</p>;
}
