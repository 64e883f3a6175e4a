import { SECTION_NAMES, type Sections } from '@fleetmedic/protocol';
import { sourceLabel, type CommandSpec } from '../runner/commands.js';
import { notRunWords, type CommandRunner, type RunResult } from '../runner/types.js';

/** A section of any kind: status, sources, reason, problems, data. */
export type SectionOf<T> = {
  status: 'ok' | 'partial' | 'unavailable' | 'unsupported';
  sources: string[];
  reason?: string;
  problems?: string[];
  data?: T;
};
export type AnySection = Sections[keyof Sections];

/** `ok` when nothing went wrong, else `partial` with the problems. */
export function withData<T>(sources: string[], data: T, problems: string[] = []): SectionOf<T> {
  return problems.length > 0 ? { status: 'partial', sources, problems, data } : { status: 'ok', sources, data };
}

/** The source exists here but could not be read: `reason` says why; never empty data. */
export function unavailable<T>(sources: string[], reason: string, problems: string[] = []): SectionOf<T> {
  return problems.length > 0 ? { status: 'unavailable', sources, reason, problems } : { status: 'unavailable', sources, reason };
}

/** The signal does not exist on this platform. */
export function unsupported<T>(reason: string): SectionOf<T> {
  return { status: 'unsupported', sources: [], reason };
}

/** Every registered section `unsupported` with `reason`: a platform without the Mac signals (e.g. "not macOS (linux)"). */
export function unsupportedSections(reason: string): Sections {
  return Object.fromEntries(SECTION_NAMES.map((n) => [n, unsupported<never>(reason)])) as Sections;
}

/** One command's run, with its label and, when it failed, why in words. */
export interface CommandOutcome {
  label: string;
  result: RunResult;
  /** null when the command ran and exited 0. */
  failure: string | null;
}

/** Runs a spec from the command table and says whether it worked. */
export async function runSpec(runner: CommandRunner, spec: CommandSpec): Promise<CommandOutcome> {
  const opts = { ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}), ...(spec.maxOutputBytes ? { maxOutputBytes: spec.maxOutputBytes } : {}) };
  const result = await runner.run(spec.program, [...spec.args], opts);
  const label = sourceLabel(spec);
  return { label, result, failure: commandFailure(label, result) };
}

/** Why a command's output cannot be used, or null when it exited 0. */
export function commandFailure(label: string, r: RunResult): string | null {
  if (r.notInstalled) return `${label}: ${notRunWords(r)}`;
  if (r.exitCode === 0) return null;
  const said = firstLine(r.stderr) || firstLine(r.stdout);
  const how = r.exitCode === null ? (r.note ?? 'killed') : `exited ${r.exitCode}`;
  return `${label}: ${how}${said ? `: ${said}` : ''}`;
}

function firstLine(s: string): string {
  return s.split(/\r?\n/).find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? '';
}
