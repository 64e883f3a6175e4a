import type { DnsProbe, DnsVerdict, EndpointProbe, TcpVerdict, TlsVerdict } from '@fleetmedic/protocol';
import type { ConnectAnswer, LookupAnswer, TlsAttempt } from './answers.js';

/**
 * Node's error codes by verdict. Sources: Node's dns docs ("Error codes": ENOTFOUND, ESERVFAIL,
 * ETIMEOUT, ...), getaddrinfo's EAI_AGAIN / EAI_FAIL as Node passes them on, Node's "Common system
 * errors" (ECONNREFUSED, ETIMEDOUT, ECONNRESET, EHOSTUNREACH) and tls docs (X509 codes); real answers
 * in recorded-macs/extra-captures/node-*.txt.
 */
const DNS_CODES: Record<string, DnsVerdict> = {
  ENOTFOUND: 'not-found',
  ENODATA: 'not-found',
  EAI_NONAME: 'not-found',
  EAI_AGAIN: 'server-failure',
  EAI_FAIL: 'server-failure',
  ESERVFAIL: 'server-failure',
  ECONNREFUSED: 'server-failure',
  ETIMEOUT: 'timeout',
};
const TCP_CODES: Record<string, TcpVerdict> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
};
/** Verdicts a root installed on this Mac can turn into `inspected`: the chain ends at a root Node does not ship. */
const UNKNOWN_ROOT_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT']);
const TLS_CODES: Record<string, TlsVerdict> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'name-mismatch',
};

/** Whether an address is a filter's "blocked" answer: 0.0.0.0, 127.0.0.0/8, :: or ::1. */
export function isSinkhole(address: string): boolean {
  return address === '0.0.0.0' || address.startsWith('127.') || address === '::' || address === '::1' || address.startsWith('::ffff:127.') || address === '::ffff:0.0.0.0';
}

/**
 * A lookup's verdict. `judgeSinkhole`: Zoom's names are never answered by a loopback address, so
 * such an answer is a sinkhole; the FleetMedic server may well run on this Mac (the demo), so not for it.
 */
export function classifyLookup(host: string, answer: LookupAnswer, judgeSinkhole: boolean): DnsProbe {
  if ('addresses' in answer) {
    const all = answer.addresses.map((a) => a.address);
    if (all.length === 0) return { host, verdict: 'not-found', code: 'ENODATA', sinkholeAddress: null };
    if (judgeSinkhole && all.every(isSinkhole)) return { host, verdict: 'sinkhole', code: null, sinkholeAddress: [...all].sort()[0] ?? null };
    return { host, verdict: 'resolved', code: null, sinkholeAddress: null };
  }
  if ('error' in answer) return { host, verdict: DNS_CODES[answer.error.code] ?? 'error', code: answer.error.code, sinkholeAddress: null };
  if ('timedOut' in answer) return { host, verdict: 'timeout', code: null, sinkholeAddress: null };
  return { host, verdict: 'error', code: 'NOT_RECORDED', sinkholeAddress: null };
}

/** An endpoint's TCP and TLS verdicts from what the connect answered. */
export function classifyConnect(host: string, port: number, answer: ConnectAnswer): EndpointProbe {
  const base = { host, port, tlsCode: null, issuer: null };
  const tcp = answer.tcp;
  if ('error' in tcp) return { ...base, tcp: TCP_CODES[tcp.error.code] ?? 'error', tcpCode: tcp.error.code, tls: 'not-tried' };
  if ('timedOut' in tcp) return { ...base, tcp: 'timeout', tcpCode: null, tls: 'not-tried' };
  if ('notRecorded' in tcp) return { ...base, tcp: 'error', tcpCode: 'NOT_RECORDED', tls: 'not-tried' };
  if (!answer.publicRoots) return { ...base, tcp: 'connected', tcpCode: null, tls: 'not-tried' };
  return { ...base, tcp: 'connected', tcpCode: null, ...classifyTls(answer.publicRoots, answer.localRoots) };
}

function classifyTls(pub: TlsAttempt, local: TlsAttempt | undefined): Pick<EndpointProbe, 'tls' | 'tlsCode' | 'issuer'> {
  if ('timedOut' in pub) return { tls: 'timeout', tlsCode: null, issuer: null };
  if ('notRecorded' in pub) return { tls: 'failed', tlsCode: 'NOT_RECORDED', issuer: null };
  if ('error' in pub) return { tls: 'failed', tlsCode: pub.error.code, issuer: null };
  if (pub.authorized) return { tls: 'valid', tlsCode: null, issuer: pub.issuer };
  const code = pub.authorizationError ?? 'UNKNOWN';
  const known = TLS_CODES[code];
  if (known) return { tls: known, tlsCode: code, issuer: pub.issuer };
  if (UNKNOWN_ROOT_CODES.has(code) && local && 'authorized' in local && local.authorized) return { tls: 'inspected', tlsCode: code, issuer: pub.issuer ?? local.issuer };
  return { tls: 'untrusted', tlsCode: code, issuer: pub.issuer };
}
