// Adversarial probes of the failed-authentication limit: an attacker who rotates X-Forwarded-For
// (trustProxy off, or a proxy that is not trusted) or writes its address in other forms must not
// get a fresh counter. Probed on real sockets with real Postgres; no defect found, kept as guards.
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_FAILURE_LIMIT } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, bearer, useTestApp } from '@fleetmedic/server/testing/harness';

const { maxFailures } = DEFAULT_AUTH_FAILURE_LIMIT;

describe('trustProxy off: X-Forwarded-For is not the client', () => {
  const ctx = useTestApp();
  const http = () => ctx.url.replace(/^ws/, 'http').replace('/api/v1/agent/ws', '');

  it(`${maxFailures + 10} wrong admin tokens over a real socket, each with a new X-Forwarded-For: the socket address is blocked all the same`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < maxFailures + 10; i++) {
      const res = await fetch(`${http()}/api/v1/devices`, {
        headers: { ...bearer(`spoof-${i}-admin-token`), 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `203.0.113.${i + 1}`, forwarded: `for=203.0.113.${i + 1}` },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(maxFailures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // The loopback address is blocked for wrong tokens, whatever X-Forwarded-For says.
    const wrong = await fetch(`${http()}/api/v1/devices`, { headers: { ...bearer('spoof-last-admin-token'), 'x-forwarded-for': '198.51.100.200' } });
    await wrong.arrayBuffer();
    expect(wrong.status).toBe(429);
  });

  it('IPv4-mapped IPv6 and expanded IPv6 forms of one address share its counter', async () => {
    const forms = ['198.51.100.90', '::ffff:198.51.100.90', '::ffff:c633:645a'];
    const statuses: number[] = [];
    for (let i = 0; i < maxFailures + 3; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress: forms[i % forms.length], headers: bearer(`form-${i}-admin-token`) });
      statuses.push(res.statusCode);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(maxFailures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });
});

describe('trustProxy names one proxy: a client outside it cannot choose its address', () => {
  const ctx = useTestApp({ trustProxy: ['10.0.0.1'] });

  it('X-Forwarded-For from an untrusted peer is ignored; from the trusted proxy it names the client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < maxFailures + 5; i++) {
      const res = await ctx.app.inject({
        method: 'GET', url: '/api/v1/devices', remoteAddress: '198.51.100.91', headers: { ...bearer(`untrusted-${i}-token`), 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // Behind the trusted proxy, another client is its own address: not blocked.
    const viaProxy = await ctx.app.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress: '10.0.0.1', headers: { ...bearer(TEST_ADMIN_TOKEN), 'x-forwarded-for': '198.51.100.92' } });
    expect(viaProxy.statusCode).toBe(200);
    // ...while the blocked client cannot escape through the proxy either.
    const blockedViaProxy = await ctx.app.inject({ method: 'GET', url: '/api/v1/devices', remoteAddress: '10.0.0.1', headers: { ...bearer('untrusted-last-token'), 'x-forwarded-for': '198.51.100.91' } });
    expect(blockedViaProxy.statusCode).toBe(429);
  });
});
