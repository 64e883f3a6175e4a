import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FleetSummary, FleetTrend } from '@fleetmedic/protocol';
import Type from 'typebox';
import { ErrorBody } from '../errors.js';
import { countFleet } from '../fleet/summary.js';

const TrendQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2160, description: 'how far back, hours (default 168: 7 days; at most 90 days)' })),
}, { additionalProperties: false });

/**
 * `GET /api/v1/fleet/summary` (viewer): device counts by health and connectivity, and per finding id.
 * `GET /api/v1/fleet/trend?hours=168` (viewer): the fleet-sample job's samples of the last `hours`, oldest first.
 */
export const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/fleet/summary', {
    onRequest: app.requireRole('viewer'),
    schema: { response: { 200: FleetSummary, 401: ErrorBody, 403: ErrorBody } },
  }, async () => countFleet(app.prisma, app.appConfig.offlineAfterSeconds, new Date()));

  app.get('/api/v1/fleet/trend', {
    onRequest: app.requireRole('viewer'),
    schema: { querystring: TrendQuery, response: { 200: FleetTrend, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } },
  }, async (request) => {
    const since = new Date(Date.now() - (request.query.hours ?? 168) * 3600_000);
    const rows = await app.prisma.fleetSample.findMany({ where: { at: { gte: since } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return {
      samples: rows.map((r) => ({
        at: r.at.toISOString(), total: r.total, healthy: r.healthy, problems: r.problems, unknown: r.unknown, offline: r.offline,
        findings: r.findings as Record<string, number>,
      })),
    };
  });
};
