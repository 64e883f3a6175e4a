import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit/audit.js';
import { HttpError } from '../errors.js';

/** The credentials whose failed attempts are counted, each with its own counter per client address. */
export type CredentialKind = 'enroll-secret' | 'admin-token' | 'device-token';

/**
 * How many failed authentication attempts one client address may make. Counted per instance,
 * per credential kind, per address (an IPv6 address counts by its /64); successes are never
 * counted, so any number of Macs behind one NAT may enroll and connect. The window starts at an
 * address's first failure; once it holds `max` failures, every attempt of that kind from that
 * address is answered 429 (Retry-After: seconds until the window ends) without the credential
 * being looked at, until the window ends.
 */
export interface AuthFailureLimit {
  /** length of the counting window, which is also the longest block, s (default 600) */
  windowSeconds: number;
  /** failed enrollment secrets or API tokens allowed per window and address (default 30) */
  maxFailures: number;
  /**
   * failed device tokens allowed per window and address (default 1000). Device tokens are 256
   * random bits, beyond guessing; this only stops floods. It is high because a whole office
   * behind one NAT may come back with stale tokens (e.g. after a database restore): each agent
   * fails once, then re-enrolls.
   */
  maxDeviceFailures: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { windowSeconds: 600, maxFailures: 30, maxDeviceFailures: 1000 };

/**
 * Credential checks of one address and kind that may run at once; more wait their turn. Without
 * it a parallel burst would all pass `admit` before the first failure is counted (90 of 90
 * guesses checked, measured). 16 costs no throughput: an instance's database pool has 10
 * connections.
 */
export const CHECKS_IN_FLIGHT_PER_ADDRESS = 16;

/** Counts failed authentication attempts per client address and refuses addresses that made too many. */
export interface AuthFailureGuard {
  /**
   * Runs `check` (which looks the credential up and calls `fail` when it is wrong) once the
   * address may try a credential of `kind` (`admit`), with at most CHECKS_IN_FLIGHT_PER_ADDRESS
   * checks of that address and kind running at once: a burst of parallel guesses overshoots the
   * limit by fewer than that. Resolves or rejects as `check` does; 429 HttpError when blocked.
   */
  attempt<T>(kind: CredentialKind, request: FastifyRequest, reply: FastifyReply, check: () => Promise<T>): Promise<T>;
  /**
   * Resolves when the request's address may try a credential of `kind`. Otherwise sets
   * `Retry-After` (s) on `reply` and throws HttpError 429 `too-many-requests`, e.g. "too many
   * failed API token attempts from this address (30 in 600 s): try again in 412 s".
   */
  admit(kind: CredentialKind, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * Counts one failed attempt of `kind` from the request's address and logs it (warn; never the
   * credential). The attempt that fills the window is also written to the audit log
   * (`auth.blocked`, actor `system`, target `ip:<address>`). `reason` says what was wrong, e.g.
   * "unknown API token".
   */
  fail(kind: CredentialKind, request: FastifyRequest, reason: string): Promise<void>;
}

/** The credentials in words; `admin-token` is any API token (viewer, operator or admin). */
const LABELS: Record<CredentialKind, string> = { 'enroll-secret': 'enrollment secret', 'admin-token': 'API token', 'device-token': 'device token' };

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * An AuthFailureGuard on `@fastify/rate-limit` (which must be registered on `app`): one limiter
 * (its own in-memory store) per credential kind, keyed by the client address (`request.ip`,
 * which honours `trustProxy`). Throws on a limit that is not a positive whole number.
 */
export function createAuthFailureGuard(app: FastifyInstance, limit: AuthFailureLimit): AuthFailureGuard {
  for (const [key, value] of Object.entries(limit)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`auth failure limit: ${key} must be a whole number >= 1, got ${value}`);
  }
  const max = (kind: CredentialKind) => (kind === 'device-token' ? limit.maxDeviceFailures : limit.maxFailures);
  const limiters = Object.fromEntries((Object.keys(LABELS) as CredentialKind[]).map((kind) =>
    [kind, app.createRateLimit({ max: max(kind), timeWindow: limit.windowSeconds * 1000 })])) as Record<CredentialKind, Limiter>;

  const slots = new KeyedSlots(CHECKS_IN_FLIGHT_PER_ADDRESS);

  const guard: AuthFailureGuard = {
    async attempt(kind, request, reply, check) {
      const release = await slots.acquire(`${kind}|${normalizeIP(request.ip)}`);
      try {
        await guard.admit(kind, request, reply);
        return await check();
      } finally {
        release();
      }
    },

    async admit(kind, request, reply) {
      // A read: only failures increment the counter.
      const state = await limiters[kind](request, { increment: false });
      if (state.isAllowed || state.remaining > 0) return;
      request.log.debug({ credential: kind, address: state.key }, 'authentication refused: too many failures from this address');
      reply.header('retry-after', state.ttlInSeconds);
      throw new HttpError(429, 'too-many-requests',
        `too many failed ${LABELS[kind]} attempts from this address (${state.max} in ${limit.windowSeconds} s): try again in ${state.ttlInSeconds} s`);
    },

    async fail(kind, request, reason) {
      const state = await limiters[kind](request);
      if (state.isAllowed) return;
      const failures = state.max - state.remaining;
      request.log.warn({ credential: kind, address: state.key, failures, max: state.max, reason }, 'authentication failed');
      // remaining hits 0 exactly once per window without exceeding (increments are one at a time).
      if (state.remaining > 0 || state.isExceeded) return;
      request.log.warn({ credential: kind, address: state.key, blockedSeconds: state.ttlInSeconds }, 'too many failed authentications: address blocked');
      try {
        await audit(app.prisma, {
          actor: 'system', action: 'auth.blocked', target: `ip:${state.key}`,
          params: { credential: kind, failures: state.max, windowSeconds: limit.windowSeconds, blockedSeconds: state.ttlInSeconds },
        });
      } catch (err) {
        request.log.error({ err }, 'could not write the auth.blocked audit entry');
      }
    },
  };
  return guard;
}

/** At most `size` holders per key at once; the others wait in arrival order. Idle keys are forgotten. */
class KeyedSlots {
  private readonly keys = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(private readonly size: number) {}

  /** Resolves with the function that gives the slot back (call it exactly once). */
  async acquire(key: string): Promise<() => void> {
    let entry = this.keys.get(key);
    if (!entry) this.keys.set(key, (entry = { active: 0, waiting: [] }));
    if (entry.active < this.size) entry.active++;
    else await new Promise<void>((resolve) => entry.waiting.push(resolve));
    const held = entry;
    return () => {
      const next = held.waiting.shift();
      if (next) return next(); // the slot passes on: active stays
      if (--held.active === 0) this.keys.delete(key);
    };
  }
}
