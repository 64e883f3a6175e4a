import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EnrollRequest, EnrollResponse } from '@fleetmedic/protocol';
import { ErrorBody } from '../errors.js';
import { enrollDevice } from './enroll.js';

/** Called after a device got a new token, so a socket still using the old one can be closed. */
export type OnReenroll = (deviceId: string) => void;

/** `POST /api/v1/enroll`: EnrollRequest -> EnrollResponse (201, with the command-signing public key), 401 for a bad secret. No admin token. */
export const enrollRoutes: FastifyPluginAsyncTypebox<{ onReenroll?: OnReenroll }> = async (app, opts) => {
  app.post('/api/v1/enroll', {
    schema: { body: EnrollRequest, response: { 201: EnrollResponse, 400: ErrorBody, 401: ErrorBody } },
  }, async (request, reply) => {
    const outcome = await enrollDevice(app.prisma, request.body);
    request.log.info({ deviceId: outcome.deviceId, reenrolled: outcome.reenrolled, hostname: request.body.host.hostname }, 'device enrolled');
    if (outcome.reenrolled) opts.onReenroll?.(outcome.deviceId);
    return reply.code(201).send({ deviceId: outcome.deviceId, deviceToken: outcome.deviceToken, serverPublicKey: outcome.serverPublicKey });
  });
};
