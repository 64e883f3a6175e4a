import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync, FastifySchema, HTTPMethods } from 'fastify';
import Type from 'typebox';
import { ErrorBody } from '../errors.js';

/** The API's description in the spec: which credential opens which routes. */
const DESCRIPTION = [
  'FleetMedic server API, generated from the route schemas (TypeBox) at start.',
  'Credentials, each sent as `Authorization: Bearer <token>`:',
  '- API tokens (viewer < operator < admin) open /api/v1/* (reads: viewer; commands and policy: operator; tokens, enrollment secrets, audit: admin) and /docs; a 401/403 names the role a route needs.',
  '- an enrollment secret goes in the body of POST /api/v1/enroll, which answers a device token;',
  '- the device token opens the agent socket GET /api/v1/agent/ws (WebSocket);',
  '- FLEETMEDIC_METRICS_TOKEN opens GET /metrics (Prometheus text).',
  'GET /api/v1/health needs none. A wrong credential from an address that sent too many in the window gets 429 with Retry-After.',
].join('\n');

/** One route as registered: what the spec must show. */
export interface RegisteredRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema?: FastifySchema & { hide?: boolean };
  /** the agent socket's upgrade route */
  websocket: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** every route registered after registerOpenApi, as Fastify's onRoute hook saw it */
    registeredRoutes: readonly RegisteredRoute[];
  }
}

/**
 * Registers @fastify/swagger (OpenAPI 3.1) on `app`, so every route registered after it is in
 * the spec with its params, querystring, body and response schemas; the agent's WebSocket route
 * too (@fastify/websocket hides it: OpenAPI has no WebSocket, so it shows as the GET that
 * upgrades). Also keeps `app.registeredRoutes`. Register it before the routes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    routes.push({ method: route.method, url: route.url, schema: route.schema, websocket: Boolean((route as { websocket?: boolean }).websocket) });
  });
  await app.register(swagger, {
    // OpenAPI 3.1 has `const`; keep the schemas as they are.
    convertConstToEnum: false,
    transform: ({ schema, url, route }) => ({ schema: (route as { websocket?: boolean }).websocket ? { ...schema, hide: false } : schema, url }),
    openapi: {
      openapi: '3.1.0',
      info: { title: 'FleetMedic', version: '1', description: DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token, device token or metrics token, per route (see the description)' } } },
      security: [{ bearer: [] }],
    },
  });
}

/**
 * `GET /docs` and `GET /docs/json`: the OpenAPI 3.1 document of this server (JSON), for a viewer,
 * operator or admin API token, as the read API. No browser UI: a page opened from an address bar
 * sends no bearer token.
 */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  for (const url of ['/docs', '/docs/json']) {
    app.get(url, {
      onRequest: app.requireRole('viewer'),
      schema: {
        summary: 'This OpenAPI document (JSON); viewer, operator or admin API token',
        response: { 200: Type.Object({ openapi: Type.String() }, { additionalProperties: true }), 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    }, async () => app.swagger());
  }
};
