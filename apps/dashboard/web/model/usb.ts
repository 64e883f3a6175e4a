import { overPort as isOverPort, usbPowerCauses } from '@fleetmedic/diagnosis';
import { hubPowerSummary, type HubPowerSummary } from '@fleetmedic/macos';
import type { UsbBus, UsbDevice, UsbFacts } from '@fleetmedic/protocol';

/**
 * A hub's power as the page draws it, in mA, from packages/macos `hubPowerSummary` (both halves
 * of a USB3 hub merged). `demandMa` = the hub's own current required + what its children draw.
 * `budgetMa` = current available from its upstream port; null for self-powered hubs or when not
 * reported. `over` = the demand exceeds the budget; for a hub whose power source is unknown
 * (`selfPowered` null, the usual case with SPUSBDataType) that is only a risk, which is why the
 * page marks a device as a problem only when a finding or macOS itself says so.
 */
export interface HubBudget {
  budgetMa: number | null;
  demandMa: number;
  selfPowered: boolean | null;
  over: boolean;
}

/** One node of the USB tree as the page draws it. */
export interface UsbNode {
  /** Stable key: location id, else the bus/name path. */
  key: string;
  device: UsbDevice;
  depth: number;
  /** Current the device asked for (current required), mA. */
  drawMa: number | null;
  /** Current its port offers (current available), mA. */
  portMa: number | null;
  /** macOS reported the request failed, or current required > current available. */
  overPort: boolean;
  /** Power budget when the node is a hub, else null. */
  hub: HubBudget | null;
  /**
   * An open usb.power.insufficient finding names this device (its own cause), or names a hub this
   * device belongs to or draws its current through; or the device is over its port.
   */
  problem: boolean;
  children: UsbNode[];
}

export interface UsbBusView {
  bus: UsbBus;
  nodes: UsbNode[];
}

function budgetOf(summary: HubPowerSummary, hub: UsbDevice): HubBudget {
  const demandMa = (hub.power.requiredMa ?? 0) + summary.childrenRequiredMa;
  return { budgetMa: summary.budgetMa, demandMa, selfPowered: summary.selfPowered, over: summary.overBudget };
}

/**
 * The USB tree of one snapshot, each node with its draw, port current and hub budget.
 * `flaggedKeys` are the subjects of open usb.power.insufficient findings (the finding key after
 * "usb.power.insufficient:": a location id, or a bus/hub/device name path). A subject naming a
 * device marks it; one naming a hub marks the devices of that cause as the rule derives them from
 * this tree (usbPowerCauses: the hub, its other USB3 half, over-budget hubs below it, and the
 * cameras and audio devices drawing through it). Source: the usb section (SPUSBDataType /
 * SPUSBHostDataType / ioreg, as parsed by the agent).
 */
export function usbTree(usb: UsbFacts, flaggedKeys: ReadonlySet<string> = new Set()): UsbBusView[] {
  const flagged = new Set(usbPowerCauses(usb).filter((c) => flaggedKeys.has(c.subject)).flatMap((c) => c.devices));
  const build = (device: UsbDevice, depth: number, path: string[]): UsbNode => {
    const namePath = [...path, device.name.trim()];
    const { availableMa, requiredMa } = device.power;
    const overPort = isOverPort(device);
    const key = device.locationId ?? namePath.join('/');
    const isHub = device.kind === 'hub' || device.children.length > 0;
    return {
      key,
      device,
      depth,
      drawMa: requiredMa,
      portMa: availableMa,
      overPort,
      hub: isHub ? budgetOf(hubPowerSummary(device, usb), device) : null,
      problem: overPort || flagged.has(device) || flaggedKeys.has(key),
      children: device.children.map((c) => build(c, depth + 1, namePath)),
    };
  };
  return usb.buses.map((bus) => ({ bus, nodes: bus.devices.map((d) => build(d, 0, [bus.name])) }));
}

/** Share of a bar filled, 0..1, for `used` of `total` mA; over-budget bars are drawn full. */
export function barFraction(used: number | null, total: number | null): number {
  if (used == null || total == null || total <= 0) return 0;
  return Math.max(0, Math.min(1, used / total));
}
