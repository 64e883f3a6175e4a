import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FleetChanges, FleetSummary, FleetTrend } from '@fleetmedic/protocol';
import Type from 'typebox';
import { ErrorBody } from '../errors.js';
import { changesBeforeFindings } from './changes.js';
import { countFleet } from './summary.js';
import { assertFindingId } from '../devices/filter.js';

const TrendQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2160, description: 'how far back, hours (default 168: 7 days; at most 90 days)' })),
}, { additionalProperties: false });

const ChangesQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: 'the window before each finding first appeared, hours (default 24; at most 30 days)' })),
  finding: Type.Optional(Type.String({ maxLength: 100, description: 'only this finding (rule) id, e.g. tcc.camera.denied' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'changes per finding, most shared first (default 5)' })),
}, { additionalProperties: false });

/**
 * `GET /api/v1/fleet/summary` (viewer): device counts by health and connectivity, and per finding id.
 * `GET /api/v1/fleet/trend?hours=168` (viewer): the fleet-sample job's samples of the last `hours`, oldest first.
 * `GET /api/v1/fleet/changes?hours=24&finding=&limit=5` (viewer): what changed before it broke (changesBeforeFindings).
 */
export const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/fleet/summary', {
    onRequest: app.requireRole('viewer'),
    schema: { response: { 200: FleetSummary, 401: ErrorBody, 403: ErrorBody } },
  }, async () => countFleet(app.prisma, app.appConfig.offlineAfterSeconds, new Date()));

  app.get('/api/v1/fleet/changes', {
    preHandler: app.requireRole('viewer'),
    schema: { querystring: ChangesQuery, response: { 200: FleetChanges, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } },
  }, async (request) => {
    const { hours = 24, finding, limit = 5 } = request.query;
    if (finding) assertFindingId(finding);
    return changesBeforeFindings(app.prisma, { windowHours: hours, findingId: finding, limit });
  });

  app.get('/api/v1/fleet/trend', {
    onRequest: app.requireRole('viewer'),
    schema: { querystring: TrendQuery, response: { 200: FleetTrend, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } },
  }, async (request) => {
    const since = new Date(Date.now() - (request.query.hours ?? 168) * 3600_000);
    const rows = await app.prisma.fleetSample.findMany({ where: { at: { gte: since } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return {
      samples: rows.map((r) => ({
        at: r.at.toISOString(), total: r.total, cannotJoin: r.cannotJoin, unknown: r.unknown, atRisk: r.atRisk, ready: r.ready, offline: r.offline,
        findings: r.findings as Record<string, number>,
      })),
    };
  });
};
