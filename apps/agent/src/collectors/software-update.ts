import { parseKernBoottime, parseSoftwareUpdateList } from '@fleetmedic/macos';
import type { SectionOfName, SoftwareUpdateItem } from '@fleetmedic/protocol';
import { COMMANDS, sourceLabel } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';
import type { CachedUpdateList, SoftwareUpdateCache } from './software-update-cache.js';

/** `softwareupdate --list` asks Apple's catalog over the network: at most once a day, the cached list between. */
export const SOFTWARE_UPDATE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The cached run when it is younger than a day, else a fresh run (cached on success); a stale run stands in when the fresh one fails. */
async function updateList(runner: CommandRunner, cache: SoftwareUpdateCache | undefined, now: Date, problems: string[]): Promise<CachedUpdateList | null> {
  const kept = await cache?.read() ?? null;
  const keptAgeMs = kept ? now.getTime() - Date.parse(kept.checkedAt) : null;
  if (kept && keptAgeMs !== null && keptAgeMs >= 0 && keptAgeMs < SOFTWARE_UPDATE_MAX_AGE_MS) return kept;
  const o = await runSpec(runner, COMMANDS.softwareUpdateList);
  if (o.failure) {
    problems.push(kept ? `${o.failure}: the list of ${kept.checkedAt} is shown` : o.failure);
    return kept;
  }
  // The list is on stdout, "Software Update Tool / Finding available software" on stderr: read both, as Fleet does.
  const run = { checkedAt: now.toISOString(), output: `${o.result.stdout}\n${o.result.stderr}` };
  await cache?.write(run).catch((e: Error) => problems.push(`softwareupdate cache not written: ${e.message}`));
  return run;
}

/**
 * Pending updates and the last boot. The list comes from `softwareupdate --list` (never `--download`
 * or `--install`), run at most once a day through `cache` (none: run every time) with its age
 * reported; the boot time from `sysctl -n kern.boottime` at every collection. A fact that could not
 * be read is null with the reason in `problems`; unavailable only when neither could be read.
 */
export async function collectSoftwareUpdate(runner: CommandRunner, cache: SoftwareUpdateCache | undefined, now: Date): Promise<SectionOfName<'softwareUpdate'>> {
  const problems: string[] = [];
  const sources = [sourceLabel(COMMANDS.softwareUpdateList), sourceLabel(COMMANDS.kernBoottime)];
  const run = await updateList(runner, cache, now, problems);
  let updates: SoftwareUpdateItem[] | null = null;
  if (run) {
    const p = parseSoftwareUpdateList(run.output);
    problems.push(...p.problems.map((m) => `softwareupdate --list: ${m}`));
    if (p.ok) updates = p.value;
    else problems.push(`softwareupdate --list: ${p.error}`);
  }
  const boot = await runSpec(runner, COMMANDS.kernBoottime);
  let lastBootAt: string | null = null;
  if (boot.failure) problems.push(boot.failure);
  else {
    const b = parseKernBoottime(boot.result.stdout);
    if (b.ok) lastBootAt = b.value;
    else problems.push(`${boot.label}: ${b.error}`);
  }
  if (updates === null && lastBootAt === null) return unavailable(sources, problems.join('; '), problems);
  const checkedAt = updates === null ? null : run!.checkedAt;
  // No age field: it would change the section at every report (the age is collectedAt - checkedAt).
  return withData(sources, { updates, checkedAt, lastBootAt }, problems);
}
