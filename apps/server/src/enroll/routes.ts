import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EnrollRequest, EnrollResponse } from '@fleetmedic/protocol';
import { ErrorBody, ServiceError } from '../errors.js';
import type { SigningKeySource } from '../signing/signing-key.js';
import { enrollDevice } from './enroll.js';

/** Called after a device got a new token, so a socket still using the old one can be closed. */
export type OnReenroll = (deviceId: string) => void;

/**
 * `POST /api/v1/enroll`: EnrollRequest -> EnrollResponse (201, with the command-signing public
 * key), 401 for a bad secret. No admin token. A bad secret from an address that sent too many
 * gets 429 with Retry-After instead (`app.authFailures`); the right secret always enrolls.
 */
export const enrollRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeySource; onReenroll?: OnReenroll }> = async (app, opts) => {
  app.post('/api/v1/enroll', {
    // No bearer token: the enrollment secret is in the body.
    schema: { security: [], body: EnrollRequest, response: { 201: EnrollResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody } },
  }, async (request, reply) => {
    const outcome = await enrollDevice(app.prisma, opts.keys, request.body).catch(async (err: unknown) => {
      if (err instanceof ServiceError && err.code === 'unauthorized') await app.authFailures.fail('enroll-secret', request, reply, err.message);
      throw err;
    });
    request.log.info({ deviceId: outcome.deviceId, reenrolled: outcome.reenrolled, hostname: request.body.host.hostname }, 'device enrolled');
    if (outcome.reenrolled) opts.onReenroll?.(outcome.deviceId);
    return reply.code(201).send({ deviceId: outcome.deviceId, deviceToken: outcome.deviceToken, serverPublicKey: outcome.serverPublicKey });
  });
};
