import { EnrollError } from '../transport/enroll.js';

// Why enrollment has its own, longer pause: after 30 wrong enrollment secrets
// (FLEETMEDIC_AUTH_MAX_FAILURES) the server answers wrong ones from that address with 429 for its
// failure window (10 min), and every Mac of an office behind one NAT shares that address (the
// right secret still enrolls). One misconfigured Mac retrying at the connection's backoff (at most
// 60 s) would spend the budget in half an hour and keep the block up, and the audit log noisy;
// once an hour it never does.

/** Pause after the server refused the enrollment secret (HTTP 401 or 403), ms: one hour. */
export const SECRET_REFUSED_PAUSE_MS = 60 * 60_000;
/** Pause after a 429 without a usable Retry-After, ms: the server's default failure window. */
const RATE_LIMITED_PAUSE_MS = 10 * 60_000;
/** Longest pause taken from a server's Retry-After, ms: a day, so a wrong header cannot park the agent for good. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;
/** Jitter added after a Retry-After, at most, ms: Macs blocked together do not all come back in the same second. */
const MAX_RETRY_AFTER_JITTER_MS = 60_000;

/** How long to wait before the next enrollment attempt (ms), and why, in words for the log. */
export interface EnrollPause {
  ms: number;
  reason: string;
}

/**
 * The pause an enrollment failure calls for, or null when the connection's ordinary backoff fits
 * (no answer, a server error, a malformed answer):
 * - 401/403 (wrong or revoked secret): `refusedPauseMs` (default 1 h) ±25% jitter;
 * - 429 (this address is blocked): the server's Retry-After (capped at a day; 10 min when it sent
 *   none) plus up to 10% of it (at most 60 s) of jitter, never less than it asked.
 * `random` returns [0, 1) (Math.random; a test passes its own).
 */
export function enrollPause(error: unknown, refusedPauseMs = SECRET_REFUSED_PAUSE_MS, random: () => number = Math.random): EnrollPause | null {
  if (!(error instanceof EnrollError)) return null;
  const { status } = error;
  if (status === 401 || status === 403) {
    const ms = Math.round(refusedPauseMs * (0.75 + random() * 0.5));
    return {
      ms,
      reason: `the server refused the enrollment secret (HTTP ${status}): check the secret given to the agent. Next enrollment attempt in ${minutes(ms)}, not sooner: ` +
        'repeated wrong secrets would get this network address blocked for every Mac behind it. Restart the agent to try again at once.',
    };
  }
  if (status === 429) {
    const asked = Math.min(error.retryAfterMs ?? RATE_LIMITED_PAUSE_MS, MAX_RETRY_AFTER_MS);
    const ms = asked + Math.round(random() * Math.min(asked * 0.1, MAX_RETRY_AFTER_JITTER_MS));
    const said = error.retryAfterMs === null ? 'it sent no Retry-After' : `Retry-After ${Math.round(error.retryAfterMs / 1000)} s`;
    return {
      ms,
      reason: `the server is refusing enrollments from this network address for now (HTTP 429: too many wrong secrets from it; ${said}). ` +
        `Next enrollment attempt in ${minutes(ms)}.`,
    };
  }
  return null;
}

/** "59 min", or "45 s" under a minute. */
function minutes(ms: number): string {
  return ms < 60_000 ? `${Math.ceil(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
