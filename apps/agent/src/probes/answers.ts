/**
 * What the network answered to one probe, as Node reported it: the shape a real probe produces
 * and the shape a recorded Mac keeps in `net/` (docs/recorded-mac.md). Verdicts are derived from
 * these by classify.ts, the same code for a real Mac and a replayed one.
 */

/** Node's error, reduced to what classification reads. `code` e.g. ENOTFOUND, ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN. */
export interface NodeError {
  code: string;
}

/** Why there is no answer: the probe's own deadline passed, or a recorded Mac lacks the file. */
export type NoAnswer = { timedOut: true } | { notRecorded: string };

/** `dns.lookup(host, { all: true })`: the addresses, or Node's error. */
export type LookupAnswer = { addresses: { address: string; family: number }[] } | { error: NodeError } | NoAnswer;

/**
 * One TLS handshake with `rejectUnauthorized: false`: whether the chain validated against the
 * roots given (`authorizationError` is Node's code when not), and the issuer of the topmost
 * certificate the server sent. `error`: the handshake itself failed.
 */
export type TlsAttempt = { authorized: boolean; authorizationError: string | null; issuer: string | null } | { error: NodeError } | NoAnswer;

/**
 * TCP connect, then (when asked) TLS against Node's public roots (`publicRoots`) and, when that
 * chain did not validate and this Mac has locally installed roots, again with them (`localRoots`).
 */
export interface ConnectAnswer {
  tcp: { connected: true } | { error: NodeError } | NoAnswer;
  publicRoots?: TlsAttempt;
  localRoots?: TlsAttempt;
}

/** One destination of a probe: Zoom's (judged for sinkholes and inspection) or the FleetMedic server's. */
export interface ProbeTarget {
  role: 'zoom' | 'server';
  host: string;
}

/**
 * How the agent reaches the network: Node's sockets on a real Mac, recorded answers on a recorded one.
 * Implementations never throw and never exceed `timeoutMs` (milliseconds).
 */
export interface Prober {
  lookup(target: ProbeTarget, timeoutMs: number): Promise<LookupAnswer>;
  /** `address`: the one DNS gave (connect by address so the name is not resolved twice); `tls`: also handshake. */
  connect(target: ProbeTarget & { port: number; address: string }, opts: { tls: boolean; timeoutMs: number }): Promise<ConnectAnswer>;
}
