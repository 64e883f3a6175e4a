import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeviceDetailView, DeviceHistoryView, DeviceListPage, SECTION_NAMES, type StoredSection } from '@fleetmedic/protocol';
import Type from 'typebox';
import { ErrorBody, notFound } from '../errors.js';
import { DeviceFilterFields, deviceFilterWhere } from './filter.js';
import { reportedBootAt, restartView } from './restart-view.js';
import type { Prisma } from '../generated/prisma/client.js';
import { commandView, deviceView, findingView, topReason, worstFindingFirst } from './views.js';

const SORTS = ['worst', 'hostname', '-hostname', 'lastSeenAt', '-lastSeenAt', 'openFindings', '-openFindings', 'health', '-health', 'enrolledAt', '-enrolledAt'] as const;
type Sort = (typeof SORTS)[number];

/**
 * Prisma's order of each sort, every one ending in the id so pages never overlap or skip.
 * `worst` (the default): health worst first (cannot join, unknown, at risk, ready), then the most
 * distinct causes, then the oldest open problem, then hostname. `health` sorts by the same rank.
 */
function orderOf(sort: Sort): Prisma.DeviceOrderByWithRelationInput[] {
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const field = sort.replace(/^-/, '');
  const byField: Prisma.DeviceOrderByWithRelationInput[] = sort === 'worst'
    ? [{ healthRank: 'asc' }, { openFindings: 'desc' }, { problemSince: { sort: 'asc', nulls: 'last' } }, { hostname: 'asc' }]
    : field === 'health' ? [{ healthRank: direction }]
      : field === 'lastSeenAt' ? [{ lastSeenAt: { sort: direction, nulls: 'last' } }]
        : [{ [field]: direction }];
  return [...byField, { id: 'asc' }];
}
const DeviceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const ListQuery = Type.Object({
  ...DeviceFilterFields,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
  sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)), { description: 'worst (default: health worst first, then most distinct causes, then oldest problem), or a field, "-" prefix for descending' })),
}, { additionalProperties: false });

/** Device list, device detail and device history (viewer role). */
export const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const viewer = { onRequest: app.requireRole('viewer') };
  const cutoff = () => new Date(Date.now() - app.appConfig.offlineAfterSeconds * 1000);

  app.get('/api/v1/devices', {
    ...viewer,
    schema: { querystring: ListQuery, response: { 200: DeviceListPage, ...errors } },
  }, async (request) => {
    const q = request.query;
    const now = cutoff();
    const and = deviceFilterWhere(q, now);
    const limit = q.limit ?? 50;
    const rows = await app.prisma.device.findMany({
      where: { AND: and },
      orderBy: orderOf(q.sort ?? 'worst'),
      take: limit + 1,
      include: { findings: { where: { state: 'open' }, select: { ruleId: true, severity: true, title: true, firstSeenAt: true } } },
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, limit);
    const devices = page.map(({ findings, ...d }) => {
      const worst = [...findings].sort(worstFindingFirst);
      return { ...deviceView(d, now), openFindingIds: [...new Set(worst.map((f) => f.ruleId))], topReason: topReason(d.health, worst, d.unknownSections) };
    });
    return { devices, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  });

  app.get('/api/v1/devices/:id', {
    ...viewer,
    schema: {
      params: DeviceParams,
      response: { 200: DeviceDetailView, ...errors },
    },
  }, async (request) => {
    const device = await app.prisma.device.findUnique({
      where: { id: request.params.id },
      include: {
        sections: { orderBy: { section: 'asc' } },
        findings: { where: { state: { not: 'resolved' } }, orderBy: [{ ruleId: 'asc' }, { key: 'asc' }] },
        commands: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 20 },
      },
    });
    if (!device) throw notFound(`device ${request.params.id}`);
    const lastReset = await app.prisma.command.findFirst({
      where: { deviceId: device.id, type: 'tcc.reset', status: 'succeeded', finishedAt: { not: null } },
      orderBy: { finishedAt: 'desc' },
      select: { finishedAt: true },
    });
    const softwareUpdate = device.sections.find((s) => s.section === 'softwareUpdate')?.body as unknown as StoredSection | undefined;
    return {
      device: deviceView(device, cutoff()),
      sections: device.sections.map((s) => ({ section: s.section, status: s.status, hash: s.hash, body: s.body as unknown as StoredSection, updatedAt: s.updatedAt.toISOString() })),
      findings: [...device.findings].sort(worstFindingFirst).map(findingView),
      commands: device.commands.map(commandView),
      restart: restartView(reportedBootAt(softwareUpdate), lastReset?.finishedAt ?? null),
    };
  });

  app.get('/api/v1/devices/:id/history', {
    ...viewer,
    schema: {
      params: DeviceParams,
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        section: Type.Optional(Type.Enum(SECTION_NAMES, { description: 'only changes of this section' })),
      }, { additionalProperties: false }),
      response: { 200: DeviceHistoryView, ...errors },
    },
  }, async (request) => {
    const deviceId = request.params.id;
    if (!(await app.prisma.device.findUnique({ where: { id: deviceId }, select: { id: true } }))) throw notFound(`device ${deviceId}`);
    const take = request.query.limit ?? 100;
    const [changes, transitions, renames] = await Promise.all([
      app.prisma.sectionChange.findMany({
        where: { deviceId, ...(request.query.section ? { section: request.query.section } : {}) },
        orderBy: [{ changedAt: 'desc' }, { id: 'desc' }],
        take,
      }),
      app.prisma.findingTransition.findMany({ where: { deviceId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take }),
      app.prisma.hostnameChange.findMany({ where: { deviceId }, orderBy: [{ changedAt: 'desc' }, { id: 'desc' }], take }),
    ]);
    return {
      sectionChanges: changes.map((c) => ({
        id: c.id.toString(), section: c.section, status: c.status, hash: c.hash, reportId: c.reportId, changedAt: c.changedAt.toISOString(), body: c.body as unknown as StoredSection,
      })),
      findingTransitions: transitions.map((t) => ({
        id: t.id.toString(), findingId: t.findingId, ruleId: t.ruleId, key: t.key, fromState: t.fromState, toState: t.toState, at: t.at.toISOString(), reportId: t.reportId,
      })),
      hostnameChanges: renames.map((r) => ({
        id: r.id.toString(), fromHostname: r.fromHostname, toHostname: r.toHostname, reportId: r.reportId, changedAt: r.changedAt.toISOString(),
      })),
    };
  });
};
