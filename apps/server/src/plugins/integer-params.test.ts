import Fastify from 'fastify';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { installErrorHandlers } from '../errors.js';
import { strictValidatorCompiler } from './validator.js';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp, enroll } from '../testing/harness.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;
let app: FleetMedicApp;
let deviceId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db, { jobs: false });
  deviceId = (await enroll(app)).deviceId;
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(TEST_ADMIN_TOKEN) });

/** Every integer query parameter of the API, with a value in its range. */
const INTEGER_PARAMS = () => [
  { path: '/api/v1/fleet/trend', name: 'hours', good: '24' },
  { path: '/api/v1/devices', name: 'limit', good: '10' },
  { path: `/api/v1/devices/${deviceId}/history`, name: 'limit', good: '10' },
  { path: `/api/v1/devices/${deviceId}/commands`, name: 'limit', good: '10' },
  { path: '/api/v1/admin/audit', name: 'limit', good: '10' },
];

/** Texts that TypeBox's conversion alone turned into integers in range (1.5 -> 1, 0x10 -> 16, true -> 1, 1e2 -> 100). */
const NOT_DECIMAL_INTEGERS = ['1.5', '10.0', '1e2', '0x10', '0b11', 'true', ' 5', '5 ', '+5', '5abc', ''];

describe('integer query parameters', () => {
  it('accept decimal digits (leading zeros included)', async () => {
    for (const { path, name, good } of INTEGER_PARAMS()) {
      expect((await get(`${path}?${name}=${good}`)).statusCode, path).toBe(200);
      expect((await get(`${path}?${name}=00${good}`)).statusCode, `${path} 00${good}`).toBe(200);
    }
  });

  it('refuse fractions, exponents, hex, binary, booleans, signs and spaces with 400 naming the parameter and the text', async () => {
    for (const { path, name } of INTEGER_PARAMS()) {
      for (const text of NOT_DECIMAL_INTEGERS) {
        const res = await get(`${path}?${name}=${encodeURIComponent(text)}`);
        expect(res.statusCode, `${path}?${name}=${text}`).toBe(400);
        expect(res.json()).toEqual({ error: 'bad-request', message: `querystring/${name} must be an integer written in decimal digits, got ${JSON.stringify(text)}` });
      }
    }
  });

  it('refuses GET /api/v1/fleet/trend?hours=1.5 (answered 200 as hours=1 before)', async () => {
    const res = await get('/api/v1/fleet/trend?hours=1.5');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('querystring/hours must be an integer written in decimal digits, got "1.5"');
  });

  it('refuses digits beyond 2^53 with a reason (they would be rounded), and still checks the range after', async () => {
    const huge = await get('/api/v1/devices?limit=9007199254740993');
    expect(huge.statusCode).toBe(400);
    expect(huge.json().message).toBe(`querystring/limit must be an integer written in decimal digits within ±${Number.MAX_SAFE_INTEGER}, got "9007199254740993"`);
    const over = await get('/api/v1/devices?limit=501');
    expect(over.statusCode).toBe(400);
    expect(over.json().message).toMatch(/limit/);
  });

  it('checks every value of a repeated parameter', async () => {
    const res = await get('/api/v1/devices?limit=5&limit=2.5');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('got "2.5"');
  });
});

describe('strictValidatorCompiler on numbers and params', () => {
  it('takes decimal fractions for Type.Number, refuses exponents and hex; checks path params too; leaves bodies to TypeBox', async () => {
    const probe = Fastify();
    probe.setValidatorCompiler(strictValidatorCompiler);
    installErrorHandlers(probe);
    probe.get('/ratio/:n', {
      schema: { params: Type.Object({ n: Type.Integer() }), querystring: Type.Object({ r: Type.Optional(Type.Number()) }) },
    }, async (request) => ({ params: request.params, query: request.query }));
    probe.post('/body', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async (request) => request.body);
    try {
      const ok = await probe.inject({ method: 'GET', url: '/ratio/7?r=-0.25' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ params: { n: 7 }, query: { r: -0.25 } });
      for (const r of ['1e3', '0x1f', '.5', '5.', 'NaN', 'Infinity']) {
        const res = await probe.inject({ method: 'GET', url: `/ratio/7?r=${r}` });
        expect(res.statusCode, r).toBe(400);
        expect(res.json().message, r).toBe(`querystring/r must be a decimal number, got ${JSON.stringify(r)}`);
      }
      const param = await probe.inject({ method: 'GET', url: '/ratio/7.5' });
      expect(param.statusCode).toBe(400);
      expect(param.json().message).toBe('params/n must be an integer written in decimal digits, got "7.5"');
      // A JSON body is typed already: 1.5 is refused by TypeBox itself, "3" is not converted.
      expect((await probe.inject({ method: 'POST', url: '/body', payload: { n: 1.5 } })).statusCode).toBe(400);
      expect((await probe.inject({ method: 'POST', url: '/body', payload: { n: '3' } })).statusCode).toBe(400);
      expect((await probe.inject({ method: 'POST', url: '/body', payload: { n: 3 } })).json()).toEqual({ n: 3 });
    } finally {
      await probe.close();
    }
  });
});
