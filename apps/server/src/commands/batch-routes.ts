import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf } from '../auth/plugin.js';
import type { FastifyRequest } from 'fastify';
import { ErrorBody, badRequest, notFound } from '../errors.js';
import { DeviceFilter, assertFindingId } from '../routes/device-filter.js';
import { checkActionInput } from './action-check.js';
import { BatchService, type CreatedBatch } from './batches.js';
import type { CommandDispatcher } from './dispatcher.js';
import { planBulkCommand, planRemediation } from './batch-plan.js';
import type { CommandService } from './service.js';

const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const ActionView = Type.Object({ type: Type.String(), params: Type.Unknown() });
const Target = Type.Object({
  deviceId: Type.String(), hostname: Type.String(), findingKey: Type.Optional(Type.String({ description: 'remediations only' })), action: ActionView,
  commandId: Type.Optional(Type.String({ description: 'the queued command (not on a dry run)' })),
});
const Skipped = Type.Object({ deviceId: Type.String(), hostname: Type.String(), findingKey: Type.Optional(Type.String()), reason: Type.String() });
const RemediationBody = Type.Object({
  findingId: Type.String({ maxLength: 100, description: 'finding (rule) id, e.g. tcc.camera.denied' }),
  dryRun: Type.Boolean({ description: 'true: only list the targets and the skipped Macs; false: queue one command per target' }),
  filter: Type.Optional(DeviceFilter),
}, { additionalProperties: false });
const BulkCommandBody = Type.Object({
  action: Type.Unknown({ description: 'the action every target gets, e.g. { type: "agent.collect", params: {} }' }),
  dryRun: Type.Boolean({ description: 'true: only list the targets and the skipped Macs; false: queue one command per target' }),
  filter: Type.Optional(DeviceFilter),
}, { additionalProperties: false });
const BatchAnswer = Type.Object({
  batchId: Type.Union([Type.String(), Type.Null()], { description: 'null on a dry run' }),
  findingId: Type.Union([Type.String(), Type.Null()], { description: 'null for a bulk command' }),
  action: Type.Union([ActionView, Type.Null()], { description: 'the action of a bulk command; null for a remediation' }),
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
  id: Type.String(), findingId: Type.Union([Type.String(), Type.Null()]), action: Type.Union([ActionView, Type.Null()]), filter: DeviceFilter, createdBy: Type.String(), createdAt: Iso,
  counts: Counts, commands: Type.Array(BatchCommand), skipped: Type.Array(Skipped),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Batches: commands to many Macs in one call.
 * - `POST /api/v1/remediations` (operator) `{ findingId, dryRun, filter? }`: every Mac with the
 *   finding open gets that finding's own remedy; skipped Macs come with the reason.
 * - `POST /api/v1/batches` (operator) `{ action, dryRun, filter? }`: a bulk command, `action`
 *   (checked like a single command's, 400 otherwise) to every Mac matching the device filter;
 *   Macs with the same action still on its way are skipped.
 * A dry run answers 200 with the targets (device id, hostname, action) and the skipped Macs;
 * otherwise 201 with the batchId after queuing one command per target (audited) and sending
 * them to every connected target. Offline targets get theirs when they connect, unless it
 * expired. 409 when no Mac would get a command.
 * - `GET /api/v1/batches/:id` (viewer): counts (succeeded, failed, pending, ...) and per-command status.
 */
export const batchRoutes: FastifyPluginAsyncTypebox<{ commands: CommandService; dispatcher: CommandDispatcher }> = async (app, opts) => {
  const batches = new BatchService(app.prisma, opts.commands);
  const onlineCutoff = () => new Date(Date.now() - app.appConfig.offlineAfterSeconds * 1000);
  const answer = (created: CreatedBatch) => ({
    batchId: created.batchId,
    targets: created.plan.targets.map((t, i) => ({ ...t, commandId: created.commands[i]!.id })),
    skipped: created.plan.skipped,
  });
  const deliver = async (request: FastifyRequest, created: CreatedBatch) => {
    const t0 = performance.now();
    try {
      await opts.dispatcher.dispatchBatch(created.batchId, created.commands.map((c) => c.deviceId));
      request.log.info({ batchId: created.batchId, commands: created.commands.length, ...created.timings, deliverMs: Math.round(performance.now() - t0) }, 'batch queued and sent to the connected Macs');
    } catch (err) {
      // Stored and queued either way: an undelivered command goes out at the device's next connect.
      request.log.warn({ err, batchId: created.batchId }, 'immediate delivery failed');
    }
  };

  app.post('/api/v1/remediations', {
    preHandler: app.requireRole('operator'),
    schema: { body: RemediationBody, response: { 200: BatchAnswer, 201: BatchAnswer, ...errors } },
  }, async (request, reply) => {
    const { findingId, dryRun } = request.body;
    const filter = request.body.filter ?? {};
    assertFindingId(findingId);
    const head = { findingId, action: null, dryRun, filter };
    if (dryRun) {
      const plan = await planRemediation(app.prisma, findingId, filter, onlineCutoff());
      return reply.code(200).send({ ...head, batchId: null, targets: plan.targets, skipped: plan.skipped });
    }
    const created = await batches.createRemediation(findingId, filter, actorOf(request).name, onlineCutoff());
    await deliver(request, created);
    return reply.code(201).send({ ...head, ...answer(created) });
  });

  app.post('/api/v1/batches', {
    preHandler: app.requireRole('operator'),
    schema: { body: BulkCommandBody, response: { 200: BatchAnswer, 201: BatchAnswer, ...errors } },
  }, async (request, reply) => {
    const checked = checkActionInput(request.body.action);
    if (!checked.ok) throw badRequest(`invalid action: ${checked.errors.join('; ')}`);
    const { dryRun } = request.body;
    const filter = request.body.filter ?? {};
    const head = { findingId: null, action: checked.value, dryRun, filter };
    if (dryRun) {
      const plan = await planBulkCommand(app.prisma, checked.value, filter, onlineCutoff());
      return reply.code(200).send({ ...head, batchId: null, targets: plan.targets, skipped: plan.skipped });
    }
    const created = await batches.createBulkCommand(checked.value, filter, actorOf(request).name, onlineCutoff());
    await deliver(request, created);
    return reply.code(201).send({ ...head, ...answer(created) });
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
