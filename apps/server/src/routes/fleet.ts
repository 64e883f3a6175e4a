import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody } from '../errors.js';

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

/** `GET /api/v1/fleet/summary` (viewer): device counts by health and connectivity, and per finding id. */
export const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/fleet/summary', {
    preHandler: app.requireRole('viewer'),
    schema: { response: { 200: FleetSummary, 401: ErrorBody, 403: ErrorBody } },
  }, async () => {
    const cutoff = new Date(Date.now() - app.appConfig.offlineAfterSeconds * 1000);
    const [byHealth, online, perDevice] = await Promise.all([
      app.prisma.device.groupBy({ by: ['health'], _count: { _all: true } }),
      app.prisma.device.count({ where: { online: true, lastSeenAt: { gte: cutoff } } }),
      app.prisma.finding.groupBy({ by: ['ruleId', 'deviceId'], where: { state: 'open' }, _count: { _all: true } }),
    ]);
    const count = (h: string) => byHealth.find((g) => g.health === h)?._count._all ?? 0;
    const total = byHealth.reduce((n, g) => n + g._count._all, 0);
    const findings = new Map<string, { id: string; devices: number; open: number }>();
    for (const g of perDevice) {
      const entry = findings.get(g.ruleId) ?? { id: g.ruleId, devices: 0, open: 0 };
      entry.devices += 1;
      entry.open += g._count._all;
      findings.set(g.ruleId, entry);
    }
    return {
      total,
      healthy: count('healthy'),
      problems: count('problems'),
      unknown: count('unknown'),
      online,
      offline: total - online,
      findings: [...findings.values()].sort((a, b) => b.devices - a.devices || a.id.localeCompare(b.id)),
    };
  });
};
