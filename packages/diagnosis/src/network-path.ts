import type { DnsProbe, EndpointProbe, NetworkFacts, ReachFacts, SystemExtension } from '@fleetmedic/protocol';
import { vendorOf } from './vendors.js';

/**
 * Pure readings of the network section shared by its rules: is the Mac online at all, what failed
 * on the way to Zoom, and which third-party software sits in the path.
 */

/** Reachability of one destination: every probe fine, something failed, or nothing was probed. */
export type Reach = 'reachable' | 'unreachable' | 'not-probed';

/** A TLS verdict under which Zoom's traffic still flows (inspection is its own finding). */
const TLS_PASSES = new Set<EndpointProbe['tls']>(['valid', 'inspected', 'not-tried']);
/** Extension states that need nothing more from anyone: on, or turned off on purpose. */
const SETTLED_STATES = new Set(['activated enabled', 'activated disabled']);
/** Categories of extensions that see or steer traffic. Camera and driver extensions are not in the path. */
const PATH_CATEGORIES = new Set(['network_extension', 'endpoint_security']);

/** The FleetMedic server: reachable when its name resolved and its port accepted a connection. */
export function serverReach(server: ReachFacts): Reach {
  if (server.dns.length === 0 && server.endpoints.length === 0) return 'not-probed';
  const fine = server.dns.every((d) => d.verdict === 'resolved') && server.endpoints.every((e) => e.tcp === 'connected');
  return fine ? 'reachable' : 'unreachable';
}

/** What failed on the way to Zoom, in words, one line per probe (empty: Zoom is reachable). */
export function zoomFailures(zoom: ReachFacts): { dns: DnsProbe[]; endpoints: EndpointProbe[] } {
  return {
    dns: zoom.dns.filter((d) => d.verdict !== 'resolved'),
    endpoints: zoom.endpoints.filter((e) => e.tcp !== 'connected' || !TLS_PASSES.has(e.tls)),
  };
}

/** "zoom.us: sinkhole (0.0.0.0)", "zoom.us: not found (ENOTFOUND)". */
export function describeDns(d: DnsProbe): string {
  if (d.verdict === 'sinkhole') return `${d.host} resolves to ${d.sinkholeAddress ?? 'a sinkhole'} (a filter's "blocked" answer)`;
  return `${d.host}: DNS ${d.verdict.replace('-', ' ')}${d.code ? ` (${d.code})` : ''}`;
}

/** "zoom.us:443: TCP refused (ECONNREFUSED)", "zoom.us:443: TLS untrusted (SELF_SIGNED_CERT_IN_CHAIN, issuer X)". */
export function describeEndpoint(e: EndpointProbe): string {
  const where = `${e.host}:${e.port}`;
  if (e.tcp !== 'connected') return `${where}: TCP ${e.tcp}${e.tcpCode ? ` (${e.tcpCode})` : ''}`;
  const detail = [e.tlsCode, e.issuer ? `issuer ${e.issuer}` : null].filter(Boolean).join(', ');
  return `${where}: TLS ${e.tls}${detail ? ` (${detail})` : ''}`;
}

/** An extension in words, with its vendor when the Team ID is known: "Zscaler Client Connector (Zscaler, team PCBCQZJ7S7)". */
export function describeExtension(e: SystemExtension): string {
  const v = vendorOf(e.teamId);
  return v ? `${e.name} — ${v.vendor} ${v.products} (team ${e.teamId})` : `${e.name} (${e.bundleId}, team ${e.teamId})`;
}

/** Network and security extensions that are on: the software that can filter or divert Zoom's traffic. */
export function activeFilters(facts: NetworkFacts): SystemExtension[] {
  return (facts.systemExtensions ?? []).filter((e) => e.category !== null && PATH_CATEGORIES.has(e.category) && e.state === 'activated enabled');
}

/** Network and security extensions left half-way: waiting for the user's approval, for a restart, or activating. */
export function unsettledExtensions(facts: NetworkFacts): SystemExtension[] {
  return (facts.systemExtensions ?? []).filter((e) => e.category !== null && PATH_CATEGORIES.has(e.category) && !SETTLED_STATES.has(e.state));
}

/**
 * Everything in the path a Zoom failure may come from, in words: active network/security
 * extensions (vendor named by Team ID), connected VPN services, proxies and a PAC file.
 */
export function softwareInPath(facts: NetworkFacts): string[] {
  const out = activeFilters(facts).map(describeExtension);
  for (const v of facts.vpnServices ?? []) if (v.state === 'Connected') out.push(`VPN "${v.name}" (${v.kind}) connected`);
  for (const p of facts.proxy?.proxies ?? []) out.push(`${p.kind.toUpperCase()} proxy ${p.host}${p.port === null ? '' : `:${p.port}`}`);
  if (facts.proxy?.pacUrl) out.push(`proxy auto-configuration ${facts.proxy.pacUrl}`);
  return out;
}
