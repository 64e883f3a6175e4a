import { parsePower } from '@fleetmedic/macos';
import type { Sections } from '@fleetmedic/protocol';
import { sourcesFor } from '../platform/sources.js';
import { COMMANDS, type CommandSpec } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';

type PowerInputs = { pmsetBatt?: string; pmsetAdapter?: string; spPowerJson?: string };

const POWER_COMMANDS: Record<'pmset' | 'SPPowerDataType', [keyof PowerInputs, CommandSpec][]> = {
  pmset: [['pmsetBatt', COMMANDS.pmsetBatt], ['pmsetAdapter', COMMANDS.pmsetAdapter]],
  SPPowerDataType: [['spPowerJson', COMMANDS.spPower]],
};

/**
 * Power source: `pmset -g batt`, `pmset -g adapter` and `system_profiler -json SPPowerDataType`,
 * all read and merged by parsePower (each fills facts the others lack: adapter watts, battery state).
 */
export async function collectPower(runner: CommandRunner, productVersion: string | null): Promise<Sections['power']> {
  const sources: string[] = [];
  const problems: string[] = [];
  const inputs: PowerInputs = {};
  for (const rule of sourcesFor('power', productVersion)) {
    for (const [key, spec] of POWER_COMMANDS[rule.source as keyof typeof POWER_COMMANDS] ?? []) {
      const o = await runSpec(runner, spec);
      sources.push(o.label);
      if (o.failure) problems.push(o.failure);
      else inputs[key] = o.result.stdout;
    }
  }
  if (Object.keys(inputs).length === 0) return unavailable(sources, problems.join('; ') || 'no power source for this macOS release', problems);
  const p = parsePower(inputs);
  if (!p.ok) return unavailable(sources, p.error, [...problems, ...p.problems]);
  return withData(sources, p.value, [...problems, ...p.problems]);
}
