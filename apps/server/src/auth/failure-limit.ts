import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit/audit.js';
import { ServiceError } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { JobDb } from '../jobs/scheduler.js';

/** The credentials whose failed attempts are counted, each with its own counter per client address. */
export type CredentialKind = 'enroll-secret' | 'admin-token' | 'device-token' | 'metrics-token';

/**
 * How many failed authentication attempts one client address may make in a window. Counted per
 * credential kind and address (an IPv6 address counts by its /64), in Postgres (table
 * AuthFailure), so every instance sees one count and a restart keeps it. Only failures count:
 * the credential is always checked first, and a valid one passes even from a blocked address.
 */
export interface AuthFailureLimit {
  /** length of the counting window, which is also the longest block, s (default 600) */
  windowSeconds: number;
  /** failed enrollment secrets, API tokens or metrics tokens allowed per window and address (default 30) */
  maxFailures: number;
  /**
   * failed device tokens allowed per window and address (default 1000). Device tokens are 256
   * random bits, beyond guessing; this only quiets floods.
   */
  maxDeviceFailures: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { windowSeconds: 600, maxFailures: 30, maxDeviceFailures: 1000 };

/** Counts failed authentication attempts per client address; answers 429 past the limit. */
export interface AuthFailureGuard {
  /**
   * Counts one failed attempt of `kind` from the request's address (call it only after the
   * credential was looked up and found wrong; a missing credential is not a guess). Resolves when
   * the address is within its limit (the caller answers 401; logged at warn, never the
   * credential). Past the limit sets `Retry-After` (s until the window ends) on `reply` and throws
   * ServiceError `too-many-requests` (429), e.g. "too many failed API token attempts from this address
   * (30 in 600 s): try again in 412 s". The failure that fills the window is written to the audit
   * log once across instances (`auth.blocked`, actor `system`, target `ip:<address>`).
   * `reason` says what was wrong, e.g. "unknown API token".
   */
  fail(kind: CredentialKind, request: FastifyRequest, reply: FastifyReply, reason: string): Promise<void>;
}

/** The credentials in words; `admin-token` is any API token (viewer, operator or admin). */
const LABELS: Record<CredentialKind, string> = {
  'enroll-secret': 'enrollment secret', 'admin-token': 'API token', 'device-token': 'device token', 'metrics-token': 'metrics token',
};

/** Blocked addresses remembered per instance past this many are swept of ended blocks. */
const BLOCKED_SWEEP_AT = 10_000;

/**
 * An AuthFailureGuard counting in the AuthFailure table with one atomic upsert per failure (a
 * window restarts at the first failure after it ended). An instance remembers the addresses it
 * saw blocked until their window ends, so a flood from a blocked address costs no write.
 * Throws on a limit that is not a positive whole number.
 */
export function createAuthFailureGuard(prisma: PrismaClient, log: FastifyBaseLogger, limit: AuthFailureLimit): AuthFailureGuard {
  for (const [key, value] of Object.entries(limit)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`auth failure limit: ${key} must be a whole number >= 1, got ${value}`);
  }
  const max = (kind: CredentialKind) => (kind === 'device-token' ? limit.maxDeviceFailures : limit.maxFailures);
  /** `kind|address` -> when its block ends, ms since the epoch */
  const blockedUntil = new Map<string, number>();

  const refuse = (kind: CredentialKind, reply: FastifyReply, retryAfterSeconds: number): never => {
    reply.header('retry-after', retryAfterSeconds);
    throw new ServiceError('too-many-requests',
      `too many failed ${LABELS[kind]} attempts from this address (${max(kind)} in ${limit.windowSeconds} s): try again in ${retryAfterSeconds} s`);
  };

  return {
    async fail(kind, request, reply, reason) {
      const address = normalizeIP(request.ip);
      const key = `${kind}|${address}`;
      const known = blockedUntil.get(key);
      if (known !== undefined && known > Date.now()) refuse(kind, reply, Math.ceil((known - Date.now()) / 1000));
      const { failures, retryAfterSeconds } = await countFailure(prisma, kind, address, limit.windowSeconds);
      if (failures > max(kind)) {
        if (blockedUntil.size >= BLOCKED_SWEEP_AT) for (const [k, until] of blockedUntil) if (until <= Date.now()) blockedUntil.delete(k);
        blockedUntil.set(key, Date.now() + retryAfterSeconds * 1000);
        request.log.debug({ credential: kind, address, reason }, 'authentication refused: too many failures from this address');
        refuse(kind, reply, retryAfterSeconds);
      }
      request.log.warn({ credential: kind, address, failures, max: max(kind), reason }, 'authentication failed');
      if (failures < max(kind)) return;
      request.log.warn({ credential: kind, address, blockedSeconds: retryAfterSeconds }, 'too many failed authentications: address blocked');
      try {
        await audit(prisma, {
          actor: 'system', action: 'auth.blocked', target: `ip:${address}`,
          params: { credential: kind, failures, windowSeconds: limit.windowSeconds, blockedSeconds: retryAfterSeconds },
        });
      } catch (err) {
        log.error({ err }, 'could not write the auth.blocked audit entry');
      }
    },
  };
}

/**
 * One failure of `kind` from `address`, counted atomically in AuthFailure (the database's clock
 * decides the window, so instances with skewed clocks agree). Resolves with the failures in the
 * current window, this one included, and the seconds until that window ends (>= 1).
 */
async function countFailure(prisma: PrismaClient, kind: CredentialKind, address: string, windowSeconds: number): Promise<{ failures: number; retryAfterSeconds: number }> {
  const [row] = await prisma.$queryRaw<Array<{ failures: number; retryAfterSeconds: number }>>`
    INSERT INTO "AuthFailure" AS f (kind, address, "windowStart", failures)
    VALUES (${kind}, ${address}, now() AT TIME ZONE 'UTC', 1)
    ON CONFLICT (kind, address) DO UPDATE SET
      failures = CASE WHEN f."windowStart" <= (now() AT TIME ZONE 'UTC') - ${windowSeconds}::int * interval '1 second' THEN 1 ELSE f.failures + 1 END,
      "windowStart" = CASE WHEN f."windowStart" <= (now() AT TIME ZONE 'UTC') - ${windowSeconds}::int * interval '1 second' THEN now() AT TIME ZONE 'UTC' ELSE f."windowStart" END
    RETURNING f.failures,
      ceil(extract(epoch FROM f."windowStart" + ${windowSeconds}::int * interval '1 second' - (now() AT TIME ZONE 'UTC')))::int AS "retryAfterSeconds"`;
  return { failures: row!.failures, retryAfterSeconds: Math.max(1, row!.retryAfterSeconds) };
}

/**
 * Deletes the AuthFailure rows whose window ended before `now` (for the retention job). Returns
 * how many were deleted.
 */
export function pruneAuthFailures(db: JobDb, windowSeconds: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - windowSeconds * 1000);
  return db.$executeRaw`DELETE FROM "AuthFailure" WHERE "windowStart" < ${cutoff}`;
}
