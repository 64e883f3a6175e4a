/** The top-level list of one data type in `system_profiler -json` stdout. */
import { failed, parsed, type ParseResult } from '../result.js';
import { excerpt, findPayloadStart } from './normalize.js';
import { parseJson } from '../json.js';

/**
 * `{"<dataType>": [...]}` -> the list. Lines before the first `{` (plug-in debug output) are skipped
 * and reported in `problems`. Errors: empty output, no JSON object, invalid/truncated JSON, the key
 * missing, or not a list.
 */
export function readJsonList(stdout: string, dataType: string): ParseResult<unknown[]> {
  if (typeof stdout !== 'string' || !stdout.trim()) return failed(`empty output: system_profiler -json ${dataType} printed nothing`);
  const { start, skippedLines } = findPayloadStart(stdout, ['{']);
  if (start < 0) return failed(`not JSON: no "{" in system_profiler -json ${dataType} output, starts ${excerpt(stdout.trim())}`);
  const problems = skippedLines ? [`skipped ${skippedLines} non-JSON line(s) before the JSON object`] : [];
  let doc: unknown;
  try {
    doc = parseJson(stdout.slice(start));
  } catch (e) {
    return failed(`not JSON (truncated or corrupted ${dataType} output): ${(e as Error).message}`, problems);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return failed(`unexpected JSON: expected an object with key ${dataType}`, problems);
  const list = (doc as Record<string, unknown>)[dataType];
  if (list === undefined) {
    const keys = Object.keys(doc).slice(0, 5).join(', ') || 'none';
    return failed(`no ${dataType} key in the JSON (keys: ${keys})`, problems);
  }
  if (!Array.isArray(list)) return failed(`${dataType} is not a list`, problems);
  return parsed(list, problems);
}
