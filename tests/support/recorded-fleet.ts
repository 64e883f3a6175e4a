import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReplayRunner, collectSnapshot } from '@fleetmedic/agent';
import type { Snapshot } from '@fleetmedic/protocol';
import { RECORDED_MACS, scenarioOf } from './agents.js';

/** A recorded Mac's snapshot, collected now by the agent's collectors over the replay runner, with what its scenario expects. */
export interface RecordedSnapshot {
  mac: string;
  summary: string;
  expectedFindings: string[];
  snapshot: Snapshot;
}

/**
 * Every recorded Mac (a folder of recorded-macs/ with a scenario.json), sorted by name, collected
 * in this process by the real collectors: never a stored copy that goes stale when a collector or
 * a recording changes. Remediation state goes to a temp folder removed afterwards.
 * Throws RecordedMacError (from the agent) for a malformed recording.
 */
export async function collectRecordedFleet(): Promise<RecordedSnapshot[]> {
  const macs = (await readdir(RECORDED_MACS)).filter((m) => existsSync(path.join(RECORDED_MACS, m, 'scenario.json'))).sort();
  const state = await mkdtemp(path.join(tmpdir(), 'fm-recorded-fleet-'));
  try {
    const out: RecordedSnapshot[] = [];
    for (const mac of macs) {
      const runner = await ReplayRunner.open(path.join(RECORDED_MACS, mac), { stateDir: path.join(state, mac) });
      out.push({ mac, ...scenarioOf(mac), snapshot: await collectSnapshot(runner) });
    }
    return out;
  } finally {
    await rm(state, { recursive: true, force: true });
  }
}
