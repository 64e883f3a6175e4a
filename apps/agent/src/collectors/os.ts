import { parseSwVers } from '@fleetmedic/macos';
import type { Sections } from '@fleetmedic/protocol';
import { COMMANDS } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';

/** macOS version from `sw_vers` (all layouts, parsed by parseSwVers). */
export async function collectOs(runner: CommandRunner): Promise<Sections['os']> {
  const { label, result, failure } = await runSpec(runner, COMMANDS.swVers);
  if (failure) return unavailable([label], failure);
  const p = parseSwVers(result.stdout);
  if (!p.ok) return unavailable([label], p.error, p.problems);
  return withData([label], p.value, p.problems);
}
