/**
 * `ioreg -p IOUSB -l -w0` (all macOS versions; the fallback on macOS 26+). Also reads `ioreg -l`
 * dumps of the whole IOService plane (OS X 10.6/10.7 captures), grep excerpts and `-w` cut lines.
 * FORMATS.md 1.5.
 */
import type { UsbBus, UsbDevice, UsbFacts, UsbPower } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `ioreg -p IOUSB` output parsed, characters (the largest capture, a busy hub tree with -l, is 98,000). */
export const IOREG_USB_MAX_CHARS = 512 * 1024;
import {
  DEVICE_SPEED_ENUM,
  MAX_USB_DEPTH,
  busDevices,
  busLocationOf,
  excerpt,
  makeBus,
  makeDevice,
  normaliseSpeed,
  parentLocationId,
  parseIdNumber,
  parseLocationId,
  type KindHints,
} from './normalize.js';

/** One `+-o` line with the properties printed under it. */
interface IoNode {
  col: number;
  name: string;
  /** Text after the last "@" in the node name, e.g. "01100000" or "1D,7". */
  at: string | null;
  className: string | null;
  props: Map<string, string>;
  parent: IoNode | null;
  role: 'root' | 'controller' | 'roothub' | 'device' | 'other';
  index: number;
}

const NODE_LINE = /^([ |]*)\+-o (.*)$/;
const PROP_LINE = /^[ |]*"([^"]+)" = ?(.*)$/;
const CONTROLLER = /[XEOU]HCI|^XHC\d*$/i;
/** FireWire's OHCI controller (AppleFWOHCI) is not USB. */
const FIREWIRE = /FWOHCI|FireWire|1394/i;
const DEVICE_CLASS = /^(IOUSBHostDevice|IOUSBDevice|IOUSBHubDevice|AppleUSB\w*(Device|Hub))$/;

/** A property value as text: quotes removed from strings; numbers, Yes/No, <data>, {dict} kept as printed. */
function scalar(raw: string): string {
  const v = raw.trim();
  const q = /^"(.*)"$/.exec(v);
  return q ? q[1]! : v;
}

