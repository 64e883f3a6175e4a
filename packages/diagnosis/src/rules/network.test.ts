import { parseSystemExtensions } from '@fleetmedic/macos';
import { readExtraCapture, readFixture } from '@fleetmedic/macos/testing';
import { DEFAULT_POLICY, type NetworkFacts, type SystemExtension } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { diagnoseWithErrors } from '../diagnose.js';
import { CannotJudge } from '../rule.js';
import { buildSnapshot, healthyNetwork, networkSection } from '../testing/snapshots.js';
import { KNOWN_VENDORS } from '../vendors.js';
import { networkExtensionUnsettled } from './network-extension-unsettled.js';
import { networkTlsInspected } from './network-tls-inspected.js';
import { networkZoomUnreachable } from './network-zoom-unreachable.js';

const healthy = healthyNetwork();
const zoomWith = (over: Partial<NetworkFacts['zoom']>): NetworkFacts['zoom'] => ({ ...healthy.zoom, ...over });
/** Zscaler's Client Connector tunnel, as a network extension row (team id from Zscaler's own deployment guide). */
const zscaler: SystemExtension = { category: 'network_extension', enabled: true, active: true, teamId: 'PCBCQZJ7S7', bundleId: 'com.zscaler.zscaler.TRPTunnel', version: '4.5/4.5', name: 'ZscalerTunnel', state: 'activated enabled' };
const sinkholed = zoomWith({
  dns: [{ host: 'zoom.us', verdict: 'sinkhole', code: null, sinkholeAddress: '0.0.0.0' }, healthy.zoom.dns[1]!],
  endpoints: [{ host: 'zoom.us', port: 443, tcp: 'dns-failed', tcpCode: null, tls: 'not-tried', tlsCode: null, issuer: null }],
});
const offlineServer: NetworkFacts['server'] = {
  dns: [{ host: 'fleet.example.com', verdict: 'not-found', code: 'ENOTFOUND', sinkholeAddress: null }],
  endpoints: [{ host: 'fleet.example.com', port: 443, tcp: 'dns-failed', tcpCode: null, tls: 'not-tried', tlsCode: null, issuer: null }],
};
const run = (facts: Partial<NetworkFacts>) => diagnoseWithErrors(buildSnapshot({ network: networkSection(facts) }), DEFAULT_POLICY);

describe('network.zoom-unreachable', () => {
  it('a sinkholed zoom.us with the server reachable is critical, naming the filter in the path and the remedy', () => {
    const [f] = networkZoomUnreachable.evaluate(buildSnapshot({ network: networkSection({ zoom: sinkholed, systemExtensions: [zscaler] }) }), DEFAULT_POLICY);
    expect(f).toMatchObject({ id: 'network.zoom-unreachable', key: 'network.zoom-unreachable:zoom', severity: 'critical' });
    expect(f!.evidence.map((e) => e.detail)).toEqual([
      'zoom.us resolves to 0.0.0.0 (a filter\'s "blocked" answer)',
      'zoom.us:443: TCP dns-failed',
      'The FleetMedic server was reachable: the network works, Zoom is blocked.',
      'In the path (likely cause): ZscalerTunnel — Zscaler Zscaler Client Connector (team PCBCQZJ7S7).',
    ]);
    expect(f!.remedy.summary).toMatch(/^Add Zoom \(\*\.zoom\.us, \*\.zoom\.com\) to the allowed list in the software in the path: ZscalerTunnel — Zscaler/);
  });

  it('no network at all (the server fails too) is no finding, and the section is not unknown', () => {
    const d = run({ zoom: sinkholed, server: offlineServer });
    expect(d.findings.filter((f) => f.id.startsWith('network.'))).toEqual([]);
    expect(d.unknown).not.toContain('network');
  });

  it('a proxy alone is a fact, not a problem; a refused connect and an untrusted chain are failures', () => {
    expect(run({ proxy: { proxies: [{ kind: 'http', host: '127.0.0.1', port: 8118 }], pacUrl: null, autoDiscovery: false, exceptions: [] } }).findings).toEqual([]);
    const refused = zoomWith({ endpoints: [{ host: 'zoom.us', port: 443, tcp: 'refused', tcpCode: 'ECONNREFUSED', tls: 'not-tried', tlsCode: null, issuer: null }] });
    expect(networkZoomUnreachable.evaluate(buildSnapshot({ network: networkSection({ zoom: refused }) }), DEFAULT_POLICY)[0]!.evidence[0]!.detail).toBe('zoom.us:443: TCP refused (ECONNREFUSED)');
    const untrusted = zoomWith({ endpoints: [{ host: 'zoom.us', port: 443, tcp: 'connected', tcpCode: null, tls: 'untrusted', tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'Corp Root' }] });
    expect(networkZoomUnreachable.evaluate(buildSnapshot({ network: networkSection({ zoom: untrusted }) }), DEFAULT_POLICY)).toHaveLength(1);
  });

  it('cannot judge a failure when the server was not probed or a probe was not recorded', () => {
    const snap = buildSnapshot({ network: networkSection({ zoom: sinkholed, server: { dns: [], endpoints: [] } }) });
    expect(() => networkZoomUnreachable.evaluate(snap, DEFAULT_POLICY)).toThrow(CannotJudge);
    const notRecorded = zoomWith({ dns: [{ host: 'zoom.us', verdict: 'error', code: 'NOT_RECORDED', sinkholeAddress: null }] });
    expect(() => networkZoomUnreachable.evaluate(buildSnapshot({ network: networkSection({ zoom: notRecorded }) }), DEFAULT_POLICY)).toThrow(/not recorded/);
  });
});

