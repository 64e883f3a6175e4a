/**
 * Choosing the USB source: `system_profiler -json SPUSBDataType` (full tree with available/required
 * current, macOS 10.15–15), else `system_profiler -json SPUSBHostDataType` (macOS 26+), else
 * `ioreg -p IOUSB -l -w0` (every version).
 */
import type { UsbFacts } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';
import { parseIoregUsb } from './ioreg.js';
import { parseSpUsbHostJson } from './sp-host-json.js';
import { parseSpUsbJson } from './sp-json.js';

/** Raw stdout of the USB commands a collector ran; omit the ones it did not run. */
export interface UsbOutputs {
  /** `system_profiler -json SPUSBDataType` (may also be a combined run with SPUSBHostDataType). */
  spUsbJson?: string;
  /** `system_profiler -json SPUSBHostDataType` (macOS 26+). */
  spUsbHostJson?: string;
  /** `ioreg -p IOUSB -l -w0`. */
  ioreg?: string;
}

/**
 * The best UsbFacts from what was collected, in the fallback order SPUSBDataType (when non-empty) >
 * SPUSBHostDataType > ioreg. `source` names the one used; `problems` start with one line per source
 * that was skipped and why ("SPUSBDataType: SPUSBDataType list is empty: ..."), then the used parser's
 * own problems. `ok: false` when no source gave a tree; the error lists every source's failure.
 */
export function selectUsb(outputs: UsbOutputs): ParseResult<UsbFacts> {
  const attempts: [string, string | undefined, (s: string) => ParseResult<UsbFacts>][] = [
    ['SPUSBDataType', outputs.spUsbJson, parseSpUsbJson],
    ['SPUSBHostDataType', outputs.spUsbHostJson, parseSpUsbHostJson],
    ['ioreg', outputs.ioreg, parseIoregUsb],
  ];
  const skipped: string[] = [];
  for (const [name, stdout, parse] of attempts) {
    if (stdout == null) {
      skipped.push(`${name}: not collected`);
      continue;
    }
    const r = parse(stdout);
    if (r.ok) return parsed(r.value, [...skipped, ...r.problems]);
    skipped.push(`${name}: ${r.error}`);
  }
  return failed(`no USB source could be read — ${skipped.join('; ')}`, skipped);
}
