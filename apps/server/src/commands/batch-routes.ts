import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BatchAnswer, BatchView, CommandStatus } from '@fleetmedic/protocol';
import Type from 'typebox';
import { actorOf } from '../auth/plugin.js';
import type { FastifyRequest } from 'fastify';
import { ErrorBody, badRequest, notFound } from '../errors.js';
import { DeviceFilter, assertFindingId } from '../devices/filter.js';
import { checkActionInput } from './action-check.js';
import { readBatchPage } from './batch-page.js';
import { BatchService, type CreatedBatch } from './batches.js';
import type { CommandDispatcher } from './dispatcher.js';
import { planBulkCommand, planRemediation } from './batch-plan.js';
import type { CommandService } from './service.js';
import type { PolicyStore } from '../policy/store.js';

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
const BatchQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'commands per page' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'nextCursor of the previous page' })),
  status: Type.Optional(CommandStatus),
}, { additionalProperties: false });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

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
 * - `GET /api/v1/batches/:id?limit=&cursor=&status=` (viewer): the batch with the counts of all its
 *   commands (succeeded, failed, pending, ...) and one page of them with their status, in hostname
 *   order (`limit` 1..500, default 50; `nextCursor` for the next page, null on the last; `status`:
 *   only commands in that status). 404 for an unknown batch (or one the retention job deleted: old,
 *   its commands all gone), 400 for a cursor not of this batch.
 */
export const batchRoutes: FastifyPluginAsyncTypebox<{ commands: CommandService; dispatcher: CommandDispatcher; policy: PolicyStore }> = async (app, opts) => {
  const scope = async () => (await opts.policy.current()).policy;
  // Each committed chunk of a batch is delivered by the dispatcher while the next one is inserted.
  const batches = new BatchService(opts.commands, opts.dispatcher, app.db.kind);
  const onlineCutoff = () => new Date(Date.now() - app.appConfig.offlineAfterSeconds * 1000);
  const answer = (created: CreatedBatch) => ({
    batchId: created.batchId,
    targets: created.plan.targets.map((t, i) => ({ ...t, commandId: created.commands[i]!.id })),
    skipped: created.plan.skipped,
  });
  const deliver = async (request: FastifyRequest, created: CreatedBatch) => {
    request.log.info({ batchId: created.batchId, commands: created.commands.length, ...created.timings }, 'batch queued and sent to the connected Macs');
    // Stored and queued either way: an undelivered command goes out at the device's next connect.
    for (const err of created.undelivered) request.log.warn({ err, batchId: created.batchId }, 'immediate delivery failed');
  };

  app.post('/api/v1/remediations', {
    onRequest: app.requireRole('operator'),
    schema: { body: RemediationBody, response: { 200: BatchAnswer, 201: BatchAnswer, ...errors } },
  }, async (request, reply) => {
    const { findingId, dryRun } = request.body;
    const filter = request.body.filter ?? {};
    assertFindingId(findingId);
    const head = { findingId, action: null, dryRun, filter };
    if (dryRun) {
      const plan = await planRemediation(app.prisma, findingId, filter, onlineCutoff(), await scope());
      return reply.code(200).send({ ...head, batchId: null, targets: plan.targets, skipped: plan.skipped });
    }
    const created = await batches.createRemediation(findingId, filter, actorOf(request).name, onlineCutoff(), await scope());
    await deliver(request, created);
    return reply.code(201).send({ ...head, ...answer(created) });
  });

  app.post('/api/v1/batches', {
    onRequest: app.requireRole('operator'),
    schema: { body: BulkCommandBody, response: { 200: BatchAnswer, 201: BatchAnswer, ...errors } },
  }, async (request, reply) => {
    const checked = checkActionInput(request.body.action, await scope());
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
    onRequest: app.requireRole('viewer'),
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), querystring: BatchQuery, response: { 200: BatchView, ...errors } },
  }, async (request) => {
    const { limit = 50, cursor, status } = request.query;
    const batch = await readBatchPage(app.prisma, request.params.id, { limit, cursor, status });
    if (!batch) throw notFound(`batch ${request.params.id}`);
    return batch;
  });
};
