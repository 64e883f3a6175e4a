/**
 * `system_profiler -json SPUSBHostDataType` (macOS 26+), FORMATS.md 1.4.
 * bus    `{_name: "USB 3.1 Bus", Driver, USBKeyHardwareType, USBKeyLocationID, _items?}`
 * device `{_name, USBDeviceKeyVendorID, USBDeviceKeyVendorName, USBDeviceKeyProductID,
 *          USBDeviceKeySerialNumber, USBDeviceKeyLinkSpeed: "5 Gb/s",
 *          USBDeviceKeyPowerAllocation: "4.48 W (896 mA)", USBKeyHardwareType, USBKeyLocationID, _items?}`
 */
import type { UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';
import { readJsonList } from './json-input.js';
import { MAX_USB_DEPTH, makeBus, makeDevice, normaliseSpeed, parseIdNumber, parseLocationId, parseMa, parseVendorId } from './normalize.js';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function hardwareTypeBuiltIn(v: unknown): boolean | null {
  const s = str(v);
  return s == null ? null : /built-?in/i.test(s) ? true : /removable/i.test(s) ? false : null;
}

function toDevice(item: Dict, path: string, problems: string[], depth = 0): UsbDevice {
  const vendor = parseVendorId(str(item['USBDeviceKeyVendorID']));
  const children = Array.isArray(item['_items']) ? [...item['_items']] : [];
  if (children.length && depth >= MAX_USB_DEPTH) {
    problems.push(`${path}: devices nested deeper than ${MAX_USB_DEPTH} levels dropped (damaged input)`);
    children.length = 0;
  }
  return makeDevice({
    name: str(item['_name']),
    vendorId: vendor.id,
    vendorName: vendor.name ?? str(item['USBDeviceKeyVendorName']),
    productId: parseIdNumber(str(item['USBDeviceKeyProductID'])),
    manufacturer: str(item['USBDeviceKeyManufacturer']),
    serialNumber: str(item['USBDeviceKeySerialNumber']),
    locationId: parseLocationId(str(item['USBKeyLocationID'])),
    speed: normaliseSpeed(str(item['USBDeviceKeyLinkSpeed'])),
    builtIn: hardwareTypeBuiltIn(item['USBKeyHardwareType']),
    power: { allocatedMa: parseMa(str(item['USBDeviceKeyPowerAllocation'])) },
    hints: { storage: 'Media' in item || 'volumes' in item },
    children: children.flatMap((c, i) => {
      if (isDict(c)) return [toDevice(c, `${path}/${i}`, problems, depth + 1)];
      problems.push(`${path}/${i}: device entry is not an object, skipped`);
      return [];
    }),
  });
}

/**
 * Parse `system_profiler -json SPUSBHostDataType` stdout (macOS 26+; also the SPUSBHostDataType key
 * of a combined run) into UsbFacts (source "SPUSBHostDataType"). Power is only `allocatedMa`
 * (USBDeviceKeyPowerAllocation, absent for most devices and all hubs): available/required are null.
 * Speed is the negotiated link speed mapped to a token (see normaliseSpeed). Names are trimmed.
 * `ok: false` for empty/non-JSON output, a missing key or an empty list.
 */
export function parseSpUsbHostJson(stdout: string): ParseResult<UsbFacts> {
  const list = readJsonList(stdout, 'SPUSBHostDataType');
  if (!list.ok) return list;
  if (list.value.length === 0) return failed('SPUSBHostDataType list is empty: no USB host controllers reported', list.problems);
  const problems = [...list.problems];
  const buses = list.value.flatMap((raw, i) => {
    if (!isDict(raw)) {
      problems.push(`SPUSBHostDataType[${i}]: bus entry is not an object, skipped`);
      return [];
    }
    const devices = (Array.isArray(raw['_items']) ? raw['_items'] : []).flatMap((d, j) => {
      if (isDict(d)) return [toDevice(d, `SPUSBHostDataType[${i}]/${j}`, problems)];
      problems.push(`SPUSBHostDataType[${i}]/${j}: device entry is not an object, skipped`);
      return [];
    });
    return [makeBus(str(raw['_name']), str(raw['Driver']), parseLocationId(str(raw['USBKeyLocationID'])), devices)];
  });
  return buses.length ? parsed({ source: 'SPUSBHostDataType', buses }, problems) : failed('SPUSBHostDataType: no readable bus entries', problems);
}