describe('network.tls-inspected', () => {
  it('one warning per issuer, naming the active security software', () => {
    const inspected = zoomWith({ endpoints: [{ host: 'zoom.us', port: 443, tcp: 'connected', tcpCode: null, tls: 'inspected', tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'Zscaler Root CA' }] });
    const d = run({ zoom: inspected, systemExtensions: [zscaler] });
    expect(d.findings.map((f) => [f.key, f.severity])).toEqual([['network.tls-inspected:Zscaler Root CA', 'warning']]);
    expect(d.findings[0]!.remedy.summary).toBe('Exempt Zoom\'s domains (*.zoom.us, *.zoom.com) from TLS inspection in the product that issues "Zscaler Root CA" (likely ZscalerTunnel — Zscaler Zscaler Client Connector (team PCBCQZJ7S7)).');
  });
});

describe('network.extension-unsettled', () => {
  it('waiting for user (v2RayTun capture) and waiting to uninstall on reboot (LuLu capture) are warnings; enabled, disabled and camera extensions are not', () => {
    const rows: SystemExtension[] = [
      { category: 'network_extension', enabled: false, active: true, teamId: '2XZUN9L63Z', bundleId: 'com.databridges.privacy.v2RayTun.snextension', version: '2.2/19', name: 'snextension', state: 'activated waiting for user' },
      { category: 'network_extension', enabled: false, active: false, teamId: 'VBG97UB4TA', bundleId: 'com.objective-see.lulu.extension', version: '2.4.0/2.4.0', name: 'Extension', state: 'terminated waiting to uninstall on reboot' },
      { category: 'network_extension', enabled: true, active: true, teamId: 'VBG97UB4TA', bundleId: 'com.objective-see.lulu.extension', version: '2.4.2/2.4.2', name: 'Extension', state: 'activated enabled' },
      { category: 'camera_extension', enabled: false, active: true, teamId: '2MMRE5MTB8', bundleId: 'com.obsproject.obs-studio.mac-camera-extension', version: '30.1.2', name: 'OBS', state: 'activated waiting for user' },
    ];
    const found = networkExtensionUnsettled.evaluate(buildSnapshot({ network: networkSection({ systemExtensions: rows }) }), DEFAULT_POLICY);
    expect(found.map((f) => [f.key, f.severity])).toEqual([
      ['network.extension-unsettled:com.databridges.privacy.v2RayTun.snextension 2.2/19', 'warning'],
      ['network.extension-unsettled:restart', 'warning'],
    ]);
    expect(found[0]!.remedy.summary).toMatch(/^Approve "snextension" under System Settings > General > Login Items & Extensions/);
    expect(found[1]!.remedy.summary).toBe('Restart the Mac to finish removing "Extension" 2.4.0/2.4.0.');
  });

  it('extensions waiting for a restart are one finding (one restart settles them), one line each', () => {
    // The real rows of two captures: LuLu's old version and CrowdStrike Falcon, both "terminated waiting to uninstall on reboot".
    const rows = (file: string, read: (f: string) => string) => {
      const r = parseSystemExtensions(read(file));
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    const lulu = rows('sysext/sysextctl-list-lulu-two-versions-tabs-lost-blog.txt', readFixture);
    const falcon = rows('sysextctl-list-ramen-crowdstrike-terminated.txt', readExtraCapture);
    const found = networkExtensionUnsettled.evaluate(buildSnapshot({ network: networkSection({ systemExtensions: [...lulu, ...falcon] }) }), DEFAULT_POLICY);
    expect(found.map((f) => [f.key, f.evidence.length])).toEqual([['network.extension-unsettled:restart', 2]]);
    expect(found[0]!.evidence.map((e) => (e.value as SystemExtension).bundleId)).toEqual(['com.objective-see.lulu.extension', 'com.crowdstrike.falcon.Agent']);
    expect(found[0]!.remedy.summary).toBe('Restart the Mac to finish removing "Extension" 2.4.0/2.4.0, "Falcon Sensor" 7.30/202.02.');
  });

  it('an unread extension list cannot be judged', () => {
    expect(() => networkExtensionUnsettled.evaluate(buildSnapshot({ network: networkSection({ systemExtensions: null }) }), DEFAULT_POLICY)).toThrow(CannotJudge);
  });
});

describe('KNOWN_VENDORS', () => {
  it('every entry is a ten-character Team ID, once, with a source', () => {
    for (const v of KNOWN_VENDORS) {
      expect(v.teamId).toMatch(/^[A-Z0-9]{10}$/);
      expect(v.source.length).toBeGreaterThan(20);
    }
    expect(new Set(KNOWN_VENDORS.map((v) => v.teamId)).size).toBe(KNOWN_VENDORS.length);
  });
});
