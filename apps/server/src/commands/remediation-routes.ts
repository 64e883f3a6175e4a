import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf } from '../auth/plugin.js';
import { ErrorBody, notFound } from '../errors.js';
import { DeviceFilter, assertFindingId } from '../routes/device-filter.js';
import { BatchService } from './batches.js';
import type { CommandDispatcher } from './dispatcher.js';
import { planRemediation } from './remediation-plan.js';
import type { CommandService } from './service.js';

const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const ActionView = Type.Object({ type: Type.String(), params: Type.Unknown() });
const Target = Type.Object({
  deviceId: Type.String(), hostname: Type.String(), findingKey: Type.String(), action: ActionView,
  commandId: Type.Optional(Type.String({ description: 'the queued command (not on a dry run)' })),
});
const Skipped = Type.Object({ deviceId: Type.String(), hostname: Type.String(), findingKey: Type.String(), reason: Type.String() });
const RemediationBody = Type.Object({
  findingId: Type.String({ maxLength: 100, description: 'finding (rule) id, e.g. tcc.camera.denied' }),
  dryRun: Type.Boolean({ description: 'true: only list the targets and the skipped Macs; false: queue one command per target' }),
  filter: Type.Optional(DeviceFilter),
}, { additionalProperties: false });
const RemediationAnswer = Type.Object({
  batchId: Type.Union([Type.String(), Type.Null()], { description: 'null on a dry run' }),
  findingId: Type.String(),
  dryRun: Type.Boolean(),
  filter: DeviceFilter,
  targets: Type.Array(Target),
  skipped: Type.Array(Skipped),
});
const Counts = Type.Object({
  total: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(),
  pending: Type.Integer({ description: 'queued, sent or acknowledged: no result yet' }),
  timedOut: Type.Integer(), expired: Type.Integer(), cancelled: Type.Integer(),
});
const BatchCommand = Type.Object({
  id: Type.String(), deviceId: Type.String(), hostname: Type.String(), action: ActionView, status: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]), exitCode: Type.Union([Type.Integer(), Type.Null()]),
  sentAt: NullableIso, ackedAt: NullableIso, finishedAt: NullableIso,
});
const BatchView = Type.Object({
  id: Type.String(), findingId: Type.String(), filter: DeviceFilter, createdBy: Type.String(), createdAt: Iso,
  counts: Counts, commands: Type.Array(BatchCommand), skipped: Type.Array(Skipped),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Bulk remediation by finding:
 * - `POST /api/v1/remediations` (operator) `{ findingId, dryRun, filter? }`: dry run answers 200
 *   with the target Macs (device id, hostname, the finding's remedy action on that Mac) and the
 *   skipped ones with the reason; otherwise 201 with the batchId after queuing one command per
 *   target (audited) and handing them to the dispatcher. 409 when no Mac would get a command.
 * - `GET /api/v1/batches/:id` (viewer): counts (succeeded, failed, pending, ...) and per-command status.
 */
export const remediationRoutes: FastifyPluginAsyncTypebox<{ commands: CommandService; dispatcher: CommandDispatcher }> = async (app, opts) => {
  const batches = new BatchService(app.prisma, opts.commands);
  const onlineCutoff = () => new Date(Date.now() - app.appConfig.offlineAfterSeconds * 1000);

  app.post('/api/v1/remediations', {
    preHandler: app.requireRole('operator'),
    schema: { body: RemediationBody, response: { 200: RemediationAnswer, 201: RemediationAnswer, ...errors } },
  }, async (request, reply) => {
    const { findingId, dryRun } = request.body;
    const filter = request.body.filter ?? {};
    assertFindingId(findingId);
    if (dryRun) {
      const plan = await planRemediation(app.prisma, findingId, filter, onlineCutoff());
      return reply.code(200).send({ batchId: null, findingId, dryRun, filter, targets: plan.targets, skipped: plan.skipped });
    }
    const created = await batches.create(findingId, filter, actorOf(request).name, onlineCutoff());
    try {
      await opts.dispatcher.dispatchMany([...new Set(created.commands.map((c) => c.deviceId))]);
    } catch (err) {
      // Stored and queued either way: an undelivered command goes out at the device's next connect.
      request.log.warn({ err, batchId: created.batchId }, 'immediate delivery failed');
    }
    return reply.code(201).send({
      batchId: created.batchId,
      findingId,
      dryRun,
      filter,
      targets: created.plan.targets.map((t, i) => ({ ...t, commandId: created.commands[i]!.id })),
      skipped: created.plan.skipped,
    });
  });

  app.get('/api/v1/batches/:id', {
    preHandler: app.requireRole('viewer'),
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: BatchView, ...errors } },
  }, async (request) => {
    const batch = await batches.status(request.params.id);
    if (!batch) throw notFound(`batch ${request.params.id}`);
    return {
      ...batch,
      createdAt: batch.createdAt.toISOString(),
      commands: batch.commands.map((c) => ({
        id: c.id, deviceId: c.deviceId, hostname: c.hostname, action: { type: c.type, params: c.params }, status: c.status,
        reason: c.reason, exitCode: c.exitCode, sentAt: iso(c.sentAt), ackedAt: iso(c.ackedAt), finishedAt: iso(c.finishedAt),
      })),
    };
  });
};
