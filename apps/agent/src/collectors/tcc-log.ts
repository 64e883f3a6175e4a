import { latestTccDecisions, parseTccLog } from '@fleetmedic/macos';
import type { TccLog, TccLogReset } from '@fleetmedic/protocol';
import { COMMANDS, TCC_LOG_WINDOW_DAYS, ZOOM_BUNDLE_ID } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec } from './section.js';

/**
 * TCC decisions about Zoom from the unified log (COMMANDS.tccLog: `log show --style compact
 * --last 30d` with a predicate on the com.apple.TCC subsystem, Zoom's bundle id and the three
 * services), for Macs whose per-user TCC.db cannot be read (macOS 27). Keeps the latest decision
 * per service; other apps' lines never leave parseTccLog. A failed, killed (output over the
 * spec's byte cap) or unreadable run is `unreadable` with the reason, never "no decision".
 * `resets`: the tcc.reset runs this agent completed, reported beside the decisions they supersede.
 */
export async function collectTccLog(runner: CommandRunner, resets: readonly TccLogReset[] = []): Promise<{ log: TccLog; problems: string[] }> {
  const base = { windowDays: TCC_LOG_WINDOW_DAYS, clients: [ZOOM_BUNDLE_ID], decisions: [], ...(resets.length ? { resets: [...resets] } : {}) };
  const run = await runSpec(runner, COMMANDS.tccLog);
  if (run.failure) return { log: { ...base, status: 'unreadable', reason: run.failure }, problems: [`unified log: ${run.failure}`] };
  const read = parseTccLog(run.result.stdout, [ZOOM_BUNDLE_ID]);
  const problems = read.problems.map((p) => `unified log: ${p}`);
  if (!read.ok) return { log: { ...base, status: 'unreadable', reason: read.error }, problems: [...problems, `unified log: ${read.error}`] };
  return { log: { ...base, status: 'ok', decisions: latestTccDecisions(read.value.decisions) }, problems };
}
