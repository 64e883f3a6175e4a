import { ErrorBody } from '@fleetmedic/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './db/unavailable.js';

/** Body of every 4xx/5xx answer, `{ error, message }` (defined in @fleetmedic/protocol). */
export { ErrorBody };

/**
 * Every error code an answer can carry (`ErrorBody.error`) and its HTTP status: the one place the
 * two are tied. Services throw ServiceError with a code and never choose a status.
 */
export const ERROR_STATUS = {
  'bad-request': 400, unauthorized: 401, forbidden: 403, 'not-found': 404, 'method-not-allowed': 405,
  'not-acceptable': 406, conflict: 409, 'payload-too-large': 413, 'unsupported-media-type': 415,
  'too-many-requests': 429, internal: 500, 'batch-incomplete': 500, unavailable: 503,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** Thrown by handlers and services: answered with ERROR_STATUS[code] and `{ error: code, message }`. */
export class ServiceError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'ServiceError';
  }

  /** The HTTP status the catalog gives this error's code. */
  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new ServiceError('not-found', `${what} not found`);
export const badRequest = (message: string) => new ServiceError('bad-request', message);
export const conflict = (message: string) => new ServiceError('conflict', message);

/** Codes for Fastify's own 4xx (bad JSON body, body too large, wrong content type), from the catalog. */
const CLIENT_ERROR_CODES: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).filter(([, status]) => status < 500).map(([code, status]) => [status, code]),
);

/** What every JSON route wants; said in each answer to a body sent another way. */
const SEND_JSON = 'send the body as JSON with the header Content-Type: application/json';

/**
 * Whether a request's Content-Type is JSON (`application/json`, any parameters). Fastify parses
 * only JSON and text/plain here: anything else never reaches a route.
 */
function sentJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\/json\s*(;|$)/i.test(contentType);
}

/** The Content-Type a request was sent with, quoted, or "no Content-Type". */
function sentType(contentType: string | undefined): string {
  return contentType === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(contentType.slice(0, 100))}`;
}

/**
 * Turns every error into `{ error, message }`: ServiceError with its catalog status, schema validation failures
 * as 400 with the failing paths, other 4xx from Fastify (bad JSON, too large) as they are, and
 * anything else as 500 without internals (logged). A body sent as something other than JSON
 * (curl's `-d` alone sends application/x-www-form-urlencoded) is told what to send: 415 for a
 * type no parser takes, and a 400 body error when the body came as text/plain or with no type.
 * While the database is unreachable (isDatabaseUnavailable) the answer is 503 `unavailable` with
 * `Retry-After: DATABASE_RETRY_AFTER_SECONDS`: the request was fine and will work once it is back.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ServiceError, request, reply) => {
    if (err instanceof ServiceError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    const contentType = request.headers['content-type'];
    if ((err as FastifyError).validation) {
      const hint = (err as FastifyError).validationContext === 'body' && !sentJson(contentType)
        ? ` (the request had ${sentType(contentType)}: ${SEND_JSON})`
        : '';
      return reply.code(400).send({ error: 'bad-request', message: `${err.message}${hint}` });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 415) {
      return reply.code(415).send({ error: CLIENT_ERROR_CODES[415], message: `${err.message}: the request had ${sentType(contentType)}; ${SEND_JSON}` });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: CLIENT_ERROR_CODES[status] ?? 'bad-request', message: err.message });
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: (err as Error).message }, 'database unreachable: answered 503');
      return reply.code(ERROR_STATUS.unavailable).header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS)).send({
        error: 'unavailable', message: `the database is unreachable; try again in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
      });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(ERROR_STATUS.internal).send({ error: 'internal', message: 'internal server error (logged)' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
