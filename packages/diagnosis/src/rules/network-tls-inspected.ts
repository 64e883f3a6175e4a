import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { activeFilters, describeExtension } from '../network-path.js';
import { catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `network.tls-inspected`: a Zoom endpoint's chain validates only with a root installed on this
 * Mac. One finding per issuer (key `network.tls-inspected:<issuer>`), naming the active security
 * and network extensions as the likely inspector.
 */
export const networkTlsInspected: Rule = {
  ...catalogHeader('network.tls-inspected'),
  sections: ['network'],
  evaluate(snapshot: Snapshot): Finding[] {
    const net = sectionData(snapshot, 'network');
    if (!net) return [];
    const inspected = net.zoom.endpoints.filter((e) => e.tls === 'inspected');
    const issuers = [...new Set(inspected.map((e) => e.issuer ?? 'unknown issuer'))];
    const filters = activeFilters(net).map(describeExtension);
    return issuers.map((issuer) => {
      const endpoints = inspected.filter((e) => (e.issuer ?? 'unknown issuer') === issuer);
      const evidence = [
        ...endpoints.map((e) => ({ section: 'network', detail: `${e.host}:${e.port}: certificate chain issued by "${issuer}", valid only with a root installed on this Mac (${e.tlsCode ?? 'not a public root'})`, value: e })),
        ...(filters.length > 0 ? [{ section: 'network', detail: `Security or network software active: ${filters.join('; ')}.`, value: filters }] : []),
      ];
      return makeFinding('network.tls-inspected', issuer, evidence, {
        summary: `Exempt Zoom's domains (*.zoom.us, *.zoom.com) from TLS inspection in the product that issues "${issuer}"${filters.length > 0 ? ` (likely ${filters.join(' or ')})` : ''}.`,
      });
    });
  },
};
