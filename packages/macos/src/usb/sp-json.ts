/**
 * `system_profiler -json SPUSBDataType` (macOS 10.15–15; the key is present but empty on 26+).
 * Also reads the SPUSBDataType key of a combined `-json SPUSBDataType SPUSBHostDataType` run.
 */
import type { UsbFacts } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';
import { readJsonList } from './json-input.js';
import { spItemsToBuses } from './sp-tree.js';

/** Error text for an empty SPUSBDataType: the macOS 26+ behaviour, never "no devices". */
export const EMPTY_SPUSB =
  'SPUSBDataType list is empty: system_profiler leaves it empty on macOS 26+ even with USB devices attached; read SPUSBHostDataType or ioreg -p IOUSB instead (this is not "no USB devices")';

/**
 * Parse `system_profiler -json SPUSBDataType` stdout into UsbFacts (source "SPUSBDataType").
 * Shape: `{"SPUSBDataType": [bus...]}`, bus `{_name, host_controller, _items?: device[]}`, device keys
 * per FORMATS.md 1.1 (all values strings; power in mA). `ok: false` for empty output, non-JSON, a
 * missing key, or an empty list (macOS 26+). Entries that are not objects are skipped into `problems`.
 */
export function parseSpUsbJson(stdout: string): ParseResult<UsbFacts> {
  const list = readJsonList(stdout, 'SPUSBDataType');
  if (!list.ok) return list;
  if (list.value.length === 0) return failed(EMPTY_SPUSB, list.problems);
  const problems = [...list.problems];
  const buses = spItemsToBuses(list.value, problems);
  return buses.length ? parsed({ source: 'SPUSBDataType', buses }, problems) : failed('SPUSBDataType: no readable bus entries', problems);
}
