import { createHash } from 'node:crypto';
import { SECTION_NAMES, type SectionName, type Sections } from './snapshot.js';

/**
 * JSON with object keys sorted at every level and no whitespace, so equal content gives equal
 * text whatever the key order the writer used. `undefined` members are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const entries: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] !== undefined) entries.push(`${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  }
  return `{${entries.join(',')}}`;
}

/** sha256 (64 lower-case hex digits) of the canonical JSON of a value: equal hash, equal content. */
export const contentHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

/** One content hash per snapshot section (os, zoom, tcc, firewall, usb, power): what a delta report carries. */
export type SectionHashMap = Record<SectionName, string>;

/** The content hash of every section of a snapshot, in SECTION_NAMES order. */
export function sectionHashes(sections: Sections): SectionHashMap {
  const out = {} as SectionHashMap;
  for (const name of SECTION_NAMES) out[name] = contentHash(sections[name]);
  return out;
}
