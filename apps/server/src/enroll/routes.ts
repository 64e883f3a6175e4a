import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EnrollRequest, EnrollResponse } from '@fleetmedic/protocol';
import { ErrorBody, HttpError } from '../errors.js';
import type { SigningKeySource } from '../signing/signing-key.js';
import { enrollDevice } from './enroll.js';

/** Called after a device got a new token, so a socket still using the old one can be closed. */
export type OnReenroll = (deviceId: string) => void;

/**
 * `POST /api/v1/enroll`: EnrollRequest -> EnrollResponse (201, with the command-signing public
 * key), 401 for a bad secret. No admin token. An address that sent too many bad secrets gets 429
 * with Retry-After before its body is read (`app.authFailures`); successful enrollments are
 * never limited.
 */
export const enrollRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeySource; onReenroll?: OnReenroll }> = async (app, opts) => {
  app.post('/api/v1/enroll', {
    // Early refusal, before the body is read; `attempt` below checks again with the slot held.
    onRequest: (request, reply) => app.authFailures.admit('enroll-secret', request, reply),
    schema: { body: EnrollRequest, response: { 201: EnrollResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody } },
  }, async (request, reply) => {
    const outcome = await app.authFailures.attempt('enroll-secret', request, reply, () =>
      enrollDevice(app.prisma, opts.keys, request.body).catch(async (err: unknown) => {
        if (err instanceof HttpError && err.statusCode === 401) await app.authFailures.fail('enroll-secret', request, err.message);
        throw err;
      }));
    request.log.info({ deviceId: outcome.deviceId, reenrolled: outcome.reenrolled, hostname: request.body.host.hostname }, 'device enrolled');
    if (outcome.reenrolled) opts.onReenroll?.(outcome.deviceId);
    return reply.code(201).send({ deviceId: outcome.deviceId, deviceToken: outcome.deviceToken, serverPublicKey: outcome.serverPublicKey });
  });
};
