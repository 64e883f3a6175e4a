import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '@fleetmedic/protocol';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'snapshots');

/** A recorded Mac's snapshot (agent `collect --replay`) with what its scenario expects. */
export interface RecordedSnapshot {
  mac: string;
  summary: string;
  expectedFindings: string[];
  /** parsed but not validated: tests validate it like the gateway does */
  snapshot: Snapshot;
}

/** Every snapshot in testing/snapshots/, sorted by Mac name. */
export async function loadRecordedSnapshots(): Promise<RecordedSnapshot[]> {
  const index = JSON.parse(await readFile(path.join(DIR, 'index.json'), 'utf8')) as Record<string, { summary: string; expectedFindings: string[] }>;
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json') && f !== 'index.json').sort();
  return Promise.all(files.map(async (file) => {
    const mac = file.slice(0, -'.json'.length);
    const meta = index[mac];
    if (!meta) throw new Error(`testing/snapshots/index.json has no entry for ${mac}`);
    return { mac, ...meta, snapshot: JSON.parse(await readFile(path.join(DIR, file), 'utf8')) as Snapshot };
  }));
}
