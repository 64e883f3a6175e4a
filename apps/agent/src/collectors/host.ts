import os from 'node:os';
import type { HostFacts } from '@fleetmedic/protocol';
import { COMMANDS } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec } from './section.js';

/**
 * Host identity. A recorded Mac: host.json (console user from `cmd/console-user` when recorded).
 * This machine: `systeminformation` (IOPlatformExpertDevice on a Mac, DMI on Linux) and, on a
 * Mac, the console user from `stat -f %Su /dev/console`. Unknown values are null, never "-".
 * Only systeminformation's `system` module is loaded, and only here: the whole package costs the
 * resident agent about 11 MB, and a recorded Mac never needs it.
 */
export async function collectHost(runner: CommandRunner): Promise<HostFacts> {
  if (runner.recorded) {
    const h = runner.recorded;
    return {
      hostname: h.hostname,
      serialNumber: h.serialNumber,
      hardwareModel: h.hardwareModel,
      architecture: h.architecture,
      platform: 'darwin',
      consoleUser: await findConsoleUser(runner),
    };
  }
  const system = await import('systeminformation/lib/system.js').then((m) => m.default.system()).catch(() => null);
  return {
    hostname: os.hostname(),
    serialNumber: known(system?.serial),
    hardwareModel: known(system?.model),
    architecture: normalizeArch(os.arch()),
    platform: runner.platform,
    consoleUser: runner.platform === 'darwin' ? await findConsoleUser(runner) : null,
  };
}

/**
 * The user at the console (`stat -f %Su /dev/console`; a recorded Mac without that output:
 * host.json `consoleUser`), or null when nobody is logged in (the console belongs to root at
 * the login window) or it could not be read. The output is one bare name: trimming is all it takes.
 */
export async function findConsoleUser(runner: CommandRunner): Promise<string | null> {
  const o = await runSpec(runner, COMMANDS.consoleUser);
  if (o.failure) return runner.recorded?.consoleUser ?? null;
  const name = o.result.stdout.trim();
  return name === '' || name === 'root' ? null : name;
}

/** systeminformation answers "-" or "" for values it could not learn. */
function known(v: string | undefined): string | null {
  const t = v?.trim();
  return t && t !== '-' ? t : null;
}

/** Node's arch names to Apple's: x64 -> x86_64. */
function normalizeArch(arch: string): string {
  return arch === 'x64' ? 'x86_64' : arch;
}
