import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp, createToken } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let viewer: string;

beforeAll(async () => {
  db = await openTestDatabase();
  // The metrics token registers GET /metrics, so the spec covers it too.
  app = await buildTestApp(db, { jobs: false, metricsToken: 'test-metrics-token-0123456789' });
  viewer = await createToken(app, 'docs-reader', 'viewer');
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: unknown;
}
type Spec = { openapi: string; security?: unknown; paths: Record<string, Record<string, Operation>> };

/**
 * A route schema as the spec writes it: as JSON carries it (TypeBox's symbol keys dropped), without
 * `$id`, and with a record's `patternProperties: { "^.*$": S }` as `additionalProperties: S`
 * (@fastify/swagger's rewrites; the second means the same only for that one pattern, so any other
 * pattern is left as it is and fails the comparison).
 */
const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { $id: _id, patternProperties, ...rest } = value as Record<string, unknown>;
  const patterns = Object.entries((patternProperties ?? {}) as Record<string, unknown>);
  if (patterns.length === 1 && patterns[0]![0] === '^.*$') return { ...rest, additionalProperties: patterns[0]![1] };
  return patternProperties === undefined ? rest : { ...rest, patternProperties };
}) as Record<string, unknown>;
/** The spec strips a response schema's description (it becomes the response's). */
const withoutDescription = ({ description: _, ...rest }: Record<string, unknown>) => rest;

describe('OpenAPI at /docs', () => {
  it('needs an API token like the read API: 401 without, 200 for a viewer at /docs and /docs/json', async () => {
    const none = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(none.statusCode).toBe(401);
    expect(none.json().message).toMatch(/this route needs a viewer, operator or admin API token/);
    for (const url of ['/docs', '/docs/json']) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(viewer) });
      expect(res.statusCode, url).toBe(200);
      expect(res.json().openapi).toBe('3.1.0');
    }
  });

  it('shows every registered route with its params, querystring, body and response shapes', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json', headers: bearer(TEST_ADMIN_TOKEN) })).json() as Spec;
    const routes = app.registeredRoutes;
    expect(routes.length).toBeGreaterThan(25);
    let checked = 0;
    for (const route of routes) {
      // Hidden: only the dashboard's page and files (not the API).
      if (route.schema?.hide && !route.websocket) {
        expect(['/', '/*'], `${route.url} is hidden`).toContain(route.url);
        continue;
      }
      const path = spec.paths[route.url.replace(/:(\w+)/g, '{$1}')];
      expect(path, `${route.url} is in the spec`).toBeDefined();
      // HEAD routes are Fastify's automatic twins of GET routes: the GET is the operation.
      for (const method of [route.method].flat().filter((m) => m !== 'HEAD')) {
        const op = path![method.toLowerCase()];
        expect(op, `${method} ${route.url}`).toBeDefined();
        const where = `${method} ${route.url}`;
        const schema = route.schema ?? {};
        for (const [part, location] of [['params', 'path'], ['querystring', 'query']] as const) {
          const declared = schema[part] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
          for (const [name, shape] of Object.entries(declared?.properties ?? {})) {
            const parameter = op!.parameters?.find((p) => p.in === location && p.name === name);
            expect(parameter, `${where}: ${location} parameter ${name}`).toBeDefined();
            expect(parameter!.schema, `${where}: ${location} parameter ${name}`).toEqual(withoutDescription(plain(shape)));
          }
        }
        if (schema.body) expect(op!.requestBody?.content['application/json']?.schema, `${where}: body`).toEqual(plain(schema.body));
        const responses = (schema.response ?? {}) as Record<string, unknown>;
        for (const [status, shape] of Object.entries(responses)) {
          const response = op!.responses[status];
          expect(response, `${where}: response ${status}`).toBeDefined();
          const media = Object.values(response!.content ?? {})[0];
          expect(media?.schema, `${where}: response ${status} shape`).toEqual(plain(shape));
        }
        checked++;
      }
    }
    console.log(`[openapi] ${checked} operations checked against their route schemas`);
    // Bearer tokens everywhere but health and enrollment (its secret is in the body).
    expect(spec.paths['/api/v1/health']?.get?.security).toEqual([]);
    expect(spec.paths['/api/v1/enroll']?.post?.security).toEqual([]);
    expect(spec.security).toEqual([{ bearer: [] }]);
    // The agent socket is there, though @fastify/websocket hides it.
    expect(spec.paths['/api/v1/agent/ws']?.get?.responses['401']).toBeDefined();
  });
});
