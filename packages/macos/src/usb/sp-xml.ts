/**
 * `system_profiler -xml SPUSBDataType` (OS X 10.6 – macOS 15): a plist array of one dict per
 * data type; the USB tree is its `_items`. OS X ≤10.10 (SPUSBReporter "60") uses letter-prefixed
 * keys (`a_product_id` ... `j_bus_power_used`); 10.11+ ("900.4.1") the JSON keys.
 */
import type { UsbFacts } from '@fleetmedic/protocol';
import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `system_profiler -xml SPUSBDataType` output parsed, characters (real ones are under 100,000). */
export const SP_USB_XML_MAX_CHARS = 2 * 1024 * 1024;
import { EMPTY_SPUSB } from './sp-json.js';
import { excerpt, findPayloadStart } from './normalize.js';
import { spItemsToBuses } from './sp-tree.js';
import { parseXmlPlist } from '../zoom/plist.js';

/**
 * Parse `system_profiler -xml SPUSBDataType` stdout into UsbFacts (source "SPUSBDataType").
 * Lines a third-party plug-in printed before `<?xml` are skipped (reported in `problems`).
 * `ok: false` for empty output, no plist, a cut-off or malformed plist, no SPUSBDataType entry,
 * or an empty `_items` list.
 */
export function parseSpUsbXml(stdout: string): ParseResult<UsbFacts> {
  const oversized = refuseOversized(stdout, SP_USB_XML_MAX_CHARS, 'system_profiler -xml SPUSBDataType output');
  if (oversized) return oversized;
  if (typeof stdout !== 'string' || !stdout.trim()) return failed('empty output: system_profiler -xml SPUSBDataType printed nothing');
  const { start, skippedLines } = findPayloadStart(stdout, ['<?xml', '<plist']);
  if (start < 0) return failed(`not a plist: no "<?xml" in system_profiler -xml SPUSBDataType output, starts ${excerpt(stdout.trim())}`);
  const problems = skippedLines ? [`skipped ${skippedLines} line(s) printed before the XML (third-party plug-in output on stdout)`] : [];
  const xml = stdout.slice(start);
  if (!/<\/plist>\s*$/.test(xml)) return failed('truncated plist: the XML ends before </plist> (output cut off)', problems);
  const decoded = parseXmlPlist(xml);
  if (!decoded.ok) return failed(`malformed plist: ${decoded.error.split('\n')[0]}`, problems);
  const doc: unknown = decoded.value;
  const entries = Array.isArray(doc) ? doc : [doc];
  const entry = entries.find((e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>)['_dataType'] === 'SPUSBDataType') ??
    entries.find((e) => typeof e === 'object' && e !== null && Array.isArray((e as Record<string, unknown>)['_items']));
  if (!entry) return failed('no SPUSBDataType entry in the plist', problems);
  const items = (entry as Record<string, unknown>)['_items'];
  if (!Array.isArray(items)) return failed('SPUSBDataType entry has no _items list', problems);
  if (items.length === 0) return failed(EMPTY_SPUSB, problems);
  const buses = spItemsToBuses(items, problems);
  return buses.length ? parsed({ source: 'SPUSBDataType', buses }, problems) : failed('SPUSBDataType: no readable bus entries', problems);
}
