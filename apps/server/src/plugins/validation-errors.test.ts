// A value outside a closed list, or a parameter a route does not take, is answered 400 with what
// would have been accepted. Before: `?health=bogus` said "querystring/health must be equal to
// constant" three times, a filter's unknown field "schema is false", and `?status=bogus` on the
// device list was ignored (200, every device). Real server, real database.
import { SECTION_NAMES, explainErrors } from '@fleetmedic/protocol';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, enroll, useTestApp } from '../testing/harness.js';

const ctx = useTestApp({ jobs: false });
let deviceId: string;
beforeAll(async () => {
  deviceId = (await enroll(ctx.app, { hostname: 'val-mbp' })).deviceId;
});

const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.viewer) });
const post = (url: string, payload: object, token = ctx.operator) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), payload });
const refused = (message: string) => ({ error: 'bad-request', message });
const HEALTHS = 'cannot-join, unknown, at-risk, ready';
const FILTER_FIELDS = 'search, finding, health, online';

describe('enum values in query strings', () => {
  it('names the allowed values of health, sort, a batch status and a history section', async () => {
    expect((await get('/api/v1/devices?health=bogus')).json()).toEqual(refused(`querystring/health must be one of ${HEALTHS}; got "bogus"`));
    expect((await get('/api/v1/devices?sort=serial')).json()).toEqual(refused(
      'querystring/sort must be one of worst, hostname, -hostname, lastSeenAt, -lastSeenAt, openFindings, -openFindings, health, -health, enrolledAt, -enrolledAt; got "serial"'));
    expect((await get(`/api/v1/devices/${deviceId}/history?section=camera`)).json()).toEqual(refused(
      `querystring/section must be one of ${SECTION_NAMES.join(', ')}; got "camera"`));
  });

  it('refuses a parameter the route does not take, naming those it does (was ignored: ?status=bogus listed every device)', async () => {
    const res = await get('/api/v1/devices?status=bogus');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(refused(`querystring/status is not allowed here; allowed: ${FILTER_FIELDS}, limit, cursor, sort`));
    expect((await get('/api/v1/fleet/trend?days=3')).json()).toEqual(refused('querystring/days is not allowed here; allowed: hours'));
  });

  it('still accepts every value it lists', async () => {
    for (const health of HEALTHS.split(', ')) expect((await get(`/api/v1/devices?health=${health}`)).statusCode, health).toBe(200);
  });
});

describe('enum values in bodies', () => {
  const collect = { type: 'agent.collect', params: {} };

  it('a batch filter: the health values, and the fields a filter has', async () => {
    const health = await post('/api/v1/batches', { action: collect, dryRun: true, filter: { health: 'sick' } });
    expect(health.statusCode).toBe(400);
    expect(health.json()).toEqual(refused(`body/filter/health must be one of ${HEALTHS}; got "sick"`));
    const status = await post('/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: true, filter: { status: 'offline' } });
    expect(status.json()).toEqual(refused(`body/filter/status is not allowed here; allowed: ${FILTER_FIELDS}`));
    const finding = await post('/api/v1/batches', { action: collect, dryRun: true, filter: { finding: 'tcc.webcam.denied' } });
    expect(finding.json().message).toMatch(/^unknown finding id "tcc.webcam.denied"; known: tcc.camera.denied, tcc.microphone.denied, /);
  });

  it('a token role, and a TCC service of an action (checked by the remediation scope)', async () => {
    const role = await post('/api/v1/admin/tokens', { name: 'x', role: 'root' }, TEST_ADMIN_TOKEN);
    expect(role.json()).toEqual(refused('body/role must be one of viewer, operator, admin; got "root"'));
    const service = await post(`/api/v1/devices/${deviceId}/commands`, { action: { type: 'tcc.reset', params: { service: 'Webcam', bundleId: 'us.zoom.xos' } } });
    expect(service.statusCode).toBe(400);
    expect(service.json().message).toBe('invalid action: refused parameter service "Webcam": tcc.reset may reset Camera, Microphone, ScreenCapture (an admin widens this in the policy)');
  });
});

describe('explainErrors', () => {
  const schema = Type.Object({
    level: Type.Union([Type.Literal('low'), Type.Literal('high'), Type.Null()]),
    name: Type.Union([Type.String({ maxLength: 3 }), Type.Null()]),
    tags: Type.Optional(Type.Array(Type.Object({ k: Type.Enum(['a', 'b']) }, { additionalProperties: false }))),
  }, { additionalProperties: false });
  const explain = (value: unknown) => explainErrors([...Compile(schema).Errors(value)], schema, value).map((e) => `${e.instancePath} ${e.message}`);

  it('lists constants (null included), quotes the value cut to 40 characters, and leaves other unions and errors alone', () => {
    // 12 constants: TypeBox stops at 8 errors, before its "must match a schema in anyOf".
    const months = Type.Union(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m) => Type.Literal(m)));
    const errors = [...Compile(months).Errors('smarch')];
    expect(errors.map((e) => e.keyword)).not.toContain('anyOf');
    expect(explainErrors(errors, months, 'smarch').map((e) => e.message)).toEqual(['must be one of jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec; got "smarch"']);
    expect(explain({ level: 'x'.repeat(50), name: null })).toEqual([`/level must be one of low, high, null; got "${'x'.repeat(40)}..."`]);
    const other = explain({ level: 'low', name: 'long' });
    expect(other).toContain('/name must match a schema in anyOf');
    expect(other.some((m) => m.includes('must be one of'))).toBe(false);
  });

  it('names the refused properties one by one, nested in arrays too, with the allowed ones', () => {
    expect(explain({ level: null, name: null, a: 1, 'b/c': 2 })).toEqual([
      '/a is not allowed here; allowed: level, name, tags',
      '/b~1c is not allowed here; allowed: level, name, tags',
    ]);
    expect(explain({ level: null, name: null, tags: [{ k: 'a' }, { k: 'z', v: 1 }] })).toEqual([
      '/tags/1/v is not allowed here; allowed: k',
      '/tags/1/k must be one of a, b; got "z"',
    ]);
  });
});
