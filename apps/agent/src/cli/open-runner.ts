import { RealRunner } from '../runner/real.js';
import { ReplayRunner } from '../runner/replay.js';
import type { CommandRunner } from '../runner/types.js';

/** The runner a CLI command uses: a recorded Mac when `--replay <dir>` is given, else this machine. */
export async function openRunner(replay: string | undefined, stateDir?: string): Promise<CommandRunner> {
  return replay ? ReplayRunner.open(replay, stateDir ? { stateDir } : {}) : new RealRunner();
}
