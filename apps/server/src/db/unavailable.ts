import { Prisma } from '../generated/prisma/client.js';

/**
 * Seconds a client is told to wait before trying again while the database is unreachable: the
 * HTTP Retry-After and the agent's `retryAfterSeconds`. Postgres restarted by an operator or a
 * failover is back in seconds; agents add their own backoff and jitter on top.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Prisma's codes for "the database cannot be reached" (prisma.io/docs/orm/reference/error-reference):
 * P1001 can't reach the server, P1002 timed out, P1008 operation timed out, P1017 the server
 * closed the connection, P2024 timed out waiting for a pool connection.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) that mean the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * SQLSTATEs of a server going away or not yet back (postgresql.org/docs/15/errcodes-appendix.html):
 * class 08 connection exceptions, 53300 too_many_connections, 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down).
 */
const SQLSTATE = /^(08\d{3}|53300|57P0[123])$/;
/** Node's socket errors (a raw `pg` client), and what `pg` and PGlite say when their connection ended. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const GONE_TEXT = /Connection terminated|timeout exceeded when trying to connect|PGlite is clos(ed|ing)|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True when `err` says the database is unreachable (down, restarting, out of connections), not
 * that the query or data was wrong: a Prisma error (codes above, or a driver adapter error whose
 * kind or SQLSTATE says so), a `pg` error, or a Node socket error, looked for through `cause`
 * chains. Such a failure is worth retrying later; anything else is a bug or bad input.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Prisma.PrismaClientInitializationError) return true;
    const { code, message, meta } = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } };
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
    const adapter = meta?.driverAdapterError?.cause;
    if (adapter && (ADAPTER_KINDS.has(adapter.kind ?? '') || SQLSTATE.test(adapter.originalCode ?? ''))) return true;
    if (typeof message === 'string' && GONE_TEXT.test(message)) return true;
    if ((e as { kind?: unknown }).kind !== undefined && ADAPTER_KINDS.has(String((e as { kind: unknown }).kind))) return true;
  }
  return false;
}
