import { createHash } from 'node:crypto';
import type { SectionHashes } from './section-hashes.js';
import { SECTION_NAMES } from './sections/names.js';
import type { Sections } from './snapshot.js';

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

/**
 * One content hash per section a snapshot has (every baseline section; a later section only when
 * reported): what a delta report carries. No key = the section is not reported.
 */
export type SectionHashMap = SectionHashes;

/**
 * The content hash of every section a snapshot has, in SECTION_NAMES order; `hash` defaults to
 * contentHash. A section the snapshot lacks (an agent older than it) gets no key.
 */
export function sectionHashes(sections: Sections, hash: (section: unknown) => string = contentHash): SectionHashMap {
  const out: Record<string, string> = {};
  for (const name of SECTION_NAMES) {
    const section = sections[name];
    if (section !== undefined) out[name] = hash(section);
  }
  return out as SectionHashMap;
}
