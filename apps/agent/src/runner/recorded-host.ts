import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordedHost } from './types.js';

/** A recorded Mac folder that cannot be served (missing or malformed host.json, ...). */
export class RecordedMacError extends Error {
  override name = 'RecordedMacError';
}

/**
 * Reads and checks `<dir>/host.json`:
 * `{ hostname, serialNumber, hardwareModel, architecture, consoleUser?, homes: { user: "/Users/user" } }`.
 * Throws RecordedMacError naming the file and the field when it is not usable.
 */
export async function loadRecordedHost(dir: string): Promise<RecordedHost> {
  const file = path.join(dir, 'host.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RecordedMacError(`not a recorded Mac: cannot read ${file} (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RecordedMacError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RecordedMacError(`${file}: expected an object`);
  const o = raw as Record<string, unknown>;
  const bad = (field: string, want: string) => new RecordedMacError(`${file}: "${field}" must be ${want}`);
  const str = (field: string): string => {
    if (typeof o[field] !== 'string' || o[field] === '') throw bad(field, 'a non-empty string');
    return o[field] as string;
  };
  const optStr = (field: string): string | null => {
    const v = o[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw bad(field, 'a string or null');
    return v;
  };
  const homesRaw = o.homes ?? {};
  if (typeof homesRaw !== 'object' || homesRaw === null || Array.isArray(homesRaw)) throw bad('homes', 'an object { user: "/Users/user" }');
  const homes: Record<string, string> = {};
  for (const [user, home] of Object.entries(homesRaw)) {
    if (typeof home !== 'string' || !home.startsWith('/')) throw bad(`homes.${user}`, 'an absolute path');
    homes[user] = home;
  }
  return {
    hostname: str('hostname'),
    serialNumber: optStr('serialNumber'),
    hardwareModel: optStr('hardwareModel'),
    architecture: str('architecture'),
    consoleUser: optStr('consoleUser'),
    homes,
  };
}
