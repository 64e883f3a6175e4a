import pLimit, { type LimitFunction } from 'p-limit';
import type { CommandRunner, ReadFileResult, RunOptions, RunResult, TreeMeasure, TreeRemoval } from '@fleetmedic/agent';

/** Runner calls in flight at once in one fleet process (each holds a few files open: ~3 reads of a recorded output). */
export const RUNNER_CALLS_IN_FLIGHT = 64;

/**
 * A recorded Mac's replay runner as the simulated Macs of one fleet process share it: every call
 * waits for a slot of `limit`, one limit for the whole process. A bulk remediation reaches the
 * 10,000 Macs of a process at once, and each reads recorded outputs (three files per command it
 * plans or runs): unbounded, ~30,000 files would be open at once next to 10,000 sockets, past
 * the 20,000 open files a process may hold here, and a recorded output that could not be opened
 * would read as not recorded.
 */
export class SharedRunner implements CommandRunner {
  readonly platform: string;
  readonly recorded: CommandRunner['recorded'];

  constructor(private readonly inner: CommandRunner, private readonly limit: LimitFunction) {
    this.platform = inner.platform;
    this.recorded = inner.recorded;
  }

  /** One limit for the runners of one process (RUNNER_CALLS_IN_FLIGHT). */
  static limit(): LimitFunction {
    return pLimit(RUNNER_CALLS_IN_FLIGHT);
  }

  run(program: string, args: string[], opts?: RunOptions): Promise<RunResult> {
    return this.limit(() => this.inner.run(program, args, opts));
  }

  readFile(path: string): Promise<ReadFileResult> {
    return this.limit(() => this.inner.readFile(path));
  }

  exists(path: string): Promise<boolean> {
    return this.limit(() => this.inner.exists(path));
  }

  listDir(path: string): Promise<string[]> {
    return this.limit(() => this.inner.listDir(path));
  }

  measureTree(path: string): Promise<TreeMeasure> {
    return this.limit(() => this.inner.measureTree(path));
  }

  removeTree(path: string): Promise<TreeRemoval> {
    return this.limit(() => this.inner.removeTree(path));
  }
}
