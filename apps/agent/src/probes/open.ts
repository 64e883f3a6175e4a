import { parsePemCertificates } from '@fleetmedic/macos';
import { runSpec } from '../collectors/section.js';
import { COMMANDS } from '../runner/commands.js';
import { ReplayRunner } from '../runner/replay.js';
import type { CommandRunner } from '../runner/types.js';
import type { Prober } from './answers.js';
import { RealProber } from './real.js';
import { ReplayProber } from './replay.js';

/**
 * The prober that goes with a runner: a recorded Mac answers from its `net/` folder; a real Mac
 * probes with Node, knowing the roots installed in its System keychain (so a chain only they
 * validate reads as TLS inspection). `problems` says when those roots could not be read.
 */
export async function openProber(runner: CommandRunner): Promise<{ prober: Prober; problems: string[] }> {
  if (runner instanceof ReplayRunner) return { prober: new ReplayProber(runner.dir), problems: [] };
  const o = await runSpec(runner, COMMANDS.systemKeychainCerts);
  if (o.failure) return { prober: new RealProber(), problems: [`${o.failure}: TLS inspection cannot be told from an untrusted chain`] };
  const p = parsePemCertificates(o.result.stdout);
  const problems = p.problems.map((x) => `${o.label}: ${x}`);
  if (!p.ok) problems.push(`${o.label}: ${p.error}`);
  return { prober: new RealProber({ localRoots: p.ok ? p.value : [] }), problems };
}
