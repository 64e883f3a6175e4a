import type {
  BatchAnswer,
  DeviceDetailView,
  DeviceFilter,
  DeviceView,
  FindingView,
  SectionDataOf,
  SectionName,
  SkippedDevice,
  StoredSection,
} from '@fleetmedic/protocol';

// The API's shapes are defined once, in @fleetmedic/protocol (api.ts), which the server's routes
// use as their schemas. This module names them as the dashboard uses them and adds the views
// the pages build from them.
export type {
  BatchCommandView as BatchCommand, BatchCounts, BatchView, CommandView, DeviceHistoryView as DeviceHistory, DeviceListPage, FindingCount, FindingState,
  ChangeBefore, FindingChanges, FindingTransitionView as FindingTransition, FleetChanges, FleetSample, FleetSummary, Health, Me, Role,
} from '@fleetmedic/protocol';

/** One row of `GET /api/v1/devices` (with `openFindingIds`, shown as chips). */
export type DeviceListItem = DeviceView;
/** The device record of `GET /api/v1/devices/:id`. */
export type DeviceInfo = DeviceView;
/** `GET /api/v1/devices/:id` as the server sends it. */
export type RawDeviceDetail = DeviceDetailView;

/** Which Macs a bulk fix covers: the device-list filters (the same meaning as `GET /api/v1/devices`). */
export type RemediationFilter = DeviceFilter;
/** `POST /api/v1/remediations`: the targets and skipped Macs (dry run), or the batchId once queued. */
export type RemediationAnswer = BatchAnswer;
/** A Mac a bulk fix sends no command to, and why. */
export type SkippedMac = SkippedDevice;

/** A finding as the device page shows it: keyed by its finding (rule) id. */
export type DeviceFinding = Omit<FindingView, 'id' | 'ruleId'> & {
  /** The finding (rule) id, e.g. tcc.camera.denied (the API's `ruleId`). */
  id: string;
  /** The stored finding's own id (the API's `id`, a uuid). */
  uid: string;
};

/** One section of the device's current state, as the agent reported it, with its data typed. */
export interface SectionView<T> extends Omit<StoredSection, 'data'> {
  data?: T;
  /** When this content was last seen changing, ISO 8601. */
  updatedAt?: string;
}

/**
 * Every registered section of a device, data typed by the section registry. Missing = never
 * reported (see `device.notReportedSections` for sections this agent version does not send).
 */
export type DeviceSections = { [N in SectionName]?: SectionView<SectionDataOf<N>> };

/** `GET /api/v1/devices/:id` as the page uses it (sections keyed by name, findings by rule id). */
export interface DeviceDetail extends Omit<RawDeviceDetail, 'sections' | 'findings'> {
  sections: DeviceSections;
  /** open and awaiting-consent findings */
  findings: DeviceFinding[];
}
