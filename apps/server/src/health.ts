import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

const Health = Type.Object({
  ok: Type.Boolean(),
  db: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
  message: Type.Optional(Type.String()),
});

/** `GET /api/v1/health` (no auth): 200 `{ ok: true, db }` when the database answers, else 503 with why. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/health', { schema: { security: [], response: { 200: Health, 503: Health } } }, async (request, reply) => {
    try {
      await app.prisma.$queryRaw`SELECT 1`;
      return { ok: true, db: app.db.kind };
    } catch (err) {
      request.log.error({ err }, 'health check: database did not answer');
      return reply.code(503).send({ ok: false, db: app.db.kind, message: 'database did not answer' });
    }
  });
};
