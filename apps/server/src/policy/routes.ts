import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Policy } from '@fleetmedic/protocol';
import Type from 'typebox';
import { actorOf } from '../auth/plugin.js';
import { ErrorBody } from '../errors.js';
import type { PolicyStore } from './store.js';

const PolicyView = Type.Object({
  policy: Policy,
  source: Type.Union([Type.Literal('stored'), Type.Literal('config')]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/**
 * `GET /api/v1/policy` and `PUT /api/v1/policy` (admin). The PUT body is a partial Policy over
 * DEFAULT_POLICY, validated by resolvePolicy (unknown keys and bad versions are refused with 400).
 */
export const policyRoutes: FastifyPluginAsyncTypebox<{ store: PolicyStore }> = async (app, { store }) => {
  const admin = { onRequest: app.requireRole('admin') };
  app.get('/api/v1/policy', { ...admin, schema: { response: { 200: PolicyView, ...errors } } }, async () => store.current());
  app.put('/api/v1/policy', {
    ...admin,
    // Loose on purpose: resolvePolicy gives the precise reasons (unknown key, bad version).
    schema: { body: Type.Record(Type.String(), Type.Unknown()), response: { 200: PolicyView, ...errors } },
  }, async (request) => store.update(request.body as Partial<Policy>, actorOf(request).name));
};
