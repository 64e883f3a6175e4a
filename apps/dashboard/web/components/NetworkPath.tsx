import { describeDns, describeEndpoint, describeExtension, serverReach, zoomFailures } from '@fleetmedic/diagnosis';
import type { NetworkFacts } from '@fleetmedic/protocol';

/** The path to Zoom in words: online or not, what failed on the way to Zoom, and the software in between. */
export function NetworkPath({ net }: { net: NetworkFacts }) {
  const server = serverReach(net.server);
  const failed = zoomFailures(net.zoom);
  const zoomOk = failed.dns.length === 0 && failed.endpoints.length === 0;
  const offline = server === 'unreachable' && !zoomOk;
  const inspected = net.zoom.endpoints.filter((e) => e.tls === 'inspected');
  return (
    <>
      <dl class="facts">
        <div><dt>Connectivity</dt><dd class={offline ? 'warn-text' : undefined}>
          {offline ? 'Offline: neither Zoom nor the FleetMedic server could be reached (no network at all)' : server === 'unreachable' ? 'The FleetMedic server could not be reached' : server === 'reachable' ? 'Online' : 'The FleetMedic server was not probed'}
        </dd></div>
        <div><dt>Zoom</dt><dd class={!zoomOk && !offline ? 'bad' : undefined}>
          {zoomOk ? `Reachable (${[...net.zoom.dns.map((d) => d.host), ...net.zoom.endpoints.map((e) => `${e.host}:${e.port}`)].join(', ')})` : [...failed.dns.map(describeDns), ...failed.endpoints.map(describeEndpoint)].join('; ')}
        </dd></div>
        {inspected.length > 0 && <div><dt>TLS inspection</dt><dd class="warn-text">{inspected.map((e) => `${e.host}:${e.port} by "${e.issuer ?? 'unknown issuer'}"`).join('; ')}</dd></div>}
        <div><dt>Proxy</dt><dd>{net.proxy === null ? <span class="bad">could not be read</span> : proxyWords(net.proxy)}</dd></div>
        <div><dt>VPN services</dt><dd>{net.vpnServices === null ? <span class="bad">could not be read</span> : net.vpnServices.length === 0 ? 'none' : net.vpnServices.map((v) => `${v.name} (${v.state})`).join(', ')}</dd></div>
      </dl>
      {net.systemExtensions === null ? (
        <p class="bad">The system extensions could not be read (systemextensionsctl list failed).</p>
      ) : net.systemExtensions.length === 0 ? (
        <p>No system extension.</p>
      ) : (
        <div class="table-wrap">
          <table class="stack">
            <caption class="sr-only">System extensions</caption>
            <thead><tr><th scope="col">Extension</th><th scope="col">Category</th><th scope="col">State</th></tr></thead>
            <tbody>
              {net.systemExtensions.map((e, i) => (
                <tr key={i} class={e.state === 'activated enabled' || e.state === 'activated disabled' ? undefined : 'row-bad'}>
                  <td data-label="Extension">{describeExtension(e)} <span class="muted mono">{e.version ?? ''}</span></td>
                  <td data-label="Category">{e.category ?? '?'}</td>
                  <td data-label="State">{e.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function proxyWords(p: NonNullable<NetworkFacts['proxy']>): string {
  const parts = p.proxies.map((x) => `${x.kind.toUpperCase()} ${x.host}${x.port === null ? '' : `:${x.port}`}`);
  if (p.pacUrl) parts.push(`PAC ${p.pacUrl}`);
  if (p.autoDiscovery) parts.push('auto-discovery (WPAD)');
  return parts.length === 0 ? 'none' : parts.join(', ');
}
