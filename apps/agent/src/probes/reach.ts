import net from 'node:net';
import type { DnsProbe, EndpointProbe, ReachFacts } from '@fleetmedic/protocol';
import type { Prober, ProbeTarget } from './answers.js';
import { classifyConnect, classifyLookup } from './classify.js';

/** Per-step deadlines, milliseconds: DNS, then TCP + TLS of one endpoint. Both run within NETWORK_BUDGET_MS. */
export const DNS_TIMEOUT_MS = 3_000;
export const CONNECT_TIMEOUT_MS = 4_000;
/** The whole network section on a dead link: every probe runs in parallel, DNS then connect, under this. */
export const NETWORK_BUDGET_MS = DNS_TIMEOUT_MS + CONNECT_TIMEOUT_MS;

/** What to probe for one destination: names to resolve and host:port endpoints to connect to. */
export interface ReachPlan {
  role: ProbeTarget['role'];
  hosts: readonly string[];
  endpoints: readonly { host: string; port: number }[];
  /** Handshake TLS on the endpoints (Zoom: yes; the FleetMedic server may use a private CA: no). */
  tls: boolean;
}

/**
 * Probes one destination: every host resolved through the system resolver, in parallel; every
 * endpoint connected to at the first address its host resolved to (an IP literal is used as is;
 * a host that did not resolve, or resolved to a sinkhole, is `dns-failed`, nothing is sent). Results come back in the plan's
 * order, sorted by nothing that varies between runs. Never throws; bounded by NETWORK_BUDGET_MS.
 */
export async function probeReach(prober: Prober, plan: ReachPlan): Promise<ReachFacts> {
  const names = [...new Set([...plan.hosts, ...plan.endpoints.map((e) => e.host)])].filter((h) => net.isIP(h) === 0);
  const answers = new Map(
    await Promise.all(names.map(async (host) => [host, await prober.lookup({ role: plan.role, host }, DNS_TIMEOUT_MS)] as const)),
  );
  const verdicts = new Map([...answers].map(([host, answer]) => [host, classifyLookup(host, answer, plan.role === 'zoom')]));
  const dns: DnsProbe[] = plan.hosts.flatMap((host) => verdicts.get(host) ?? []);
  const endpoints: EndpointProbe[] = await Promise.all(
    plan.endpoints.map(async ({ host, port }) => {
      // A sinkholed name is not connected to: 0.0.0.0 would reach this Mac itself.
      const resolved = verdicts.get(host)?.verdict === 'resolved';
      const address = net.isIP(host) !== 0 ? host : resolved ? firstAddress(answers.get(host)) : null;
      if (address === null) return { host, port, tcp: 'dns-failed' as const, tcpCode: null, tls: 'not-tried' as const, tlsCode: null, issuer: null };
      const answer = await prober.connect({ role: plan.role, host, port, address }, { tls: plan.tls, timeoutMs: CONNECT_TIMEOUT_MS });
      return classifyConnect(host, port, answer);
    }),
  );
  return { dns, endpoints };
}

function firstAddress(answer: Awaited<ReturnType<Prober['lookup']>> | undefined): string | null {
  return answer && 'addresses' in answer ? (answer.addresses[0]?.address ?? null) : null;
}
