import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../testing/agent-server.js';
import { enroll, EnrollError, parseRetryAfter } from './enroll.js';

const HOST = { hostname: 'tiny-mac', serialNumber: 'C02TINY0001', hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' as const };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A real HTTP server on 127.0.0.1 whose enrollment route runs `answer`; its URL. */
async function serverAnswering(answer: (res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function enrollError(url: string, timeoutMs?: number, enrollSecret = 'secret-12345'): Promise<EnrollError> {
  const error = await enroll(url, { enrollSecret, host: HOST }, timeoutMs).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(EnrollError);
  return error as EnrollError;
}

describe('enroll', () => {
  it('posts the request as JSON and returns the device id, token and the key to pin', async () => {
    const srv = await startServer();
    closers.push(() => srv.close());
    const answer = await enroll(srv.url, { enrollSecret: 'secret-12345', host: HOST });
    expect(answer).toMatchObject({ deviceId: 'device-1', deviceToken: 'token-1' });
    expect(answer.serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(srv.state.enrollments).toEqual([{ enrollSecret: 'secret-12345', host: HOST }]);
  });

  it('a refusal carries the HTTP status and the server\'s words', async () => {
    const srv = await startServer();
    closers.push(() => srv.close());
    const error = await enrollError(srv.url, undefined, 'wrong-secret');
    expect(error.status).toBe(401);
    expect(error.message).toBe(`enrollment refused by ${srv.url}/api/v1/enroll: HTTP 401 {"error":"bad enroll secret"}`);
  });

  it('a 429 carries the wait its Retry-After asked for, in seconds or as an HTTP date; a refusal without one carries null', async () => {
    const seconds = await enrollError(await serverAnswering((res) => res.writeHead(429, { 'retry-after': '120' }).end('{"error":"too-many-requests"}')));
    expect(seconds.status).toBe(429);
    expect(seconds.retryAfterMs).toBe(120_000);
    const at = new Date(Date.now() + 3_600_000).toUTCString();
    const dated = await enrollError(await serverAnswering((res) => res.writeHead(429, { 'retry-after': at }).end()));
    expect(dated.retryAfterMs).toBeGreaterThan(3_000_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    const srv = await startServer();
    closers.push(() => srv.close());
    expect((await enrollError(srv.url, undefined, 'wrong-secret')).retryAfterMs).toBeNull();
  });

  it('parseRetryAfter: delay-seconds, an HTTP date (past: 0), anything else null', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('600', now)).toBe(600_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:10:00 GMT', now)).toBe(600_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '2026-03-01T12:10:00Z', 'Sun, 99 Foo 2026 GMT']) expect(parseRetryAfter(bad, now)).toBeNull();
  });

  it('an answer that is not JSON, or not an enrollment, is an error that quotes it', async () => {
    const notJson = await enrollError(await serverAnswering((res) => res.writeHead(200).end('<html>proxy login</html>')));
    expect(notJson.message).toMatch(/is not JSON: <html>proxy login<\/html>$/);
    const malformed = await enrollError(await serverAnswering((res) => res.writeHead(200).end('{"deviceId":"d"}')));
    expect(malformed.message).toMatch(/is malformed: .*deviceToken/);
    expect(malformed.status).toBe(200);
  });

  it('no server, no answer in time, or an oversized answer: "cannot reach" with the cause, and no status', async () => {
    const closed = await serverAnswering(() => {});
    await closers.pop()!();
    const refused = await enrollError(closed);
    expect(refused.status).toBeNull();
    expect(refused.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/enroll: .*ECONNREFUSED/);

    const silent = await enrollError(await serverAnswering(() => {}), 300);
    expect(silent.message).toMatch(/^cannot reach .*: no answer in 300 ms$/);

    const huge = await enrollError(await serverAnswering((res) => res.writeHead(200).end('x'.repeat(2 * 1024 * 1024))));
    expect(huge.message).toMatch(/answer larger than 1048576 bytes$/);
  });
});
