import { hubPowerSummary, usb3HubPairs, walkUsb, type HubPowerSummary, type UsbWalkEntry } from '@fleetmedic/macos';
import type { UsbDevice, UsbFacts } from '@fleetmedic/protocol';

/**
 * Who is to blame when a USB camera or audio device lacks power, shared by the
 * `usb.power.insufficient` rule and the dashboard's USB tree (which marks what a finding names).
 * Pure function of UsbFacts from any source; currents in mA.
 */

/** Device kinds Zoom uses: a starved one breaks video or audio. */
export const MEDIA_KINDS: readonly UsbDevice['kind'][] = ['camera', 'audio'];

/** A device as findings name it: its trimmed name and, when known, its location id. */
export const usbLabel = (d: UsbDevice): string => `${d.name.trim()}${d.locationId ? ` (${d.locationId})` : ''}`;

/** A hub over its bus-power budget (hubPowerSummary), with both halves of a USB3 hub merged. */
export interface OverBudgetHub {
  /** The half that names the physical hub: the SuperSpeed half of a pair, else the hub itself. */
  hub: UsbDevice;
  summary: HubPowerSummary;
  /** mA the hub needs for itself: the larger current required of its halves. */
  ownMa: number;
}

/** A camera or audio device a cause starves, with its own port's shortfall when it has one. */
export interface StarvedDevice {
  entry: UsbWalkEntry;
  /** required > available, or macOS's failedRequest flag (kUSBFailedRequestedPower); else false. */
  overPort: boolean;
}

/**
 * One cause of `usb.power.insufficient`.
 * - `hubs` non-empty: a hub cause. `hubs[0]` is the topmost over-budget hub of the devices'
 *   bus-power chain (the cause), the others are over-budget hubs below it on the same chain
 *   (evidence). `media` are every camera and audio device drawing current through `hubs[0]`.
 * - `hubs` empty: a port cause: `media` is one device whose own port cannot supply it.
 */
export interface UsbPowerCause {
  /** Finding key subject: location id of the hub (or device), else its bus/hub/name path. */
  subject: string;
  hubs: OverBudgetHub[];
  media: StarvedDevice[];
  /** Every device the cause names: its hubs (both halves of a USB3 hub) and its media devices. */
  devices: UsbDevice[];
}

/** The device's own port cannot supply it: required > available, or macOS's failed-request flag. */
export function overPort(device: UsbDevice): boolean {
  const { availableMa, requiredMa, failedRequest } = device.power;
  return failedRequest || (availableMa != null && requiredMa != null && requiredMa > availableMa);
}

/**
 * The causes that starve camera and audio devices, in USB walk order.
 *
 * A device's bus-power chain is the hubs above it up to the first self-powered one (whose own
 * supply feeds everything below it). When a hub on that chain is over its bus-power budget, the
 * topmost such hub is the cause: every device below it draws through its one upstream port, and a
 * power supply there (or moving the devices to the Mac) is the fix. Lower over-budget hubs and the
 * device's own port shortfall are evidence of that cause, not causes of their own: a starved hub's
 * ports offer little (one unit load on the old stack), so their figures are no separate fact until
 * the hub has its own supply; whatever is still short then is judged on the next report.
 * A device over its own port with no over-budget hub on its chain is its own cause.
 */
export function usbPowerCauses(usb: UsbFacts): UsbPowerCause[] {
  const entries = [...walkUsb(usb)];
  const entryOf = new Map(entries.map((e) => [e.device, e]));
  const superHalf = new Map<UsbDevice, UsbDevice>();
  for (const p of usb3HubPairs(usb)) superHalf.set(p.usb2, p.usb3).set(p.usb3, p.usb3);
  const summaries = new Map<UsbDevice, HubPowerSummary>();
  const summary = (hub: UsbDevice): HubPowerSummary => {
    if (!summaries.has(hub)) summaries.set(hub, hubPowerSummary(hub, usb));
    return summaries.get(hub)!;
  };

  const causes = new Map<UsbDevice, UsbPowerCause>();
  for (const entry of entries) {
    if (!MEDIA_KINDS.includes(entry.device.kind)) continue;
    const starved = { entry, overPort: overPort(entry.device) };
    const chain: UsbDevice[] = [];
    for (let p = entry.parent; p; p = entryOf.get(p)?.parent ?? null) {
      const s = summary(p);
      if (s.selfPowered === true) break;
      if (s.overBudget) chain.unshift(superHalf.get(p) ?? p);
    }
    const top = chain[0];
    if (!top) {
      if (starved.overPort) causes.set(entry.device, { subject: subjectOf(entry, entryOf), hubs: [], media: [starved], devices: [entry.device] });
      continue;
    }
    let cause = causes.get(top);
    if (!cause) {
      cause = { subject: subjectOf(entryOf.get(top)!, entryOf), hubs: [], media: [], devices: [] };
      causes.set(top, cause);
    }
    for (const hub of chain) {
      if (cause.hubs.some((h) => h.hub === hub)) continue;
      const s = summary(hub);
      cause.hubs.push({ hub, summary: s, ownMa: Math.max(0, ...[hub, s.companion].map((h) => h?.power.requiredMa ?? 0)) });
      cause.devices.push(hub, ...(s.companion ? [s.companion] : []));
    }
    cause.media.push(starved);
    cause.devices.push(entry.device);
  }
  return [...causes.values()];
}

/** A device's key subject: its location id, else the bus name, the hub names above it and its name. */
function subjectOf(entry: UsbWalkEntry, entryOf: Map<UsbDevice, UsbWalkEntry>): string {
  if (entry.device.locationId) return entry.device.locationId;
  const names = [entry.device.name.trim()];
  for (let p = entry.parent; p; p = entryOf.get(p)?.parent ?? null) names.unshift(p.name.trim());
  return [entry.bus.name, ...names].join('/');
}
