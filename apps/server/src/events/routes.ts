import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import Type from 'typebox';
import type { FleetEvent, FleetEvents } from '../cluster/events.js';
import { ErrorBody } from '../errors.js';

/** A stream whose unsent output passes this many bytes is a stalled client: it is closed (EventSource reconnects). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies from closing an idle stream, ms. */
export const KEEPALIVE_MS = 15_000;

/** One server-sent event in the wire format: `event: <name>\ndata: <json>\n\n`. */
export function formatSse(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A URL with the value of its `token` query parameter replaced, for logs. */
export function redactTokenInUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}

/**
 * `GET /api/v1/events` (viewer): server-sent events (text/event-stream) for the dashboard:
 * - `ready` `{ instanceId }` once subscribed — changes after it are delivered;
 * - `device.updated` `{ deviceId }` — the device row changed (online/offline, health, findings
 *   count, versions, enrolled, deleted); re-read it;
 * - `command.updated` `{ commandId, deviceId, status }` — created or moved to a new status.
 * Events come from every server instance (Postgres NOTIFY). The API token goes in
 * `Authorization: Bearer`, or — because the browser's EventSource cannot send headers — in
 * `?token=` on this route only (it is redacted from the server's logs; use a viewer token
 * for dashboards, since proxies may log URLs). A comment line every 15 s keeps the stream open.
 * `HEAD` answers the same status and headers at once, without a stream.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{ events: FleetEvents; instanceId: string }> = async (app, { events, instanceId }) => {
  const streams = new Set<ServerResponse>();

  app.get('/api/v1/events', {
    // EventSource cannot set headers: take the token from the query when no header was sent.
    onRequest: [
      async (request) => {
        const token = (request.query as { token?: unknown }).token;
        if (!request.headers.authorization && typeof token === 'string' && token) request.headers.authorization = `Bearer ${token}`;
      },
      app.requireRole('viewer'),
    ],
    schema: {
      querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 512, description: 'API token (any role), for EventSource clients that cannot send Authorization' })) }),
      response: { 401: ErrorBody, 403: ErrorBody },
    },
  }, async (request, reply) => {
    const headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    };
    // HEAD (Fastify's automatic HEAD route): the headers a GET would get, and no stream to hold open.
    if (request.method === 'HEAD') return reply.headers(headers).send(undefined as never);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...headers, connection: 'keep-alive' });
    const write = (text: string) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        request.log.warn('event stream client is not reading: closing it');
        res.end();
        return;
      }
      res.write(text);
    };
    const unsubscribe = events.subscribe((event: FleetEvent) => {
      const { type, ...data } = event;
      write(formatSse(type, data));
    });
    const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    streams.add(res);
    res.on('close', () => {
      unsubscribe();
      clearInterval(keepalive);
      streams.delete(res);
    });
    res.write(`retry: 3000\n\n${formatSse('ready', { instanceId })}`);
  });

  // Open streams would hold the HTTP server's close: end them first.
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
};
