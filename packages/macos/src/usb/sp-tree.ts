/**
 * SPUSBDataType item dictionaries -> UsbBus[]. Shared by the JSON reader (`system_profiler -json
 * SPUSBDataType`, macOS 10.15–15) and the XML reader (`system_profiler -xml SPUSBDataType`, OS X
 * 10.6+): both carry the same keys, except OS X ≤10.10 (reporter "60") prefixes them with a letter
 * (`a_product_id`, `b_vendor_id`, ... `j_bus_power_used`).
 */
import type { UsbBus, UsbDevice } from '@fleetmedic/protocol';
import { MAX_USB_DEPTH, makeBus, makeDevice, normaliseSpeed, parseIdNumber, parseLocationId, parseMa, parseVendorId, yesNo } from './normalize.js';

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys without the ≤10.10 letter prefix: `g_location_id` -> `location_id`. `_name`/`_items` untouched. */
function unprefixed(item: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(item)) {
    const key = /^[a-z]_[a-z]/.test(k) ? k.slice(2) : k;
    if (!(key in out)) out[key] = v;
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** T2 / BCE virtual buses carry the Mac's internal devices (camera, keyboard, audio). */
const INTERNAL_BUS = /^T2Bus$|VHCIBCE/i;

/**
 * One SPUSBDataType device dict (and its `_items`) -> UsbDevice.
 * Power: `bus_power` = available, `bus_power_desired` (≤10.10) else `bus_power_used` = required,
 * `extra_current_used`, `sleep_current`. Storage when `Media`, `volumes` or `bsd_name` is present.
 */
function toDevice(raw: Dict, internalBus: boolean, path: string, problems: string[], depth = 0): UsbDevice {
  const item = unprefixed(raw);
  const vendor = parseVendorId(str(item['vendor_id']));
  const name = str(item['_name']);
  const children = Array.isArray(item['_items']) ? [...item['_items']] : [];
  if (children.length && depth >= MAX_USB_DEPTH) {
    problems.push(`${path}: devices nested deeper than ${MAX_USB_DEPTH} levels dropped (damaged input)`);
    children.length = 0;
  }
  const required = parseMa(str(item['bus_power_desired'])) ?? parseMa(str(item['bus_power_used']));
  const builtInFlag = yesNo(item['Built-in_Device']);
  const device = makeDevice({
    name,
    vendorId: vendor.id,
    vendorName: vendor.name,
    productId: parseIdNumber(str(item['product_id'])),
    manufacturer: str(item['manufacturer']),
    serialNumber: str(item['serial_num']),
    locationId: parseLocationId(str(item['location_id'])),
    speed: normaliseSpeed(str(item['device_speed'])),
    builtIn: builtInFlag ?? (internalBus || /\(built-in\)/i.test(name ?? '') ? true : null),
    power: {
      availableMa: parseMa(str(item['bus_power'])),
      requiredMa: required,
      extraMa: parseMa(str(item['extra_current_used'])),
      sleepMa: parseMa(str(item['sleep_current'])),
    },
    hints: { storage: 'Media' in item || 'volumes' in item || 'bsd_name' in item },
    children: children.flatMap((c, i) => {
      if (isDict(c)) return [toDevice(c, internalBus, `${path}/${i}`, problems, depth + 1)];
      problems.push(`${path}/${i}: device entry is not an object, skipped`);
      return [];
    }),
  });
  if (name == null) problems.push(`${path}: device without _name`);
  return device;
}

/**
 * The SPUSBDataType `_items` array (one dict per bus) -> buses. Bus location from
 * `usb_bus_number` ("0xfd " -> 0xfd000000) or, failing that, the first device's location.
 */
export function spItemsToBuses(items: unknown[], problems: string[], where = 'SPUSBDataType'): UsbBus[] {
  const buses: UsbBus[] = [];
  items.forEach((raw, i) => {
    if (!isDict(raw)) {
      problems.push(`${where}[${i}]: bus entry is not an object, skipped`);
      return;
    }
    const bus = unprefixed(raw);
    const name = str(bus['_name']);
    const controller = str(bus['host_controller']);
    const internal = INTERNAL_BUS.test(name ?? '') || INTERNAL_BUS.test(controller ?? '');
    const devices = (Array.isArray(bus['_items']) ? bus['_items'] : []).flatMap((d, j) => {
      if (isDict(d)) return [toDevice(d, internal, `${where}[${i}]/${j}`, problems)];
      problems.push(`${where}[${i}]/${j}: device entry is not an object, skipped`);
      return [];
    });
    const busNumber = /^\s*0x([0-9a-f]{1,2})\s*$/i.exec(str(bus['usb_bus_number']) ?? '');
    const first = devices.find((d) => d.locationId)?.locationId;
    const locationId = busNumber ? parseLocationId('0x' + busNumber[1]!.padStart(2, '0') + '000000') : first ? first.slice(0, 4) + '000000' : null;
    buses.push(makeBus(name, controller, locationId, devices));
  });
  return buses;
}
