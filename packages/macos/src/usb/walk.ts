/**
 * Walking a UsbFacts tree and summing hub power, for the `usb.power.insufficient` diagnosis.
 * Pure functions over UsbFacts from any source.
 */
import type { UsbBus, UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { busDevices } from './normalize.js';

/** One device in depth-first order. depth 0 = attached to the bus (root port). */
export interface UsbWalkEntry {
  device: UsbDevice;
  parent: UsbDevice | null;
  bus: UsbBus;
  depth: number;
  /** The other half of the same physical USB3 hub (see usb3HubPairs), else null. */
  companion: UsbDevice | null;
}

/** Every device of every bus, parents before children (depth-first, in source order). */
export function* walkUsb(facts: UsbFacts): Iterable<UsbWalkEntry> {
  const companions = companionMap(facts);
  for (const bus of facts.buses) {
    const stack: { device: UsbDevice; parent: UsbDevice | null; depth: number }[] = busDevices(bus)
      .map((device) => ({ device, parent: null, depth: 0 }))
      .reverse();
    while (stack.length) {
      const { device, parent, depth } = stack.pop()!;
      yield { device, parent, bus, depth, companion: companions.get(device) ?? null };
      for (let i = device.children.length - 1; i >= 0; i--) stack.push({ device: device.children[i]!, parent: device, depth: depth + 1 });
    }
  }
}

/** The USB 2.0 and the SuperSpeed half of one physical USB3 hub. */
export interface UsbHubPair {
  usb2: UsbDevice;
  usb3: UsbDevice;
}

const SUPER = new Set(['super', 'super-plus']);

/** Which half a hub is: by speed, else by its name ("USB3.1 Hub", "USB3 Gen2 Hub" / "USB2.1 Hub"). */
function hubHalf(d: UsbDevice): 'usb2' | 'usb3' | null {
  if (d.kind !== 'hub') return null;
  if (d.speed && SUPER.has(d.speed)) return 'usb3';
  if (d.speed === 'high') return 'usb2';
  if (d.speed && /Gb\/s$/.test(d.speed)) return 'usb3';
  if (!d.speed) {
    if (/usb\s?3|gen\s?2|superspeed/i.test(d.name)) return 'usb3';
    if (/usb\s?2/i.test(d.name)) return 'usb2';
  }
  return null;
}

/**
 * The two halves of each physical USB3 hub. A USB3 hub enumerates twice: a High-Speed hub on the
 * USB 2.0 wires and a SuperSpeed hub on the USB3 wires, with different location ids (LG "USB2.1 Hub"
 * 0x03100000 + "USB3.1 Hub" 0x03500000; Realtek 0x5411 + 0x0411). Rule: two hubs pair when they have
 * the same vendor id (or both none), one is SuperSpeed (speed super/super-plus, or a USB3 name when no
 * speed is known) and the other High-Speed, and they hang off the same place: the same parent
 * device, parents that are themselves a pair, or both directly on a bus (any bus: on T2 Macs the
 * USB 2.0 and USB3 wires of one port reach different controllers). Ambiguous matches (several
 * candidates) are not paired.
 */
export function usb3HubPairs(facts: UsbFacts): UsbHubPair[] {
  const entries = [...walkPlain(facts)].filter((e) => hubHalf(e.device));
  const pairs: UsbHubPair[] = [];
  const partner = new Map<UsbDevice, UsbDevice>();
  const sameSpot = (a: UsbDevice | null, b: UsbDevice | null) => a === b || (a != null && b != null && partner.get(a) === b);
  // Parents come first in walk order, so a parent pair is known before its children are matched.
  for (const e of entries) {
    if (hubHalf(e.device) !== 'usb3' || partner.has(e.device)) continue;
    const candidates = entries.filter(
      (o) => hubHalf(o.device) === 'usb2' && !partner.has(o.device) && o.device.vendorId === e.device.vendorId && sameSpot(o.parent, e.parent),
    );
    if (candidates.length !== 1) continue;
    const usb2 = candidates[0]!.device;
    // A usb2 hub must not be claimed by another usb3 hub as well.
    const rivals = entries.filter(
      (o) => o.device !== e.device && hubHalf(o.device) === 'usb3' && !partner.has(o.device) && o.device.vendorId === usb2.vendorId && sameSpot(o.parent, candidates[0]!.parent),
    );
    if (rivals.length) continue;
    partner.set(e.device, usb2).set(usb2, e.device);
    pairs.push({ usb2, usb3: e.device });
  }
  return pairs;
}

function* walkPlain(facts: UsbFacts): Iterable<{ device: UsbDevice; parent: UsbDevice | null }> {
  for (const bus of facts.buses) {
    const stack = busDevices(bus).map((device) => ({ device, parent: null as UsbDevice | null })).reverse();
    while (stack.length) {
      const e = stack.pop()!;
      yield e;
      for (let i = e.device.children.length - 1; i >= 0; i--) stack.push({ device: e.device.children[i]!, parent: e.device });
    }
  }
}

function companionMap(facts: UsbFacts): Map<UsbDevice, UsbDevice> {
  const m = new Map<UsbDevice, UsbDevice>();
  for (const p of usb3HubPairs(facts)) m.set(p.usb2, p.usb3).set(p.usb3, p.usb2);
  return m;
}

/** Power summary of one hub (both halves when a companion is known). */
export interface HubPowerSummary {
  /** mA the hub can draw from its upstream port (current available), null when self-powered or unknown. */
  budgetMa: number | null;
  /** mA its downstream devices ask for (sum of loads; a bus-powered child hub carries its own children). */
  childrenRequiredMa: number;
  /** true self-powered, false bus-powered, null unknown (see hubPowerSummary). */
  selfPowered: boolean | null;
  /** Bus-powered (or unknown) hub whose own + children's required current exceeds its budget. */
  overBudget: boolean;
  /** The other half of the same physical USB3 hub, when `facts` was given and one was found. */
  companion: UsbDevice | null;
}

/** mA a USB 2.0 bus-powered hub offers per port (one unit load); USB3 bus-powered hubs offer 150. */
const BUS_POWERED_PORT_MA = 150;

/**
 * Whether a hub is self-powered:
 * - the source's value when it has one;
 * - built-in hubs (inside the Mac or an Apple display) are powered by their host -> true;
 * - a hub with a display's devices below it ("LG UltraFine Display Camera", "LG Monitor Controls")
 *   sits in a mains-powered monitor -> true;
 * - a child offered ≤150 mA (one unit load: what the old USB stack shows on the ports of a
 *   bus-powered hub; self-powered hubs offer 500) -> false;
 * - otherwise null: the 10.11+ stack offers 500/900/1000 mA behind bus-powered hubs too, so a high
 *   figure proves nothing.
 */
export function hubSelfPowered(hub: UsbDevice, companion: UsbDevice | null = null): boolean | null {
  const halves = companion ? [hub, companion] : [hub];
  const known = halves.map((h) => h.selfPowered).find((v) => v != null);
  if (known != null) return known;
  if (halves.some((h) => h.builtIn === true)) return true;
  if (halves.some(insideDisplay)) return true;
  const offered = halves.flatMap((h) => h.children).map((c) => c.power.availableMa).filter((v): v is number => v != null);
  return offered.some((v) => v <= BUS_POWERED_PORT_MA) ? false : null;
}

/** A device named Display/Monitor anywhere below the hub (through child hubs): the hub is part of a monitor. */
function insideDisplay(hub: UsbDevice): boolean {
  const stack = [...hub.children];
  while (stack.length) {
    const c = stack.pop()!;
    if (/\b(display|monitor)\b/i.test(c.name)) return true;
    if (c.kind === 'hub') stack.push(...c.children);
  }
  return false;
}

/** mA a device draws from its upstream port: its required current, plus its children when it is a bus-powered hub. */
function load(device: UsbDevice): number {
  let total = 0;
  const stack = [device];
  while (stack.length) {
    const d = stack.pop()!;
    total += d.power.requiredMa ?? d.power.allocatedMa ?? 0;
    if (d.kind === 'hub' && hubSelfPowered(d) !== true) stack.push(...d.children);
  }
  return total;
}

/**
 * Power budget of a hub for `usb.power.insufficient`. With `facts`, the hub's companion half
 * (usb3HubPairs) is merged in: budget = the larger current available of the two halves, own need =
 * the larger required of the two, children = both halves' children — so one physical hub is not
 * counted twice nor judged against the USB 2.0 half's 500 mA alone. Self-powered hubs have no bus
 * budget (budgetMa null, never overBudget). overBudget = not self-powered, budget known, and
 * own required + childrenRequiredMa > budgetMa.
 */
export function hubPowerSummary(hub: UsbDevice, facts?: UsbFacts): HubPowerSummary {
  const companion = facts ? (companionMap(facts).get(hub) ?? null) : null;
  const halves = companion ? [hub, companion] : [hub];
  const selfPowered = hubSelfPowered(hub, companion);
  const childrenRequiredMa = halves.flatMap((h) => h.children).reduce((s, c) => s + load(c), 0);
  const available = halves.map((h) => h.power.availableMa).filter((v): v is number => v != null);
  const budgetMa = selfPowered === true || !available.length ? null : Math.max(...available);
  const own = Math.max(0, ...halves.map((h) => h.power.requiredMa ?? 0));
  return { budgetMa, childrenRequiredMa, selfPowered, overBudget: budgetMa != null && own + childrenRequiredMa > budgetMa, companion };
}
