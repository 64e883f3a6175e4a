import { DEFAULT_POLICY, type Policy } from '@fleetmedic/protocol';
import type { ReachPlan } from './reach.js';

/** Zoom's names and endpoints from the policy (defaults: DEFAULT_POLICY, sources in docs/network-probes.md). */
export function zoomPlan(policy: Pick<Policy, 'zoomHosts' | 'zoomEndpoints'>): ReachPlan {
  return {
    role: 'zoom',
    hosts: policy.zoomHosts ?? DEFAULT_POLICY.zoomHosts ?? [],
    endpoints: policy.zoomEndpoints ?? DEFAULT_POLICY.zoomEndpoints ?? [],
    tls: true,
  };
}

/**
 * The FleetMedic server the agent reports to (`wss://host:port/...`): its name resolved and its
 * port connected to, without a TLS verdict (a deployment may use a private CA). No URL (doctor
 * on a Mac with no configuration): nothing to probe.
 */
export function serverPlan(serverUrl: string | undefined): ReachPlan {
  const url = parse(serverUrl);
  if (!url) return { role: 'server', hosts: [], endpoints: [], tls: false };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80;
  return { role: 'server', hosts: [host], endpoints: [{ host, port }], tls: false };
}

function parse(serverUrl: string | undefined): URL | null {
  if (!serverUrl) return null;
  try {
    return new URL(serverUrl);
  } catch {
    return null;
  }
}
