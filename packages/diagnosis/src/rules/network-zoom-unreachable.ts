import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { describeDns, describeEndpoint, serverReach, softwareInPath, zoomFailures } from '../network-path.js';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `network.zoom-unreachable`: a Zoom probe failed (DNS not resolved or a sinkhole, TCP not
 * connected, TLS neither valid nor inspected) while the FleetMedic server was reachable. Key
 * `network.zoom-unreachable:zoom`. The server unreachable too is "no network at all": no finding.
 * Zoom failing with the server not probed, or a probe not recorded, cannot be judged.
 */
export const networkZoomUnreachable: Rule = {
  ...catalogHeader('network.zoom-unreachable'),
  sections: ['network'],
  evaluate(snapshot: Snapshot): Finding[] {
    const net = sectionData(snapshot, 'network');
    if (!net) return [];
    const failed = zoomFailures(net.zoom);
    if (failed.dns.length === 0 && failed.endpoints.length === 0) return [];
    if ([...failed.dns.map((d) => d.code), ...failed.endpoints.map((e) => e.tcpCode ?? e.tlsCode)].includes('NOT_RECORDED')) {
      throw new CannotJudge('network', 'a Zoom probe was not recorded');
    }
    const server = serverReach(net.server);
    if (server === 'unreachable') return [];
    if (server === 'not-probed') throw new CannotJudge('network', 'Zoom could not be reached and the FleetMedic server was not probed: no network at all cannot be ruled out');
    const causes = softwareInPath(net);
    const evidence = [
      ...failed.dns.map((d) => ({ section: 'network', detail: describeDns(d), value: d })),
      ...failed.endpoints.map((e) => ({ section: 'network', detail: describeEndpoint(e), value: e })),
      { section: 'network', detail: 'The FleetMedic server was reachable: the network works, Zoom is blocked.' },
      ...(causes.length > 0 ? [{ section: 'network', detail: `In the path (likely cause): ${causes.join('; ')}.`, value: causes }] : []),
    ];
    const summary = causes.length > 0
      ? `Add Zoom (*.zoom.us, *.zoom.com) to the allowed list in the software in the path: ${causes.join('; ')}. Then check again.`
      : 'Check the DNS filter, firewall or web gateway this Mac uses on its network: allow *.zoom.us and *.zoom.com on TCP 443 (and Zoom\'s media ports).';
    return [makeFinding('network.zoom-unreachable', 'zoom', evidence, { summary })];
  },
};
