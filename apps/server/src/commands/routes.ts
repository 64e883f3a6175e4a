import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf } from '../auth/plugin.js';
import { ErrorBody, badRequest, notFound } from '../errors.js';
import { CommandView, commandView } from '../devices/views.js';
import { checkActionInput } from './action-check.js';
import type { CommandDispatcher } from './dispatcher.js';
import { batchRoutes } from './batch-routes.js';
import type { CommandService } from './service.js';
import type { PolicyStore } from '../policy/store.js';

const DeviceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CommandParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * Commands: create (operator; the action is checked against the closed Action list and the
 * policy's remediation scope, 400 with the reason otherwise), cancel (operator; queued or sent only), read (viewer); and bulk
 * remediation by finding and bulk commands, with their batches (batch-routes.ts).
 */
export const commandRoutes: FastifyPluginAsyncTypebox<{ commands: CommandService; dispatcher: CommandDispatcher; policy: PolicyStore }> = async (app, opts) => {
  const { commands, dispatcher, policy } = opts;
  const operator = { onRequest: app.requireRole('operator') };
  const viewer = { onRequest: app.requireRole('viewer') };
  await app.register(batchRoutes, { commands, dispatcher, policy });

  app.post('/api/v1/devices/:id/commands', {
    ...operator,
    schema: { params: DeviceParams, body: Type.Object({ action: Type.Unknown() }), response: { 201: CommandView, ...errors } },
  }, async (request, reply) => {
    const checked = checkActionInput(request.body.action, (await policy.current()).policy);
    if (!checked.ok) throw badRequest(`invalid action: ${checked.errors.join('; ')}`);
    // A Mac connected to this instance gets it from the statement that stores it: no further round trip.
    const sink = await dispatcher.localSink(request.params.id);
    let command = await commands.create(request.params.id, checked.value, actorOf(request).name, { sink });
    if (command.status !== 'queued') return reply.code(201).send(commandView(command));
    try {
      // Older commands of the Mac's go first (from here), or its socket is on another instance (told by NOTIFY).
      await dispatcher.dispatch(command.deviceId);
      if (sink) command = (await commands.get(command.id)) ?? command;
    } catch (err) {
      // Stored and queued: it goes out at the device's next connect.
      request.log.warn({ err, commandId: command.id }, 'immediate delivery failed');
    }
    return reply.code(201).send(commandView(command));
  });

  app.post('/api/v1/commands/:id/cancel', {
    ...operator,
    schema: { params: CommandParams, response: { 200: CommandView, ...errors } },
  }, async (request) => commandView(await commands.cancel(request.params.id, actorOf(request).name)));

  app.get('/api/v1/commands/:id', {
    ...viewer,
    schema: { params: CommandParams, response: { 200: CommandView, ...errors } },
  }, async (request) => {
    const command = await commands.get(request.params.id);
    if (!command) throw notFound(`command ${request.params.id}`);
    return commandView(command);
  });

  app.get('/api/v1/devices/:id/commands', {
    ...viewer,
    schema: {
      params: DeviceParams,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
      response: { 200: Type.Object({ commands: Type.Array(CommandView) }), ...errors },
    },
  }, async (request) => {
    const device = await app.prisma.device.findUnique({ where: { id: request.params.id }, select: { id: true } });
    if (!device) throw notFound(`device ${request.params.id}`);
    return { commands: (await commands.listForDevice(device.id, request.query.limit ?? 50)).map(commandView) };
  });
};
