import { selectUsb, type UsbOutputs } from '@fleetmedic/macos';
import type { Sections } from '@fleetmedic/protocol';
import { sourcesFor, type SourceId } from '../platform/sources.js';
import { COMMANDS, type CommandSpec } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';

/** Which selectUsb input each USB source fills. */
const USB_SOURCES: Partial<Record<SourceId, { spec: CommandSpec; key: 'spUsbJson' | 'spUsbHostJson' | 'ioreg' }>> = {
  SPUSBDataType: { spec: COMMANDS.spUsb, key: 'spUsbJson' },
  SPUSBHostDataType: { spec: COMMANDS.spUsbHost, key: 'spUsbHostJson' },
  'ioreg-IOUSB': { spec: COMMANDS.ioregUsb, key: 'ioreg' },
};

/**
 * USB topology: the sources platform gating names for this release, in order, stopping at the
 * first that selectUsb accepts (system_profiler is slow; later sources only run when needed).
 * An empty SPUSBDataType (macOS 26+) is a reason to go on, never "no USB devices".
 */
export async function collectUsb(runner: CommandRunner, productVersion: string | null): Promise<Sections['usb']> {
  const sources: string[] = [];
  const problems: string[] = [];
  const inputs: UsbOutputs = {};
  let lastParseError: string | null = null;
  for (const rule of sourcesFor('usb', productVersion)) {
    const src = USB_SOURCES[rule.source];
    if (!src) continue;
    const o = await runSpec(runner, src.spec);
    sources.push(o.label);
    if (o.failure) {
      problems.push(o.failure);
      continue;
    }
    inputs[src.key] = o.result.stdout;
    const p = selectUsb(inputs);
    // Sources gating did not run are "not collected" for selectUsb: a choice, not a problem.
    if (p.ok) return withData(sources, p.value, [...problems, ...p.problems.filter((x) => !x.endsWith(': not collected'))]);
    // selectUsb repeats this source's failure in its problems on the next attempt.
    lastParseError = p.error;
  }
  const reason = [...problems, ...(lastParseError ? [lastParseError] : [])].join('; ');
  return unavailable(sources, reason || 'no USB source for this macOS release', problems);
}
