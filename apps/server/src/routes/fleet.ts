import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody } from '../errors.js';
import { countFleet } from '../fleet/summary.js';

const FleetSummary = Type.Object({
  total: Type.Integer(),
  healthy: Type.Integer(),
  problems: Type.Integer(),
  unknown: Type.Integer(),
  online: Type.Integer(),
  offline: Type.Integer(),
  findings: Type.Array(Type.Object({
    id: Type.String({ description: 'finding (rule) id' }),
    devices: Type.Integer({ description: 'devices with at least one open finding of this id' }),
    open: Type.Integer({ description: 'open findings of this id (a device can have several, e.g. one per TCC.db)' }),
  })),
});

const FleetSampleView = Type.Object({
  at: Type.String({ format: 'date-time' }),
  total: Type.Integer(),
  healthy: Type.Integer({ description: 'ready for calls' }),
  problems: Type.Integer({ description: 'devices with open findings' }),
  unknown: Type.Integer(),
  offline: Type.Integer(),
  findings: Type.Record(Type.String(), Type.Integer(), { description: 'devices with an open finding, per finding id' }),
});

const TrendQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2160, description: 'how far back, hours (default 168: 7 days; at most 90 days)' })),
});

/**
 * `GET /api/v1/fleet/summary` (viewer): device counts by health and connectivity, and per finding id.
 * `GET /api/v1/fleet/trend?hours=168` (viewer): the fleet-sample job's samples of the last `hours`, oldest first.
 */
export const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/fleet/summary', {
    preHandler: app.requireRole('viewer'),
    schema: { response: { 200: FleetSummary, 401: ErrorBody, 403: ErrorBody } },
  }, async () => countFleet(app.prisma, app.appConfig.offlineAfterSeconds, new Date()));

  app.get('/api/v1/fleet/trend', {
    preHandler: app.requireRole('viewer'),
    schema: { querystring: TrendQuery, response: { 200: Type.Object({ samples: Type.Array(FleetSampleView) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } },
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
