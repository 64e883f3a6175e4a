import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { bearerToken, hexDigestsEqual, sha256Hex } from '../auth/secrets.js';
import { ErrorBody, ServiceError } from '../errors.js';
import type { ServerMetrics } from './metrics.js';

/**
 * `GET /metrics`: this instance's metrics in the Prometheus text format (text/plain; version=0.0.4),
 * behind `Authorization: Bearer <token>` with its own token (`token`, FLEETMEDIC_METRICS_TOKEN),
 * not an API token: a scraper holds nothing that opens the API. 401 without it or with a wrong one
 * (wrong ones count toward the address's failure limit, 429 past it). Without a configured token
 * the route is not registered (404) and the start logs "metrics disabled".
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: ServerMetrics; token?: string }> = async (app, opts) => {
  if (!opts.token) {
    app.log.info('metrics disabled: FLEETMEDIC_METRICS_TOKEN is not set, GET /metrics answers 404');
    return;
  }
  const tokenHash = sha256Hex(opts.token);
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of this instance (text format 0.0.4); Bearer FLEETMEDIC_METRICS_TOKEN',
      response: { 200: Type.String({ description: 'Prometheus text exposition format' }), 401: ErrorBody, 429: ErrorBody },
    },
    onRequest: async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) throw new ServiceError('unauthorized', 'missing metrics token: send Authorization: Bearer <FLEETMEDIC_METRICS_TOKEN>');
      if (hexDigestsEqual(sha256Hex(token), tokenHash)) return;
      await app.authFailures.fail('metrics-token', request, reply, 'wrong metrics token');
      throw new ServiceError('unauthorized', 'wrong metrics token: send Authorization: Bearer <FLEETMEDIC_METRICS_TOKEN>');
    },
  }, async (_request, reply) => reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()));
};
