import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ServiceError } from '../errors.js';
import { apiTokenNeeded, OPENS, otherCredentialKind } from './credential-kind.js';
import { createAuthFailureGuard, DEFAULT_AUTH_FAILURE_LIMIT, type AuthFailureGuard } from './failure-limit.js';
import { isRole, roleAtLeast, ROLES, type Role } from './roles.js';
import { bearerToken, sha256Hex } from './secrets.js';
import { ApiTokenCache } from './token-cache.js';
import type { NotifyBus } from '../cluster/notify-bus.js';

/** The API token (role viewer, operator or admin) behind a request. `name` is the actor written to the audit log. */
export interface AdminPrincipal {
  tokenId: string;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by `requireRole` once the bearer token checked out */
    admin: AdminPrincipal | null;
  }
  interface FastifyInstance {
    /**
     * onRequest hook (before the body is parsed or any schema is checked): 401 when the bearer API token is missing, unknown (saying so when it is a device
     * token or an enrollment secret) or revoked, 403 when its role is below `role`, 429
     * (Retry-After) for an unknown token from an address that sent too many (a valid token always
     * passes). Every 401/403 names the token the route needs, e.g. "an operator or admin API token".
     */
    requireRole(role: Role): onRequestAsyncHookHandler;
    /** failed-authentication counter per client address, shared by instances (enrollment, admin API, agent socket, metrics) */
    authFailures: AuthFailureGuard;
    /** the API tokens in use, kept between revocations (what revokes one calls `forget`) */
    apiTokens: ApiTokenCache;
  }
}

/** lastUsedAt is a hint for admins; writing it at most once a minute keeps reads read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Bearer API tokens (AdminToken rows, sha256-hashed) with roles viewer < operator < admin, and
 * the failed-authentication guard (`app.authFailures`, config `authFailureLimit`): an unknown API
 * token from an address that sent too many gets 429 instead of 401; a valid one always passes.
 */
export const authPlugin = fp<{ bus: NotifyBus }>(
  async (app, { bus }) => {
    app.decorate('authFailures', createAuthFailureGuard(app.prisma, app.log, { ...DEFAULT_AUTH_FAILURE_LIMIT, ...app.appConfig.authFailureLimit }));
    app.decorateRequest('admin', null);
    // The token check of every API call reads through the command path's pool: a Fix clicked while
    // ingest batches hold the main pool's connections does not wait for one of them.
    const tokens = app.db.commandPrisma;
    app.decorate('apiTokens', new ApiTokenCache(tokens, bus));
    app.decorate('requireRole', (role: Role): onRequestAsyncHookHandler => {
      return async function (request: FastifyRequest, reply: FastifyReply) {
        const principal = await authenticate(request, reply, role);
        if (!roleAtLeast(principal.role, role)) {
          throw new ServiceError('forbidden', `API token "${principal.name}" has role ${principal.role}; this route needs ${apiTokenNeeded(role)}`);
        }
        request.admin = principal;
      };
    });

    /** The API token of the request; 401/403 naming what `role` needs otherwise (429 past the failure limit). */
    async function authenticate(request: FastifyRequest, reply: FastifyReply, role: Role): Promise<AdminPrincipal> {
      const needed = apiTokenNeeded(role);
      const token = bearerToken(request.headers.authorization);
      if (!token) throw new ServiceError('unauthorized', `missing API token: this route needs ${needed}; send Authorization: Bearer <API token>`);
      const row = await app.apiTokens.find(sha256Hex(token));
      if (!row) {
        // Counted: a guess, or a credential sent to the wrong door. A missing or revoked token is a stale client, not a guess.
        await app.authFailures.fail('admin-token', request, reply, 'unknown API token');
        const other = await otherCredentialKind(app.prisma, token);
        throw new ServiceError('unauthorized', other ? `this is ${OPENS[other]}; this route needs ${needed}` : `unknown API token: this route needs ${needed}`);
      }
      if (row.revokedAt) throw new ServiceError('unauthorized', `API token "${row.name}" was revoked on ${row.revokedAt.toISOString()}; this route needs ${needed}`);
      if (!isRole(row.role)) {
        throw new ServiceError('forbidden', `API token "${row.name}" has an unknown role "${row.role}" (roles: ${ROLES.join(', ')}); this route needs ${needed}`);
      }
      const now = Date.now();
      if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await tokens.adminToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
        row.lastUsedAt = new Date(now); // the kept copy too: written once a minute, not at every call
      }
      return { tokenId: row.id, name: row.name, role: row.role };
    }
  },
  { name: 'fleetmedic-auth', dependencies: ['fleetmedic-context'] },
);

/** The principal of a route guarded by requireRole (throws if the guard is missing: a programming error). */
export function actorOf(request: FastifyRequest): AdminPrincipal {
  if (!request.admin) throw new Error(`route ${request.routeOptions.url} reads the admin without requireRole`);
  return request.admin;
}
