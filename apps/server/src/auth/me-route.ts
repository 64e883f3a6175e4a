import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Me } from '@fleetmedic/protocol';
import { actorOf } from './plugin.js';

/** `GET /api/v1/me` (any role): who the bearer token is, so a client can show or hide actions. */
export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/me', { onRequest: app.requireRole('viewer'), schema: { response: { 200: Me } } }, async (request) => {
    const { name, role } = actorOf(request);
    return { name, role };
  });
};
