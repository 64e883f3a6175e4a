import { parseAlfPlist, parseFirewall, parseSpFirewallJson } from '@fleetmedic/macos';
import { ALF_PLIST, type Sections } from '@fleetmedic/protocol';
import { sourcesFor } from '../platform/sources.js';
import { COMMANDS } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData } from './section.js';

/** socketfilterfw reads, keyed as parseFirewall takes them. */
const SOCKETFILTERFW = {
  globalState: COMMANDS.fwGlobalState,
  blockAll: COMMANDS.fwBlockAll,
  stealthMode: COMMANDS.fwStealthMode,
  allowSigned: COMMANDS.fwAllowSigned,
  listApps: COMMANDS.fwListApps,
} as const;

/**
 * Application firewall (ALF): the sources platform gating names for this release, in order —
 * `socketfilterfw --get…`/`--listapps` (each read separately so one failing flag costs only its
 * fact), then, when socketfilterfw gave nothing, `/Library/Preferences/com.apple.alf.plist`
 * (macOS ≤ 14: state, stealth and allow-signed, the app list without per-app states) or
 * `system_profiler -json SPFirewallDataType` (macOS 15+).
 */
export async function collectFirewall(runner: CommandRunner, productVersion: string | null): Promise<Sections['firewall']> {
  const sources: string[] = [];
  const problems: string[] = [];
  for (const rule of sourcesFor('firewall', productVersion)) {
    if (rule.source === 'socketfilterfw') {
      const outputs: Partial<Record<keyof typeof SOCKETFILTERFW, string>> = {};
      for (const [key, spec] of Object.entries(SOCKETFILTERFW) as [keyof typeof SOCKETFILTERFW, (typeof SOCKETFILTERFW)[keyof typeof SOCKETFILTERFW]][]) {
        const o = await runSpec(runner, spec);
        sources.push(o.label);
        if (o.failure) problems.push(o.failure);
        else outputs[key] = o.result.stdout;
      }
      if (Object.keys(outputs).length === 0) continue;
      const p = parseFirewall(outputs);
      if (p.ok) return withData(sources, p.value, [...problems, ...p.problems]);
      problems.push(`socketfilterfw: ${p.error}`, ...p.problems);
    } else if (rule.source === 'com.apple.alf.plist') {
      sources.push(ALF_PLIST);
      const file = await runner.readFile(ALF_PLIST);
      if (!file.ok) {
        problems.push(`${ALF_PLIST}: ${file.reason}`);
        continue;
      }
      const p = parseAlfPlist(file.data);
      if (p.ok) return withData(sources, p.value, [...problems, ...p.problems]);
      problems.push(p.error, ...p.problems);
    } else if (rule.source === 'SPFirewallDataType') {
      const o = await runSpec(runner, COMMANDS.spFirewall);
      sources.push(o.label);
      if (o.failure) {
        problems.push(o.failure);
        continue;
      }
      const p = parseSpFirewallJson(o.result.stdout);
      if (p.ok) return withData(sources, p.value, [...problems, ...p.problems]);
      problems.push(`SPFirewallDataType: ${p.error}`, ...p.problems);
    }
  }
  return unavailable(sources, problems[0] ?? 'no firewall source for this macOS release', problems);
}
