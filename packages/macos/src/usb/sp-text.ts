/**
 * `system_profiler SPUSBDataType` (text, OS X 10.6 – macOS 15) and `system_profiler
 * SPUSBHostDataType` (text, macOS 26+). Both are indentation trees: "USB:" > bus headers >
 * device headers nested by +4 spaces, properties at header +2 (FORMATS.md 1.2 and 1.4).
 */
import type { UsbBus, UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `system_profiler SPUSBDataType` / `SPUSBHostDataType` text parsed, characters (real ones are under 20,000). */
export const SP_USB_TEXT_MAX_CHARS = 512 * 1024;
import { buildTextTree, type TextNode } from './indented.js';
import { MAX_USB_DEPTH, excerpt, makeBus, makeDevice, normaliseSpeed, parseIdNumber, parseLocationId, parseMa, parseVendorId, yesNo } from './normalize.js';

/** Property labels, lower-cased, per field. English from the captures; Dutch as reported in whatcable#404. */
const LABELS = {
  productId: ['product id', 'usb product id'],
  vendorId: ['vendor id', 'usb vendor id'],
  vendorName: ['usb vendor name'],
  serial: ['serial number'],
  speed: ['speed', 'link speed'],
  manufacturer: ['manufacturer'],
  location: ['location id', 'locatiecode'],
  available: ['current available (ma)', 'beschikbare stroom (ma)'],
  required: ['current required (ma)', 'vereiste stroom (ma)'],
  extra: ['extra operating current (ma)', 'extra stroom in werking (ma)'],
  sleep: ['sleep current (ma)'],
  allocated: ['power allocated'],
  builtIn: ['built-in'],
  connection: ['connection type'],
  controller: ['host controller driver', 'driver'],
  busNumber: ['bus number'],
} as const;

/** Sub-sections of a device (at the property indent) that show mass storage. */
const STORAGE_SECTION = /^(media|volumes)$/i;

function prop(node: TextNode, field: keyof typeof LABELS): string | null {
  for (const [k, v] of node.props) if ((LABELS[field] as readonly string[]).includes(k.toLowerCase())) return v;
  return null;
}

const isBusNode = (n: TextNode): boolean => /\bbus$/i.test(n.title ?? '') || prop(n, 'controller') != null;

/** A header nested ≥4 spaces deeper is a device; one at +2 is a section of its parent (Media, Volumes). */
const childDevices = (n: TextNode): TextNode[] => n.children.filter((c) => c.indent >= n.indent + 4);

function toDevice(node: TextNode, problems: string[], depth = 0): UsbDevice {
  const vendor = parseVendorId(prop(node, 'vendorId'));
  const location = parseLocationId(prop(node, 'location'));
  const connection = prop(node, 'connection');
  const title = node.title ?? '(unnamed: output starts inside this device)';
  if (!location) problems.push(`device "${title}" (line ${node.line}): no Location ID (output cut off?)`);
  let children = childDevices(node);
  if (children.length && depth >= MAX_USB_DEPTH) {
    problems.push(`line ${children[0]!.line}: devices nested deeper than ${MAX_USB_DEPTH} levels dropped (damaged input)`);
    children = [];
  }
  return makeDevice({
    name: title,
    vendorId: vendor.id,
    vendorName: vendor.name ?? prop(node, 'vendorName'),
    productId: parseIdNumber(prop(node, 'productId')),
    manufacturer: prop(node, 'manufacturer'),
    serialNumber: prop(node, 'serial'),
    locationId: location,
    speed: normaliseSpeed(prop(node, 'speed')),
    builtIn: yesNo(prop(node, 'builtIn')) ?? (connection ? /built-?in/i.test(connection) : null),
    power: {
      availableMa: parseMa(prop(node, 'available')),
      requiredMa: parseMa(prop(node, 'required')),
      extraMa: parseMa(prop(node, 'extra')),
      sleepMa: parseMa(prop(node, 'sleep')),
      allocatedMa: parseMa(prop(node, 'allocated')),
    },
    hints: { storage: node.children.some((c) => c.indent < node.indent + 4 && STORAGE_SECTION.test(c.title ?? '')) },
    children: children.map((c) => toDevice(c, problems, depth + 1)),
  });
}

function toBus(node: TextNode, problems: string[]): UsbBus {
  const busNumber = /^0x([0-9a-f]{1,2})\s*$/i.exec(prop(node, 'busNumber') ?? '');
  const devices = childDevices(node).map((c) => toDevice(c, problems));
  const location = parseLocationId(prop(node, 'location')) ?? (busNumber ? parseLocationId('0x' + busNumber[1]!.padStart(2, '0') + '000000') : null);
  return makeBus(node.title, prop(node, 'controller'), location, devices);
}

/**
 * Shared reader for both text layouts. Top-level headers that are not buses (an excerpt that starts
 * inside a bus) are put under one bus named "(bus not in capture)" and reported in `problems`.
 */
function parseUsbText(stdout: string, source: 'SPUSBDataType' | 'SPUSBHostDataType'): ParseResult<UsbFacts> {
  const oversized = refuseOversized(stdout, SP_USB_TEXT_MAX_CHARS, 'system_profiler USB output');
  if (oversized) return oversized;
  const command = `system_profiler ${source}`;
  if (typeof stdout !== 'string' || !stdout.trim()) {
    return failed(
      source === 'SPUSBDataType'
        ? `empty output: ${command} printed nothing (macOS 26+ prints nothing for SPUSBDataType even with USB devices attached; read SPUSBHostDataType or ioreg -p IOUSB — this is not "no USB devices")`
        : `empty output: ${command} printed nothing`,
    );
  }
  const tree = buildTextTree(stdout);
  const problems = [...tree.problems];
  let tops = tree.roots;
  const usbRoot = tops.find((n) => /^usb$/i.test(n.title ?? ''));
  if (usbRoot && tops.length === 1) tops = usbRoot.children;
  else problems.push(`output does not start with "USB:": an excerpt, the tree may be incomplete`);
  if (tree.placeholders) problems.push(`output starts inside a device: its properties are kept under a device named "(unnamed: output starts inside this device)"`);
  const buses: UsbBus[] = [];
  const orphans: TextNode[] = [];
  for (const n of tops) {
    if (/^usb$/i.test(n.title ?? '')) {
      for (const c of n.children) (isBusNode(c) ? buses.push(toBus(c, problems)) : orphans.push(c));
    } else if (isBusNode(n)) buses.push(toBus(n, problems));
    else orphans.push(n);
  }
  if (orphans.length) {
    problems.push(`${orphans.length} top-level device(s) without their bus header: grouped under "(bus not in capture)"`);
    buses.push(makeBus('(bus not in capture)', null, null, orphans.map((o) => toDevice(o, problems))));
  }
  if (!buses.length) return failed(`no USB tree in ${command} output (no bus or device headers), starts ${excerpt(stdout.trim())}`, problems);
  return parsed({ source, buses }, problems);
}

/**
 * Parse `system_profiler SPUSBDataType` text stdout (OS X 10.6 – macOS 15) into UsbFacts (source
 * "SPUSBDataType"). Handles "Mb/sec" and "Mb/s" speeds, "Sleep current (mA)", "Built-In: Yes",
 * Media/Volumes sections (storage), stripped blank lines, prompt lines, system_profiler stderr lines
 * mixed in, and excerpts (reported in `problems`). Empty output is `ok: false` (macOS 26+).
 */
export const parseSpUsbText = (stdout: string): ParseResult<UsbFacts> => parseUsbText(stdout, 'SPUSBDataType');

/**
 * Parse `system_profiler SPUSBHostDataType` text stdout (macOS 26+) into UsbFacts (source
 * "SPUSBHostDataType"). Buses carry Location ID / Driver; devices "USB Vendor ID", "USB Product ID",
 * "Link Speed" (negotiated), "Connection Type" (Built-in/Removable), "Power Allocated: 0.52 W (104 mA)"
 * -> allocatedMa. No available/required current exists in this source.
 */
export const parseSpUsbHostText = (stdout: string): ParseResult<UsbFacts> => parseUsbText(stdout, 'SPUSBHostDataType');
