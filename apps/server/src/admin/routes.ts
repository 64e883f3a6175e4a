import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { audit } from '../audit/audit.js';
import { actorOf } from '../auth/plugin.js';
import { CHANNELS } from '../cluster/notify-bus.js';
import type { Role } from '../auth/roles.js';
import { newApiToken, newSecret, sha256Hex } from '../auth/secrets.js';
import { ErrorBody, notFound } from '../errors.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f]+$' });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

const SecretView = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Iso, revokedAt: NullableIso });
const TokenView = Type.Object({
  id: Type.String(), name: Type.String(), role: RoleSchema, createdAt: Iso, lastUsedAt: NullableIso, revokedAt: NullableIso,
});
const AuditView = Type.Object({
  id: Type.String(), at: Iso, actor: Type.String(), action: Type.String(), target: Type.Union([Type.String(), Type.Null()]), params: Type.Unknown(),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const secretView = (r: { id: string; name: string; createdAt: Date; revokedAt: Date | null }) =>
  ({ id: r.id, name: r.name, createdAt: r.createdAt.toISOString(), revokedAt: iso(r.revokedAt) });
const tokenView = (r: { id: string; name: string; role: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) =>
  ({ id: r.id, name: r.name, role: r.role as Role, createdAt: r.createdAt.toISOString(), lastUsedAt: iso(r.lastUsedAt), revokedAt: iso(r.revokedAt) });

/**
 * Admin-only management of enrollment secrets and admin tokens, and the audit log.
 * A secret or token is returned in clear once, at creation; only its sha256 is stored.
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = { onRequest: app.requireRole('admin') };

  app.post('/api/v1/admin/enroll-secrets', {
    ...admin,
    schema: { body: Type.Object({ name: Name }), response: { 201: Type.Intersect([SecretView, Type.Object({ secret: Type.String() })]), ...errors } },
  }, async (request, reply) => {
    const secret = newSecret(24);
    const row = await app.prisma.$transaction(async (tx) => {
      const created = await tx.enrollSecret.create({ data: { name: request.body.name, secretHash: sha256Hex(secret) } });
      await audit(tx, { actor: actorOf(request).name, action: 'enroll-secret.create', target: `enroll-secret:${created.id}`, params: { name: created.name } });
      return created;
    });
    return reply.code(201).send({ ...secretView(row), secret });
  });

  app.get('/api/v1/admin/enroll-secrets', {
    ...admin,
    schema: { response: { 200: Type.Object({ secrets: Type.Array(SecretView) }), ...errors } },
  }, async () => ({ secrets: (await app.prisma.enrollSecret.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(secretView) }));

  app.post('/api/v1/admin/enroll-secrets/:id/revoke', {
    ...admin,
    schema: { params: IdParams, response: { 200: SecretView, ...errors } },
  }, async (request) => {
    const row = await app.prisma.$transaction(async (tx) => {
      const found = await tx.enrollSecret.findUnique({ where: { id: request.params.id } });
      if (!found) throw notFound(`enrollment secret ${request.params.id}`);
      if (found.revokedAt) return found;
      const revoked = await tx.enrollSecret.update({ where: { id: found.id }, data: { revokedAt: new Date() } });
      await audit(tx, { actor: actorOf(request).name, action: 'enroll-secret.revoke', target: `enroll-secret:${found.id}`, params: { name: found.name } });
      return revoked;
    });
    return secretView(row);
  });

  app.post('/api/v1/admin/tokens', {
    ...admin,
    schema: { body: Type.Object({ name: Name, role: RoleSchema }), response: { 201: Type.Intersect([TokenView, Type.Object({ token: Type.String() })]), ...errors } },
  }, async (request, reply) => {
    const token = newApiToken(request.body.role);
    const row = await app.prisma.$transaction(async (tx) => {
      const created = await tx.adminToken.create({ data: { name: request.body.name, role: request.body.role, tokenHash: sha256Hex(token) } });
      await audit(tx, { actor: actorOf(request).name, action: 'admin-token.create', target: `admin-token:${created.id}`, params: { name: created.name, role: created.role } });
      return created;
    });
    return reply.code(201).send({ ...tokenView(row), token });
  });

  app.get('/api/v1/admin/tokens', {
    ...admin,
    schema: { response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...errors } },
  }, async () => ({ tokens: (await app.prisma.adminToken.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(tokenView) }));

  app.post('/api/v1/admin/tokens/:id/revoke', {
    ...admin,
    schema: { params: IdParams, response: { 200: TokenView, ...errors } },
  }, async (request) => {
    const row = await app.prisma.$transaction(async (tx) => {
      const found = await tx.adminToken.findUnique({ where: { id: request.params.id } });
      if (!found) throw notFound(`admin token ${request.params.id}`);
      if (found.revokedAt) return found;
      const revoked = await tx.adminToken.update({ where: { id: found.id }, data: { revokedAt: new Date() } });
      await audit(tx, { actor: actorOf(request).name, action: 'admin-token.revoke', target: `admin-token:${found.id}`, params: { name: found.name, role: found.role } });
      await tx.$executeRaw`SELECT pg_notify(${CHANNELS.tokens}, '')`; // at commit: every instance drops its copies
      return revoked;
    });
    app.apiTokens.forget(); // here at once, not when the notification comes back
    return tokenView(row);
  });

  app.get('/api/v1/admin/audit', {
    ...admin,
    schema: {
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), action: Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ entries: Type.Array(AuditView) }), ...errors },
    },
  }, async (request) => {
    const rows = await app.prisma.auditLog.findMany({
      where: request.query.action ? { action: request.query.action } : {},
      orderBy: { id: 'desc' },
      take: request.query.limit ?? 100,
    });
    return { entries: rows.map((r) => ({ id: r.id.toString(), at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, params: r.params })) };
  });
};
