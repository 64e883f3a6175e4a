// Bad input is a 4xx with a reason, never a 500: control characters at the schema edge, the
// token checked before any schema, HEAD on the event stream, renames kept in the history.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, enroll, useTestApp } from './testing/harness.js';
import { buildSnapshot } from './testing/snapshots.js';

const ctx = useTestApp();

describe('control characters in params, querystrings and bodies', () => {
  it.each([
    ['GET', '/api/v1/commands/%00', 'params/id must not contain control characters'],
    ['GET', '/api/v1/commands/a%1Bb', 'params/id must not contain control characters'],
    ['POST', '/api/v1/commands/%00/cancel', 'params/id must not contain control characters'],
    ['GET', '/api/v1/admin/audit?action=%00', 'querystring/action must not contain control characters'],
    ['GET', '/api/v1/admin/audit?action=command.create%0A', 'querystring/action must not contain control characters'],
  ] as const)('%s %s is 400: %s', async (method, url, message) => {
    const res = await ctx.app.inject({ method, url, headers: bearer(TEST_ADMIN_TOKEN) });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe(message);
  });

  it('a NUL in a JSON body string is 400 naming where (Postgres cannot store it)', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(TEST_ADMIN_TOKEN), payload: { name: 'a\u0000b', role: 'viewer' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('body/name must not contain NUL (\\u0000)');
  });
});

describe('the token is checked before anything else', () => {
  it.each([
    ['GET', '/api/v1/devices/not-a-uuid', undefined],
    ['GET', '/api/v1/devices?limit=abc&bogus=1', undefined],
    ['GET', '/api/v1/commands/%00', undefined],
    ['POST', '/api/v1/devices/not-a-uuid/commands', '{"action":'],
    ['POST', '/api/v1/batches', '{"unknown": true}'],
  ] as const)('%s %s without a token is 401', async (method, url, body) => {
    const res = await ctx.app.inject({ method, url, ...(body ? { payload: body, headers: { 'content-type': 'application/json' } } : {}) });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/^missing API token/);
  });
});

describe('HEAD /api/v1/events', () => {
  it('answers the stream headers at once, and 401 without a token', async () => {
    const res = await ctx.app.inject({ method: 'HEAD', url: '/api/v1/events', headers: bearer(ctx.viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.body).toBe('');
    expect((await ctx.app.inject({ method: 'HEAD', url: '/api/v1/events' })).statusCode).toBe(401);
  });
});

describe('a report that renames its Mac', () => {
  it('keeps every rename, even to another Mac\'s name, in the history; control characters are refused', async () => {
    const serial = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'rename-anna', serialNumber: serial });
    await enroll(ctx.app, { hostname: 'rename-boss' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    const report = async (hostname: string) => {
      const id = `report-${randomUUID()}`;
      agent.send({ type: 'report', id, snapshot: buildSnapshot({ hostname, serialNumber: serial }) });
      return { id, answer: await agent.next((m) => (m.type === 'ack' || m.type === 'error') && m.id === id) };
    };
    expect((await report('rename-anna')).answer.type).toBe('ack');
    const taken = await report('rename-boss');
    expect(taken.answer.type).toBe('ack');
    const evil = await report('rename-\u001b[31mred');
    expect(evil.answer).toMatchObject({ type: 'error', code: 'invalid-report', message: expect.stringContaining('hostname') });
    const history = (await ctx.app.inject({ url: `/api/v1/devices/${deviceId}/history`, headers: bearer(ctx.viewer) })).json();
    expect(history.hostnameChanges).toEqual([
      { id: expect.any(String), fromHostname: 'rename-anna', toHostname: 'rename-boss', reportId: taken.id, changedAt: expect.any(String) },
    ]);
    expect((await ctx.db.prisma.device.findUniqueOrThrow({ where: { id: deviceId } })).hostname).toBe('rename-boss');
  });
});
