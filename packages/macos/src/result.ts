import { parseJson } from './json.js';
/**
 * What every parser in this package returns instead of throwing.
 * - `ok: true`: `value` holds what was read; `problems` lists parts that were skipped or
 *   could not be read (a truncated line, an unknown wording) — a partial result when non-empty.
 * - `ok: false`: nothing usable; `error` says why in words an admin can act on
 *   ("empty output: SPUSBDataType is empty on macOS 26+", "not JSON: Unexpected token ...").
 */
export type ParseResult<T> =
  | { ok: true; value: T; problems: string[] }
  | { ok: false; error: string; problems: string[] };

export const parsed = <T>(value: T, problems: string[] = []): ParseResult<T> => ({ ok: true, value, problems });
export const failed = <T = never>(error: string, problems: string[] = []): ParseResult<T> => ({ ok: false, error, problems });

/**
 * Runs one source's parser for a combining parser (firewall, power): the value, or null when the
 * output was not read (`stdout` undefined) or could not be parsed; either way the reason is pushed
 * to `problems` prefixed with the source's name, so "could not read" never passes for a value.
 */
export function readSource<T>(name: string, stdout: string | undefined, parse: (s: string) => ParseResult<T>, problems: string[]): T | null {
  if (stdout === undefined) {
    problems.push(`${name}: not read`);
    return null;
  }
  const r = parse(stdout);
  problems.push(...r.problems.map((p) => `${name}: ${p}`));
  if (!r.ok) problems.push(`${name}: ${r.error}`);
  return r.ok ? r.value : null;
}

/**
 * ok:false, before any scan, when `text` is longer than `maxChars`: more than any real output of
 * `what` (limits sit far above the largest capture), so parsing it could only cost time; the agent
 * accepts 8 MiB of a command's output and parses it on its only thread. Null when the size is fine.
 */
export function refuseOversized(text: string, maxChars: number, what: string): ParseResult<never> | null {
  return text.length > maxChars ? failed(`${what} is ${text.length} characters, more than the ${maxChars} any real one has: not parsed`) : null;
}

/** The last `maxChars` characters of `text`: where a command prints its outcome. */
export const lastChars = (text: string, maxChars: number): string => (text.length > maxChars ? text.slice(-maxChars) : text);

/**
 * The array under `key` of a JSON document (`system_profiler -json` output: `{ "SPCameraDataType": [...] }`).
 * Fails with "not JSON: …" or `no "<key>" array in <what>`; never throws.
 */
export function jsonArrayAt(text: string, key: string, what: string): ParseResult<unknown[]> {
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (e) {
    return failed(`not JSON: ${(e as Error).message}`);
  }
  const items = (doc as Record<string, unknown> | null)?.[key];
  return Array.isArray(items) ? parsed(items) : failed(`no "${key}" array in ${what}`);
}
