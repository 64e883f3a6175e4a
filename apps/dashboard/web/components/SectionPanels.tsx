import type { ComponentType } from 'preact';
import { SECTION_NAMES, SECTION_REGISTRY, type LaterSectionName, type PanelRef, type SectionDataOf } from '@fleetmedic/protocol';
import type { DeviceDetail } from '../api/types.js';
import { Panel } from './bits.js';
import { CamerasAndMics } from './CamerasAndMics.js';
import { NetworkPath } from './NetworkPath.js';
import { SectionNote, Sources } from './SectionNote.js';
import { ZoomInstalls } from './ZoomInstalls.js';
import { SoftwareUpdates } from './SoftwareUpdates.js';

/** The device page's section panels in registry order, one per panel id (os and zoom share "versions"): its table of contents. */
export const SECTION_PANELS: PanelRef[] = [...new Map(SECTION_NAMES.map((n) => [SECTION_REGISTRY[n].panel.id, SECTION_REGISTRY[n].panel])).values()];

/**
 * The body of each section added after 1.0, shown under its registry panel title between the
 * SectionNote and the sources. Typed over the registry: a later section without a body here fails
 * the build. (The 1.0 sections' panels are laid out by hand in DevicePage.)
 */
const LATER_SECTION_BODIES: { [N in LaterSectionName]: ComponentType<{ d: DeviceDetail; data: SectionDataOf<N> }> } = {
  network: ({ data }) => <NetworkPath net={data} />,
  zoomInstalls: ({ d, data }) => <ZoomInstalls d={d} data={data} />,
  devices: ({ data }) => <CamerasAndMics data={data} />,
  softwareUpdate: ({ data }) => <SoftwareUpdates data={data} />,
};

/** The panel of a section added after 1.0: note (including "not reported by this agent version"), body when data is present, sources. */
export function LaterSectionPanel<N extends LaterSectionName>({ d, name }: { d: DeviceDetail; name: N }) {
  const panel: PanelRef = (SECTION_REGISTRY[name] as { panel: PanelRef }).panel;
  const section = d.sections[name];
  const Body = LATER_SECTION_BODIES[name] as ComponentType<{ d: DeviceDetail; data: SectionDataOf<N> }>;
  return (
    <Panel id={panel.id} title={panel.title}>
      <SectionNote d={d} name={name} />
      {section?.data !== undefined && <Body d={d} data={section.data as SectionDataOf<N>} />}
      <Sources section={section} />
    </Panel>
  );
}
