import { readFile } from 'node:fs/promises';
import { diagnoseWithErrors, resolvePolicy } from '@fleetmedic/diagnosis';
import type { Policy } from '@fleetmedic/protocol';
import { collectSnapshot } from '../collectors/snapshot.js';
import { formatDiagnosis, networkState, unsupportedSections } from './format.js';
import { openRunner } from './open-runner.js';

/**
 * `doctor [--replay <dir>] [--json] [--policy <file.json>]`: collects, diagnoses, prints the
 * findings. JSON: `{ host, network (online | offline | zoom-unreachable | null), findings, unknown, unknownReasons, unsupported }` (findings sorted by
 * severity, id, key; `unsupported`: sections that do not exist on this platform, with the reason —
 * on Linux every Mac section, so "0 findings" there never reads as a healthy Mac).
 */
export async function doctorCommand(opts: { replay?: string; json?: boolean; policy?: string }): Promise<void> {
  const policy = opts.policy ? await loadPolicy(opts.policy) : resolvePolicy();
  const runner = await openRunner(opts.replay);
  const snapshot = await collectSnapshot(runner, { zoomAppPath: policy.zoomAppPath, policy });
  const d = diagnoseWithErrors(snapshot, policy);
  const unsupported = unsupportedSections(snapshot);
  if (opts.json) {
    const out = { host: snapshot.host, network: networkState(snapshot), findings: d.findings, unknown: d.unknown, unknownReasons: d.unknownReasons, unsupported };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    // Wrapped to the terminal; piped output (no columns) to COLUMNS or 100.
    const width = process.stdout.columns || Number(process.env.COLUMNS) || 100;
    process.stdout.write(`${formatDiagnosis(snapshot.host.hostname, d, unsupported, width, networkState(snapshot))}\n`);
  }
}

/** A policy file: JSON with any of the Policy fields; resolvePolicy says what is wrong with it. */
async function loadPolicy(file: string): Promise<Policy> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read policy ${file}: ${(error as Error).message}`);
  }
  return resolvePolicy(raw as Partial<Policy>);
}
