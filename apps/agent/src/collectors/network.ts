import { parseNcList, parseScutilProxy, parseSystemExtensions, type ParseResult } from '@fleetmedic/macos';
import type { NetworkFacts } from '@fleetmedic/protocol';
import type { Prober } from '../probes/answers.js';
import { probeReach, type ReachPlan } from '../probes/reach.js';
import { COMMANDS, type CommandSpec } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { runSpec, unavailable, withData, type SectionOf } from './section.js';

/** What the network section probes: Zoom (from the policy) and the FleetMedic server. */
export interface NetworkPlans {
  zoom: ReachPlan;
  server: ReachPlan;
}

/**
 * The path from the Mac to Zoom: DNS, TCP and TLS probes to Zoom and to the FleetMedic server
 * (side by side, bounded by NETWORK_BUDGET_MS), and the software in between: `scutil --proxy`,
 * `scutil --nc list`, `systemextensionsctl list`. A part that could not be read is null with a
 * problem; the section is `partial` then, never "no proxy" or "no extension".
 */
export async function collectNetwork(runner: CommandRunner, prober: { prober: Prober; problems: string[] }, plans: NetworkPlans): Promise<SectionOf<NetworkFacts>> {
  const problems = [...prober.problems];
  const [zoom, server, proxy, vpn, sysext] = await Promise.all([
    probeReach(prober.prober, plans.zoom),
    probeReach(prober.prober, plans.server),
    read(runner, COMMANDS.scutilProxy, parseScutilProxy),
    read(runner, COMMANDS.scutilNcList, parseNcList),
    read(runner, COMMANDS.sysextList, parseSystemExtensions),
  ]);
  for (const r of [proxy, vpn, sysext]) problems.push(...r.problems);
  for (const p of [...zoom.dns, ...server.dns]) if (p.code === 'NOT_RECORDED') problems.push(`dns ${p.host}: not recorded`);
  for (const p of [...zoom.endpoints, ...server.endpoints]) if (p.tcpCode === 'NOT_RECORDED' || p.tlsCode === 'NOT_RECORDED') problems.push(`connect ${p.host}:${p.port}: not recorded`);
  const sources = ['dns.lookup', 'tcp/tls connect', proxy.label, vpn.label, sysext.label];
  const probes = [...zoom.dns, ...server.dns].map((p) => p.code).concat([...zoom.endpoints, ...server.endpoints].map((p) => p.tcpCode));
  if (probes.every((code) => code === 'NOT_RECORDED') && proxy.value === null && vpn.value === null && sysext.value === null) {
    // A recording made before the network section: nothing was read, which is not "nothing in the path".
    return unavailable(sources, 'nothing of the network path could be read', problems);
  }
  return withData(sources, { zoom, server, proxy: proxy.value, vpnServices: vpn.value, systemExtensions: sysext.value }, problems);
}

async function read<T>(runner: CommandRunner, spec: CommandSpec, parse: (s: string) => ParseResult<T>): Promise<{ label: string; value: T | null; problems: string[] }> {
  const o = await runSpec(runner, spec);
  if (o.failure) return { label: o.label, value: null, problems: [o.failure] };
  const p = parse(o.result.stdout);
  const problems = p.problems.map((x) => `${o.label}: ${x}`);
  if (!p.ok) return { label: o.label, value: null, problems: [...problems, `${o.label}: ${p.error}`] };
  return { label: o.label, value: p.value, problems };
}
