import type { AddressInfo } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../testing/test-pki.js';
import { probeReach } from './reach.js';
import { RealProber, type LookupFn } from './real.js';

/**
 * The real probe code against servers this test starts on 127.0.0.1. No name is ever sent to a
 * resolver: lookups go through a local table with Node's own error shapes, or /etc/hosts ("localhost").
 */
let pki: TestPki;
const servers: net.Server[] = [];
let tlsPort = 0;
let silentPort = 0;
let closedPort = 0;

const sockets = new Set<net.Socket>();
const listen = async (server: net.Server): Promise<number> => {
  servers.push(server);
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  pki = makeTestPki();
  // Sends the root with the chain, as inspection proxies do: Node says SELF_SIGNED_CERT_IN_CHAIN.
  tlsPort = await listen(tls.createServer({ key: pki.leafKeyPem, cert: `${pki.leafPem}${pki.rootPem}` }, (s) => s.end()));
  // Accepts the connection and never says a word: the TLS handshake can only time out.
  silentPort = await listen(net.createServer(() => {}));
  const closed = net.createServer();
  closedPort = await listen(closed);
  servers.pop();
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A resolver answering from a table, with the errors Node gives (ENOTFOUND for an unknown name). */
const tableLookup = (table: Record<string, string[] | { code: string } | 'never'>): LookupFn => (host, callback) => {
  const entry = table[host];
  if (entry === 'never') return;
  if (entry === undefined || !Array.isArray(entry)) {
    const code = entry === undefined ? 'ENOTFOUND' : entry.code;
    callback(Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, syscall: 'getaddrinfo', hostname: host }), []);
    return;
  }
  callback(null, entry.map((address) => ({ address, family: net.isIP(address) })));
};

const zoomPlan = (endpoints: { host: string; port: number }[], hosts: string[] = []) => ({ role: 'zoom' as const, hosts, endpoints, tls: true });

describe('TLS to a server whose chain ends at a test root', () => {
  it('is inspection when only a root installed on this Mac validates it, and names the issuer', async () => {
    const prober = new RealProber({ lookup: tableLookup({}), localRoots: [pki.rootPem] });
    const r = await probeReach(prober, zoomPlan([{ host: '127.0.0.1', port: tlsPort }]));
    expect(r.endpoints).toEqual([{ host: '127.0.0.1', port: tlsPort, tcp: 'connected', tcpCode: null, tls: 'inspected', tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'FleetMedic Test Inspection Root' }]);
  });

  it('is untrusted when no root on this Mac validates it', async () => {
    const r = await probeReach(new RealProber({ lookup: tableLookup({}) }), zoomPlan([{ host: '127.0.0.1', port: tlsPort }]));
    expect(r.endpoints[0]).toMatchObject({ tcp: 'connected', tls: 'untrusted', tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'FleetMedic Test Inspection Root' });
  });

  it('is valid when the public roots hold its root, and a name mismatch when the name is not in the certificate', async () => {
    const prober = new RealProber({ lookup: tableLookup({}), publicRoots: [pki.rootPem] });
    expect((await probeReach(prober, zoomPlan([{ host: '127.0.0.1', port: tlsPort }]))).endpoints[0]).toMatchObject({ tls: 'valid', tlsCode: null });
    const mismatch = await prober.connect({ role: 'zoom', host: 'other.test', port: tlsPort, address: '127.0.0.1' }, { tls: true, timeoutMs: 4_000 });
    expect(mismatch.publicRoots).toMatchObject({ authorized: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('TCP failures', () => {
  it('a closed port is refused, and TLS is not tried', async () => {
    const r = await probeReach(new RealProber({ lookup: tableLookup({}) }), zoomPlan([{ host: '127.0.0.1', port: closedPort }]));
    expect(r.endpoints).toEqual([{ host: '127.0.0.1', port: closedPort, tcp: 'refused', tcpCode: 'ECONNREFUSED', tls: 'not-tried', tlsCode: null, issuer: null }]);
  });

  it('a server that never answers the handshake gives a TLS timeout within the probe deadline', async () => {
    const r = await probeReach(new RealProber({ lookup: tableLookup({}) }), zoomPlan([{ host: '127.0.0.1', port: silentPort }]));
    expect(r.endpoints[0]).toMatchObject({ tcp: 'connected', tls: 'timeout' });
  }, 15_000);
});

describe('DNS through the resolver', () => {
  it('classifies a name that does not resolve, a server failure, a sinkhole and a resolver that never answers', async () => {
    const prober = new RealProber({
      lookup: tableLookup({ 'sinkholed.test': ['0.0.0.0'], 'failing.test': { code: 'EAI_AGAIN' }, 'silent.test': 'never', 'ok.test': ['127.0.0.1'] }),
    });
    const r = await probeReach(prober, zoomPlan([{ host: 'sinkholed.test', port: tlsPort }, { host: 'nowhere.invalid', port: 443 }], ['nowhere.invalid', 'failing.test', 'sinkholed.test', 'silent.test']));
    expect(r.dns).toEqual([
      { host: 'nowhere.invalid', verdict: 'not-found', code: 'ENOTFOUND', sinkholeAddress: null },
      { host: 'failing.test', verdict: 'server-failure', code: 'EAI_AGAIN', sinkholeAddress: null },
      { host: 'sinkholed.test', verdict: 'sinkhole', code: null, sinkholeAddress: '0.0.0.0' },
      { host: 'silent.test', verdict: 'timeout', code: null, sinkholeAddress: null },
    ]);
    // Neither the sinkhole nor the unknown name is connected to.
    expect(r.endpoints.map((e) => e.tcp)).toEqual(['dns-failed', 'dns-failed']);
  }, 15_000);

  it('a loopback answer for the FleetMedic server is an answer, not a sinkhole (system resolver, /etc/hosts)', async () => {
    const r = await probeReach(new RealProber(), { role: 'server', hosts: ['localhost'], endpoints: [{ host: 'localhost', port: tlsPort }], tls: false });
    expect(r.dns).toEqual([{ host: 'localhost', verdict: 'resolved', code: null, sinkholeAddress: null }]);
  });

  it('keeps at most two lookups in flight, abandoned ones included', async () => {
    const calls: string[] = [];
    const prober = new RealProber({ lookup: (host) => void calls.push(host) });
    await Promise.all(['a.test', 'b.test', 'c.test'].map((host) => prober.lookup({ role: 'zoom', host }, 50)));
    expect(calls).toEqual(['a.test', 'b.test']);
  });
});
