import { collectSnapshot } from '../collectors/snapshot.js';
import { formatSnapshot } from './format.js';
import { openRunner } from './open-runner.js';

/** `collect [--replay <dir>] [--json]`: one snapshot to stdout. */
export async function collectCommand(opts: { replay?: string; json?: boolean }): Promise<void> {
  const runner = await openRunner(opts.replay);
  const snapshot = await collectSnapshot(runner);
  process.stdout.write(opts.json ? `${JSON.stringify(snapshot, null, 2)}\n` : `${formatSnapshot(snapshot)}\n`);
}
