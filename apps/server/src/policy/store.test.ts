// The policy is kept in memory between changes; a change made through one instance reaches
// another through the notify bus (two apps on one database, as in a scale-out).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '../app.js';
import { CHANNELS, createNotifyBus, type PgNotificationSource } from '../cluster/notify-bus.js';
import { PolicyStore } from './store.js';
import { TEST_ADMIN_TOKEN, bearer, buildTestApp, enroll, eventually, useTestApp } from '../testing/harness.js';

const ctx = useTestApp();
let b: FleetMedicApp;
beforeAll(async () => {
  b = await buildTestApp(ctx.db);
});
afterAll(async () => {
  await b?.close(); // hooks run in reverse: before the first app and the database
});

/** The first instance (its app is set once the hooks ran). */
const a = () => ctx.app;
const ACCESSIBILITY = { type: 'tcc.reset', params: { service: 'Accessibility', bundleId: 'us.zoom.xos' } };
const putPolicy = (app: FleetMedicApp, payload: Record<string, unknown>) =>
  app.inject({ method: 'PUT', url: '/api/v1/policy', headers: bearer(TEST_ADMIN_TOKEN), payload });
const post = (app: FleetMedicApp, deviceId: string) =>
  app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(TEST_ADMIN_TOKEN), payload: { action: ACCESSIBILITY } });

describe('PolicyStore', () => {
  it('reads the row once between changes: the same copy answers every use', async () => {
    const first = await b.services.policy.current();
    expect(first.source).toBe('config');
    expect(await b.services.policy.current()).toBe(first);
  });

  it('a change through one instance is in force on the other once its notification arrives, and on the first at once', async () => {
    const { deviceId } = await enroll(a());
    expect((await post(b, deviceId)).statusCode).toBe(400); // Accessibility is outside the default scope
    const before = await b.services.policy.current();
    try {
      const put = await putPolicy(a(), { tccResetServices: ['Camera', 'Accessibility'] });
      expect(put.statusCode).toBe(200);
      expect(put.json().source).toBe('stored');
      // The writer reads its own write without waiting for the notification.
      expect((await a().services.policy.current()).policy.tccResetServices).toEqual(['Camera', 'Accessibility']);
      await eventually(async () => (await b.services.policy.current()) !== before);
      expect((await b.services.policy.current()).policy.tccResetServices).toEqual(['Camera', 'Accessibility']);
      expect((await post(b, deviceId)).statusCode).toBe(201);
    } finally {
      expect((await putPolicy(a(), {})).statusCode).toBe(200);
    }
    await eventually(async () => (await b.services.policy.current()).policy.tccResetServices.length === 3);
    expect((await post(b, deviceId)).statusCode).toBe(400);
  });

  it('drops its copy when its LISTEN connection came back: a notification may have been missed (Postgres)', async (t) => {
    t.skip(ctx.db.kind !== 'postgres', 'PGlite has no separate LISTEN connection to lose (set DATABASE_URL)');
    // b has heard this change (its store's handler runs before ours) and holds a copy read after it.
    const heard = new Promise<void>((resolve) => {
      const off = b.services.bus.on(CHANNELS.policy, () => (off(), resolve()));
    });
    await putPolicy(a(), {});
    await heard;
    const held = await b.services.policy.current();
    // Written past the store, so no instance is told.
    await ctx.db.prisma.policy.update({ where: { id: 'default' }, data: { updatedBy: 'written-while-not-listening' } });
    expect(await b.services.policy.current()).toBe(held);
    const source = (b.services.bus as unknown as { source: PgNotificationSource }).source;
    await ctx.db.prisma.$queryRaw`SELECT pg_terminate_backend(${source.backendPid}::int) AS terminated`;
    await eventually(async () => b.services.bus.counts.reconnects === 1);
    expect((await b.services.policy.current()).updatedBy).toBe('written-while-not-listening');
  });

  it('reads the row at every use while its bus is not listening (a change would not be heard)', async () => {
    const bus = createNotifyBus(ctx.db, console); // never started: state idle
    const store = new PolicyStore(ctx.db.commandPrisma, {}, bus);
    const first = await store.current();
    expect(await store.current()).not.toBe(first);
    await putPolicy(a(), { tccResetServices: ['Microphone'] });
    try {
      expect((await store.current()).policy.tccResetServices).toEqual(['Microphone']);
    } finally {
      await putPolicy(a(), {});
    }
  });

  it('audits the stored policy as "before", not this instance\'s copy', async () => {
    await putPolicy(a(), {});
    await eventually(async () => (await b.services.policy.current()).source === 'stored');
    const held = (await b.services.policy.current()).policy;
    // Written past the store: b's copy is stale for certain.
    await ctx.db.prisma.policy.update({ where: { id: 'default' }, data: { data: { ...held, tccResetServices: ['Camera'] } } });
    try {
      expect((await putPolicy(b, { tccResetServices: ['Microphone'] })).statusCode).toBe(200);
      const row = await ctx.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'policy.update' }, orderBy: { id: 'desc' } });
      expect((row.params as { before: { tccResetServices: string[] } }).before.tccResetServices).toEqual(['Camera']);
    } finally {
      await putPolicy(a(), {});
    }
  });
});