const intProp = (n: IoNode, key: string): number | null => {
  const v = n.props.get(key);
  if (v == null || !/^-?\d{1,15}$/.test(v)) return null;
  return Number(v);
};
const textProp = (n: IoNode, ...keys: string[]): string | null => {
  for (const k of keys) {
    const v = n.props.get(k);
    if (v != null && v.trim() && !/^[<{(]/.test(v)) return v.trim();
  }
  return null;
};

function readNodes(stdout: string, problems: string[]): IoNode[] {
  const nodes: IoNode[] = [];
  const stack: IoNode[] = [];
  let cut = 0;
  let orphanProps = 0;
  for (const rawLine of stdout.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    if (line.endsWith('$')) cut++;
    const node = NODE_LINE.exec(line);
    if (node) {
      const col = node[1]!.length;
      let rest = node[2]!;
      if (rest.endsWith('$')) rest = rest.slice(0, -1);
      const classAt = rest.indexOf('  <class ');
      const fullName = (classAt >= 0 ? rest.slice(0, classAt) : rest).trim();
      const cls = classAt >= 0 ? /^<class ([^,>\s]+)/.exec(rest.slice(classAt + 2))?.[1] ?? null : null;
      const atIdx = fullName.lastIndexOf('@');
      while (stack.length && stack[stack.length - 1]!.col >= col) stack.pop();
      const n: IoNode = {
        col,
        name: atIdx > 0 ? fullName.slice(0, atIdx) : fullName,
        at: atIdx > 0 ? fullName.slice(atIdx + 1) : null,
        className: cls,
        props: new Map(),
        parent: stack[stack.length - 1] ?? null,
        role: 'other',
        index: nodes.length,
      };
      nodes.push(n);
      stack.push(n);
      continue;
    }
    const p = PROP_LINE.exec(line);
    if (p) {
      const owner = nodes[nodes.length - 1];
      if (owner) owner.props.set(p[1]!, scalar(p[2]!));
      else orphanProps++;
    }
  }
  if (cut) problems.push(`${cut} line(s) cut at terminal width and ending in "$" (ioreg run without -w0): names and properties may be incomplete`);
  if (orphanProps) problems.push(`skipped ${orphanProps} property line(s) before the first node (excerpt starts inside a node)`);
  return nodes;
}

function classify(n: IoNode): IoNode['role'] {
  const cls = n.className ?? '';
  if (cls === 'IORegistryEntry' || (n.name === 'Root' && n.col <= 1 && !n.at)) return 'root';
  if (cls === 'IOUSBRootHubDevice' || /Root Hub Simulation/.test(n.name)) return 'roothub';
  const hasIds = n.props.has('idVendor') && n.props.has('idProduct');
  if (!hasIds && !FIREWIRE.test(cls || n.name) && (CONTROLLER.test(cls) || (!cls && CONTROLLER.test(n.name)))) return 'controller';
  if (/Interface|UserClient|Driver$/.test(cls)) return 'other';
  const at8 = n.at != null && /^[0-9a-f]{8}$/i.test(n.at);
  if (hasIds && (at8 || n.props.has('locationID'))) return 'device';
  if (at8 && (DEVICE_CLASS.test(cls) || !cls)) return 'device';
  return 'other';
}

const nearest = (n: IoNode, role: IoNode['role']): IoNode | null => {
  for (let p = n.parent; p; p = p.parent) if (p.role === role) return p;
  return null;
};

/** Kind evidence from the nodes (interfaces, drivers, media) attached below a device. */
function hintsFor(device: IoNode, below: IoNode[]): KindHints {
  const interfaceClasses = below.map((b) => intProp(b, 'bInterfaceClass')).filter((c): c is number => c != null);
  const driverClasses = below.map((b) => b.className).filter((c): c is string => !!c);
  return {
    deviceClass: intProp(device, 'bDeviceClass'),
    interfaceClasses,
    driverClasses,
    hubDriver: driverClasses.some((c) => /^AppleUSB\w*Hub$/.test(c)),
    storage: device.props.get('kHasMSCInterface') === 'Yes' || driverClasses.some((c) => /MassStorage|^IOMedia$/.test(c)),
  };
}

/**
 * Power from ioreg properties.
 * New stack (IOUSBHostDevice, 10.11+): `UsbPowerSinkAllocation` = mA granted -> allocatedMa;
 * `kUSBFailedRequestedPower` present -> failedRequest (its positive value is taken as the mA asked for).
 * Old stack (IOUSBDevice, ≤10.10): `Requested Power` and `Bus Power Available` are in 2 mA units.
 */
function powerOf(n: IoNode): Partial<UsbPower> {
  const power: Partial<UsbPower> = {};
  const alloc = intProp(n, 'UsbPowerSinkAllocation');
  if (alloc != null) power.allocatedMa = alloc;
  if (n.props.has('kUSBFailedRequestedPower')) {
    power.failedRequest = true;
    const asked = intProp(n, 'kUSBFailedRequestedPower');
    if (asked != null && asked > 0) power.requiredMa = asked;
  }
  const requested = intProp(n, 'Requested Power');
  if (requested != null) power.requiredMa = requested * 2;
  const available = intProp(n, 'Bus Power Available');
  if (available != null) power.availableMa = available * 2;
  return power;
}

function speedOf(n: IoNode): string | null {
  const link = intProp(n, 'UsbLinkSpeed');
  if (link != null && link > 0) return normaliseSpeed(link);
  const enumValue = intProp(n, 'Device Speed');
  return enumValue != null ? (DEVICE_SPEED_ENUM[enumValue] ?? null) : null;
}

function locationOf(n: IoNode): string | null {
  const prop = n.props.get('locationID');
  if (prop != null && /^\d+$/.test(prop)) return parseLocationId(prop);
  return n.at && /^[0-9a-f]{8}$/i.test(n.at) ? parseLocationId('0x' + n.at) : null;
}

/**
 * Parse `ioreg -p IOUSB -l -w0` stdout into UsbFacts (source "ioreg").
 * Tree: `+-o` column; host controllers (class/name with XHCI/EHCI/OHCI/UHCI, XHC) are buses; old-stack
 * root hubs (IOUSBRootHubDevice) are not devices (their locationID names the bus). A device's parent is
 * the nearest device above it in the tree, else the device at its parent location id (IOService-plane
 * dumps list devices flat under the controller). Devices outside any controller (excerpts) are grouped
 * by the bus byte of their location id under "(controller not in capture)". Names: "USB Product Name"
 * (empty for non-ASCII names) else the node name. 64-bit sign-extended locationIDs are masked to 32 bits.
 */
export function parseIoregUsb(stdout: string): ParseResult<UsbFacts> {
  const oversized = refuseOversized(stdout, IOREG_USB_MAX_CHARS, 'ioreg -p IOUSB output');
  if (oversized) return oversized;
  if (typeof stdout !== 'string' || !stdout.trim()) return failed('empty output: ioreg -p IOUSB printed nothing');
  const problems: string[] = [];
  const nodes = readNodes(stdout, problems);
  if (!nodes.length) return failed(`no IORegistry nodes ("+-o" lines) in ioreg output, starts ${excerpt(stdout.trim())}`, problems);
  for (const n of nodes) {
    n.role = classify(n);
    // A driver printed with its device's location (IOService plane) is not a second device.
    const above = n.role === 'device' ? nearest(n, 'device') : null;
    if (above && locationOf(above) === locationOf(n)) n.role = 'other';
  }
  if (!nodes.some((n) => n.role === 'root')) problems.push('excerpt: the output does not start at the IORegistry root; devices outside it are missing');

  // Buses: one per controller, located by its "@xxxxxxxx" or its root hub's locationID.
  const busOf = new Map<IoNode, UsbBus>();
  const busByLocation = new Map<string, UsbBus>();
  const buses: UsbBus[] = [];
  for (const c of nodes.filter((n) => n.role === 'controller')) {
    const rootHub = nodes.find((n) => n.role === 'roothub' && n.parent === c);
    const loc = (c.at && /^[0-9a-f]{8}$/i.test(c.at) ? parseLocationId('0x' + c.at) : null) ?? (rootHub ? locationOf(rootHub) : null);
    const bus = makeBus(c.name, c.className ?? c.name, loc ? busLocationOf(loc) : null);
    buses.push(bus);
    busOf.set(c, bus);
    if (bus.locationId && !busByLocation.has(bus.locationId)) busByLocation.set(bus.locationId, bus);
  }

  const ioDevices = nodes.filter((n) => n.role === 'device');
  const below = new Map<IoNode, IoNode[]>(ioDevices.map((d) => [d, []]));
  for (const n of nodes) {
    if (n.role !== 'other') continue;
    const owner = nearest(n, 'device');
    if (owner) below.get(owner)!.push(n);
  }
  const made = new Map<IoNode, UsbDevice>();
  const byLocation = new Map<string, UsbDevice>();
  for (const d of ioDevices) {
    const productName = textProp(d, 'USB Product Name', 'kUSBProductString');
    const dev = makeDevice({
      name: productName ?? d.name,
      vendorId: parseIdNumber(intProp(d, 'idVendor')),
      productId: parseIdNumber(intProp(d, 'idProduct')),
      vendorName: textProp(d, 'USB Vendor Name', 'kUSBVendorString'),
      serialNumber: textProp(d, 'USB Serial Number', 'kUSBSerialNumberString'),
      locationId: locationOf(d),
      speed: speedOf(d),
      builtIn: /^yes$/i.test(d.props.get('non-removable') ?? '') || d.props.has('AAPL,device-internal') ? true : null,
      power: powerOf(d),
      hints: hintsFor(d, below.get(d)!),
    });
    made.set(d, dev);
    if (dev.locationId && !byLocation.has(dev.locationId)) byLocation.set(dev.locationId, dev);
  }

  // Parent device: the tree parent, else the device at the nearest parent location id (unless that
  // would close a loop in damaged input).
  const nodeOf = new Map<UsbDevice, IoNode>([...made].map(([n, d]) => [d, n]));
  const parentOf = new Map<IoNode, IoNode | null>();
  const up = (n: IoNode): IoNode | null => (parentOf.has(n) ? parentOf.get(n)! : nearest(n, 'device'));
  const depthOf = (n: IoNode): number => {
    let depth = 0;
    for (let p = up(n); p && depth <= MAX_USB_DEPTH; p = up(p)) depth++;
    return depth;
  };
  let grouped = 0;
  let tooDeep = 0;
  for (const d of ioDevices) {
    const dev = made.get(d)!;
    let parent: IoNode | null = nearest(d, 'device');
    if (!parent && dev.locationId) {
      for (let loc = parentLocationId(dev.locationId); loc && !parent; loc = parentLocationId(loc)) {
        const candidate = byLocation.get(loc);
        const node = candidate ? nodeOf.get(candidate)! : null;
        let loop = false;
        for (let p: IoNode | null = node, steps = 0; p && steps < ioDevices.length; p = up(p), steps++) if (p === d) loop = true;
        if (node && !loop) parent = node;
      }
    }
    parentOf.set(d, parent);
    if (parent && depthOf(d) > MAX_USB_DEPTH) {
      tooDeep++;
      continue;
    }
    if (parent) {
      made.get(parent)!.children.push(dev);
      continue;
    }
    const controller = nearest(d, 'controller');
    let bus = controller ? busOf.get(controller)! : dev.locationId ? busByLocation.get(busLocationOf(dev.locationId)) : undefined;
    if (!bus) {
      grouped++;
      const loc = dev.locationId ? busLocationOf(dev.locationId) : null;
      bus = busByLocation.get(loc ?? 'none');
      if (!bus) {
        bus = makeBus('(controller not in capture)', null, loc);
        buses.push(bus);
        busByLocation.set(loc ?? 'none', bus);
      }
    }
    busDevices(bus).push(dev);
  }
  if (tooDeep) problems.push(`${tooDeep} device(s) nested deeper than ${MAX_USB_DEPTH} levels dropped (damaged input)`);
  if (grouped) problems.push(`${grouped} device(s) above which the capture shows no host controller: grouped by the bus byte of their location id`);
  if (!buses.length) return failed('no USB host controllers or devices in ioreg output (was it run with -p IOUSB?)', problems);
  return parsed({ source: 'ioreg', buses }, problems);
}
