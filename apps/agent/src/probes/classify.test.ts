import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readExtraCapture } from '@fleetmedic/macos/testing';
import { describe, expect, it } from 'vitest';
import { classifyConnect, classifyLookup, isSinkhole } from './classify.js';
import { ReplayProber } from './replay.js';

/** Node's code as a real log prints it: `code: 'SELF_SIGNED_CERT_IN_CHAIN'`, or `getaddrinfo ENOTFOUND`. */
function codeIn(capture: string): string {
  const text = readExtraCapture(capture);
  const m = /code: '([A-Z_]+)'/.exec(text) ?? /getaddrinfo ([A-Z_]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no Node error code in ${capture}`);
  return m[1];
}

describe("Node's real answers (recorded-macs/extra-captures/node-*.txt)", () => {
  it.each([
    ['node-dns-enotfound-osx-offline.txt', 'not-found'],
    ['node-dns-enotfound-errno-3008-macos12.txt', 'not-found'],
  ])('%s -> %s', (capture, verdict) => {
    expect(classifyLookup('zoom.us', { error: { code: codeIn(capture) } }, true)).toMatchObject({ verdict, code: 'ENOTFOUND' });
  });

  it('a Zscaler chain (SELF_SIGNED_CERT_IN_CHAIN) is inspection when a local root validates it, untrusted otherwise', () => {
    const code = codeIn('node-tls-self-signed-cert-in-chain-zscaler.txt');
    const publicRoots = { authorized: false, authorizationError: code, issuer: 'Zscaler Root CA' };
    expect(classifyConnect('zoom.us', 443, { tcp: { connected: true }, publicRoots, localRoots: { authorized: true, authorizationError: null, issuer: 'Zscaler Root CA' } }))
      .toEqual({ host: 'zoom.us', port: 443, tcp: 'connected', tcpCode: null, tls: 'inspected', tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'Zscaler Root CA' });
    expect(classifyConnect('zoom.us', 443, { tcp: { connected: true }, publicRoots })).toMatchObject({ tls: 'untrusted', tlsCode: code });
  });

  it('"unable to get local issuer certificate" is the same inspection seen without the root in the chain', () => {
    expect(readExtraCapture('node-tls-unable-to-get-local-issuer-zscaler.txt')).toContain('unable to get local issuer certificate');
    const answer = { tcp: { connected: true as const }, publicRoots: { authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', issuer: 'Zscaler Intermediate Root CA' }, localRoots: { authorized: true, authorizationError: null, issuer: 'Zscaler Intermediate Root CA' } };
    expect(classifyConnect('zoom.us', 443, answer)).toMatchObject({ tls: 'inspected', issuer: 'Zscaler Intermediate Root CA' });
  });
});

describe('classification', () => {
  it('sinkhole answers: 0.0.0.0, 127.0.0.0/8, :: and ::1 — never a routable address', () => {
    expect(['0.0.0.0', '127.0.0.1', '127.1.2.3', '::', '::1'].every(isSinkhole)).toBe(true);
    expect(['170.114.52.2', '10.0.0.1', '2001:db8::1', '128.0.0.1'].some(isSinkhole)).toBe(false);
    expect(classifyLookup('zoom.us', { addresses: [{ address: '0.0.0.0', family: 4 }, { address: '170.114.52.2', family: 4 }] }, true).verdict).toBe('resolved');
  });

  it('TCP and TLS codes: expired, name mismatch, reset, unreachable, an unknown code', () => {
    const tls = (authorizationError: string) => classifyConnect('h', 443, { tcp: { connected: true }, publicRoots: { authorized: false, authorizationError, issuer: null } }).tls;
    expect(tls('CERT_HAS_EXPIRED')).toBe('expired');
    expect(tls('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('name-mismatch');
    expect(classifyConnect('h', 443, { tcp: { error: { code: 'EHOSTUNREACH' } } })).toMatchObject({ tcp: 'unreachable', tls: 'not-tried' });
    expect(classifyConnect('h', 443, { tcp: { error: { code: 'ECONNRESET' } } }).tcp).toBe('reset');
    expect(classifyConnect('h', 443, { tcp: { error: { code: 'EWHATEVER' } } })).toMatchObject({ tcp: 'error', tcpCode: 'EWHATEVER' });
  });
});

describe('ReplayProber', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-net-'));
  mkdirSync(path.join(dir, 'net/dns'), { recursive: true });
  mkdirSync(path.join(dir, 'net/connect'), { recursive: true });
  writeFileSync(path.join(dir, 'net/dns/zoom.us.json'), '{"addresses":[{"address":"0.0.0.0","family":4}]}');
  writeFileSync(path.join(dir, 'net/dns/server.json'), '{"error":{"code":"ENOTFOUND"}}');
  writeFileSync(path.join(dir, 'net/connect/zoom.us-443.json'), '{"tcp":{"connected":true},"publicRoots":{"authorized":true,"authorizationError":null,"issuer":"DigiCert Global Root G2"}}');
  writeFileSync(path.join(dir, 'net/connect/server.json'), 'null');
  writeFileSync(path.join(dir, 'net/dns/zoom.com.json'), '{"addresses":"0.0.0.0"}');
  const replay = new ReplayProber(dir);

  it('answers from net/dns and net/connect; the server by role, whatever its name', async () => {
    expect(await replay.lookup({ role: 'zoom', host: 'zoom.us' })).toEqual({ addresses: [{ address: '0.0.0.0', family: 4 }] });
    expect(await replay.lookup({ role: 'server', host: 'fleet.example.com' })).toEqual({ error: { code: 'ENOTFOUND' } });
    expect(classifyConnect('zoom.us', 443, await replay.connect({ role: 'zoom', host: 'zoom.us', port: 443 }))).toMatchObject({ tls: 'valid', issuer: 'DigiCert Global Root G2' });
  });

  it('a missing or malformed file is "not recorded", never an answer', async () => {
    expect(await replay.lookup({ role: 'zoom', host: 'absent.zoom.us' })).toEqual({ notRecorded: 'no net/dns/absent.zoom.us.json' });
    expect(await replay.lookup({ role: 'zoom', host: 'zoom.com' })).toEqual({ notRecorded: 'net/dns/zoom.com.json: not a lookup answer' });
    expect(await replay.connect({ role: 'server', host: 'x', port: 1 })).toEqual({ tcp: { notRecorded: 'net/connect/server.json: not a JSON object' } });
    expect(await replay.lookup({ role: 'zoom', host: '../../etc/passwd' })).toMatchObject({ notRecorded: expect.stringMatching(/not a recording name/) });
  });
});
