import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import net from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import type { ConnectAnswer, LookupAnswer, NodeError, Prober, ProbeTarget, TlsAttempt } from './answers.js';

/** `dns.lookup` with `all: true`, injectable so tests resolve names without asking a resolver outside this machine. */
export type LookupFn = (host: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: LookupFn = (host, callback) => dnsLookup(host, { all: true }, callback);

/**
 * getaddrinfo runs on libuv's thread pool (4 threads by default), shared with file reads; a lookup
 * on a dead link can hold its thread for tens of seconds after our deadline gives up on it. At most
 * this many lookups run at once, abandoned ones included, so the outbox and the other sections keep
 * threads to read and write with.
 */
export const MAX_LOOKUPS_IN_FLIGHT = 2;

export interface RealProberOptions {
  lookup?: LookupFn;
  /** PEM roots installed on this Mac (System keychain): a chain only they validate is TLS inspection. */
  localRoots?: readonly string[];
  /** The public roots; default the ones Node ships (tls.rootCertificates). Tests pass their own. */
  publicRoots?: readonly string[];
}

/** Probes with Node's own resolver and sockets. Every answer arrives within its `timeoutMs`. */
export class RealProber implements Prober {
  private readonly lookupFn: LookupFn;
  private readonly localRoots: readonly string[];
  private readonly publicRoots: readonly string[];
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: RealProberOptions = {}) {
    this.lookupFn = opts.lookup ?? systemLookup;
    this.localRoots = opts.localRoots ?? [];
    this.publicRoots = opts.publicRoots ?? tls.rootCertificates;
  }

  async lookup(target: ProbeTarget, timeoutMs: number): Promise<LookupAnswer> {
    return withDeadline<LookupAnswer>(timeoutMs, (settle) => {
      void this.slot().then((release) => {
        this.lookupFn(target.host, (error, addresses) => {
          release();
          settle(error ? { error: nodeError(error) } : { addresses: addresses.map((a) => ({ address: a.address, family: a.family })) });
        });
      });
    });
  }

  async connect(target: ProbeTarget & { port: number; address: string }, opts: { tls: boolean; timeoutMs: number }): Promise<ConnectAnswer> {
    const started = performance.now();
    const left = () => Math.max(1, opts.timeoutMs - (performance.now() - started));
    const tcp = await tcpConnect(target.address, target.port, left());
    if (!('connected' in tcp) || !opts.tls) return { tcp };
    const servername = net.isIP(target.host) ? undefined : target.host;
    const publicRoots = await tlsHandshake(target.address, target.port, servername, this.publicRoots, left());
    const unknownRoot = 'authorized' in publicRoots && !publicRoots.authorized && this.localRoots.length > 0;
    if (!unknownRoot) return { tcp, publicRoots };
    const localRoots = await tlsHandshake(target.address, target.port, servername, [...this.publicRoots, ...this.localRoots], left());
    return { tcp, publicRoots, localRoots };
  }

  /** Waits for a lookup slot; the returned function frees it (once the lookup's callback ran). */
  private slot(): Promise<() => void> {
    const take = (): (() => void) => {
      this.inFlight += 1;
      let freed = false;
      return () => {
        if (freed) return;
        freed = true;
        this.inFlight -= 1;
        this.waiting.shift()?.();
      };
    };
    if (this.inFlight < MAX_LOOKUPS_IN_FLIGHT) return Promise.resolve(take());
    return new Promise((resolve) => this.waiting.push(() => resolve(take())));
  }
}

function tcpConnect(address: string, port: number, timeoutMs: number): Promise<ConnectAnswer['tcp']> {
  return withDeadline<ConnectAnswer['tcp']>(timeoutMs, (settle, onTimeout) => {
    const socket = net.connect({ host: address, port });
    onTimeout(() => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      settle({ connected: true });
    });
    socket.once('error', (error) => settle({ error: nodeError(error) }));
  });
}

function tlsHandshake(address: string, port: number, servername: string | undefined, ca: readonly string[], timeoutMs: number): Promise<TlsAttempt> {
  return withDeadline<TlsAttempt>(timeoutMs, (settle, onTimeout) => {
    const socket = tls.connect({ host: address, port, servername, ca: [...ca], rejectUnauthorized: false });
    onTimeout(() => socket.destroy());
    socket.once('secureConnect', () => {
      const issuer = topIssuer(socket.getPeerCertificate(true));
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : null;
      socket.destroy();
      settle({ authorized: socket.authorized, authorizationError, issuer });
    });
    socket.once('error', (error) => settle({ error: nodeError(error) }));
  });
}

/** Issuer (CN, else O) of the topmost certificate in the chain the server sent: the root that signs it. */
export function topIssuer(leaf: PeerCertificate | undefined): string | null {
  if (!leaf || !leaf.issuer) return null;
  let cert = leaf as tls.DetailedPeerCertificate;
  for (let depth = 0; depth < 16 && cert.issuerCertificate && cert.issuerCertificate !== cert; depth += 1) cert = cert.issuerCertificate;
  return pick(cert.issuer?.CN) ?? pick(cert.issuer?.O) ?? null;
}

function pick(v: string | string[] | undefined): string | null {
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

function nodeError(error: unknown): NodeError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return { code: typeof code === 'string' && code !== '' ? code : 'UNKNOWN' };
}

/**
 * Runs `start` and settles with its first answer, or `{ timedOut: true }` after `timeoutMs`
 * (then the `onTimeout` cleanup runs, e.g. destroying the socket).
 */
function withDeadline<T>(timeoutMs: number, start: (settle: (v: T) => void, onTimeout: (cleanup: () => void) => void) => void): Promise<T | { timedOut: true }> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = () => {};
    const settle = (v: T | { timedOut: true }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => {
      cleanup();
      settle({ timedOut: true });
    }, timeoutMs);
    start(settle, (c) => {
      cleanup = c;
    });
  });
}
