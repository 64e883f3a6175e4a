// The central error handler on the listening server, fed the bodies a newcomer's curl sends.
// Found by a newcomer: `curl -d '{...}'` without -H sends application/x-www-form-urlencoded and
// got "Unsupported Media Type" with no hint of what to send instead.
import { describe, expect, it } from 'vitest';
import { bearer, enroll, useTestApp } from './testing/harness.js';

const ctx = useTestApp();

/** POST over HTTP to the listening app, `headers` as given (no Content-Type unless named). */
async function post(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: { error: string; message: string } }> {
  const base = ctx.url.replace(/^ws/, 'http').replace(/\/api\/v1\/agent\/ws$/, '');
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, json: await res.json() as { error: string; message: string } };
}

const ACTION = '{"action":{"type":"zoom.quit","params":{}}}';

describe('a command body sent as something other than JSON', () => {
  it('form-encoded (curl -d without -H): 415 naming the type sent and the Content-Type to send; nothing stored', async () => {
    const { deviceId } = await enroll(ctx.app);
    const res = await post(`/api/v1/devices/${deviceId}/commands`, { ...bearer(ctx.operator), 'content-type': 'application/x-www-form-urlencoded' }, ACTION);
    expect(res.status).toBe(415);
    expect(res.json).toEqual({
      error: 'unsupported-media-type',
      message: 'Unsupported Media Type: the request had Content-Type "application/x-www-form-urlencoded"; send the body as JSON with the header Content-Type: application/json',
    });
    expect(await ctx.db.prisma.command.count({ where: { deviceId } })).toBe(0);
  });

  it('text/plain, or no body and no Content-Type: the 400 body error says to send JSON', async () => {
    const { deviceId } = await enroll(ctx.app);
    const text = await post(`/api/v1/devices/${deviceId}/commands`, { ...bearer(ctx.operator), 'content-type': 'text/plain' }, ACTION);
    expect(text.status).toBe(400);
    expect(text.json.message).toBe('body must be object (the request had Content-Type "text/plain": send the body as JSON with the header Content-Type: application/json)');
    const none = await post(`/api/v1/devices/${deviceId}/commands`, bearer(ctx.operator));
    expect(none.status).toBe(400);
    expect(none.json.message).toMatch(/\(the request had no Content-Type: send the body as JSON with the header Content-Type: application\/json\)$/);
    expect(await ctx.db.prisma.command.count({ where: { deviceId } })).toBe(0);
  });

  it('JSON without the { action } wrapper: the 400 names the missing property, with no Content-Type hint', async () => {
    const { deviceId } = await enroll(ctx.app);
    const bare = await post(`/api/v1/devices/${deviceId}/commands`, { ...bearer(ctx.operator), 'content-type': 'application/json; charset=utf-8' }, '{"type":"zoom.quit","params":{}}');
    expect(bare.status).toBe(400);
    expect(bare.json.message).toBe('body must have required properties action');
    const wrapped = await post(`/api/v1/devices/${deviceId}/commands`, { ...bearer(ctx.operator), 'content-type': 'application/json' }, ACTION);
    expect(wrapped.status).toBe(201);
  });
});
