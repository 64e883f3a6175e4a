import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SECTION_NAMES, isBaselineSection } from '@fleetmedic/protocol';
import type { SectionHashMap } from '@fleetmedic/protocol/hash';

/** The section hashes of the newest report the server acked: the base the next delta is cut against. */
export interface AckedSections {
  /** the acked report's id and collection time (ISO 8601) */
  reportId: string;
  collectedAt: string;
  hashes: SectionHashMap;
}

/** Where the acked base lives: a file for the agent, memory for the fleet simulator. */
export interface AckedSectionsStore {
  load(): Promise<AckedSections | null>;
  /** null forgets the base (the next report goes out whole). */
  save(value: AckedSections | null): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * True when `v` is a well-formed AckedSections: a hash for every baseline section, and for a later
 * section either a hash or nothing (a damaged file is ignored: the next report goes whole).
 */
function isAckedSections(v: unknown): v is AckedSections {
  const a = v as Partial<AckedSections> | null;
  if (typeof a?.reportId !== 'string' || typeof a.collectedAt !== 'string' || typeof a.hashes !== 'object' || a.hashes === null) return false;
  const hashes = a.hashes as Record<string, unknown>;
  return SECTION_NAMES.every((n) => (hashes[n] === undefined && !isBaselineSection(n)) || HASH.test(String(hashes[n])));
}

/** `<stateDir>/acked-sections.json`, written atomically (temp file + rename). */
export class FileAckedSections implements AckedSectionsStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'acked-sections.json');
  }

  async load(): Promise<AckedSections | null> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return isAckedSections(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  async save(value: AckedSections | null): Promise<void> {
    if (!value) return rm(this.file, { force: true });
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, this.file);
  }
}

/** Keeps the base in memory only (many simulated Macs in one process). */
export class MemoryAckedSections implements AckedSectionsStore {
  private value: AckedSections | null = null;
  async load(): Promise<AckedSections | null> {
    return this.value;
  }
  async save(value: AckedSections | null): Promise<void> {
    this.value = value;
  }
}
