import { defaultInputName, parseSpAudioJson, parseSpAudioText, parseSpCameraJson, parseSpCameraText, type ParseResult } from '@fleetmedic/macos';
import type { SectionOfName } from '@fleetmedic/protocol';
import { COMMANDS, type CommandSpec } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';

/**
 * One system_profiler list: the JSON form, else (output that is not JSON at all) the text form,
 * with a problem saying so. Null, with the reason in `problems`, when neither reads.
 */
async function readList<T>(
  runner: CommandRunner, spec: CommandSpec, json: (s: string) => ParseResult<T[]>, text: (s: string) => ParseResult<T[]>,
  sources: string[], problems: string[],
): Promise<T[] | null> {
  const o = await runSpec(runner, spec);
  sources.push(o.label);
  if (o.failure) {
    problems.push(o.failure);
    return null;
  }
  let r = json(o.result.stdout);
  if (!r.ok && !o.result.stdout.trimStart().startsWith('{')) {
    const t = text(o.result.stdout);
    if (t.ok) {
      problems.push(`${o.label}: printed the text form, not JSON: read as text`);
      r = t;
    }
  }
  problems.push(...r.problems.map((p) => `${o.label}: ${p}`));
  if (!r.ok) {
    problems.push(`${o.label}: ${r.error}`);
    return null;
  }
  return r.value;
}

/**
 * Cameras and microphones macOS sees: `system_profiler -json SPCameraDataType` and
 * `-json SPAudioDataType`, read one after the other (system_profiler is slow). A list that could not
 * be read is null, never empty; the section is unavailable only when neither could be.
 */
export async function collectDevices(runner: CommandRunner): Promise<SectionOfName<'devices'>> {
  const sources: string[] = [];
  const problems: string[] = [];
  const cameras = await readList(runner, COMMANDS.spCamera, parseSpCameraJson, parseSpCameraText, sources, problems);
  const audio = await readList(runner, COMMANDS.spAudio, parseSpAudioJson, parseSpAudioText, sources, problems);
  if (cameras === null && audio === null) return unavailable(sources, problems.join('; '), problems);
  return withData(sources, { cameras, audio, defaultInput: audio ? defaultInputName(audio) : null }, problems);
}
