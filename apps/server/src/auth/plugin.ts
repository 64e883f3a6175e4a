import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { HttpError } from '../errors.js';
import { isRole, roleAtLeast, type Role } from './roles.js';
import { bearerToken, sha256Hex } from './secrets.js';

/** The admin token behind a request. `name` is the actor written to the audit log. */
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
    /** preHandler: 401 when the admin bearer token is missing/unknown/revoked, 403 when its role is below `role`. */
    requireRole(role: Role): preHandlerAsyncHookHandler;
  }
}

/** lastUsedAt is a hint for admins; writing it at most once a minute keeps reads read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Admin bearer tokens (AdminToken rows, sha256-hashed) with roles viewer < operator < admin. */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('admin', null);
    app.decorate('requireRole', (role: Role): preHandlerAsyncHookHandler => {
      return async function (request: FastifyRequest, _reply: FastifyReply) {
        const principal = await authenticate(request);
        if (!roleAtLeast(principal.role, role)) {
          throw new HttpError(403, 'forbidden', `token "${principal.name}" has role ${principal.role}; this needs ${role} or higher`);
        }
        request.admin = principal;
      };
    });

    async function authenticate(request: FastifyRequest): Promise<AdminPrincipal> {
      const token = bearerToken(request.headers.authorization);
      if (!token) throw new HttpError(401, 'unauthorized', 'missing admin token: send Authorization: Bearer <admin token>');
      const row = await app.prisma.adminToken.findUnique({ where: { tokenHash: sha256Hex(token) } });
      if (!row) throw new HttpError(401, 'unauthorized', 'unknown admin token');
      if (row.revokedAt) throw new HttpError(401, 'unauthorized', `admin token "${row.name}" was revoked on ${row.revokedAt.toISOString()}`);
      if (!isRole(row.role)) throw new HttpError(403, 'forbidden', `admin token "${row.name}" has an unknown role "${row.role}"`);
      const now = Date.now();
      if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await app.prisma.adminToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
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
