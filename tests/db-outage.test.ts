// Issue 15, item 3: Postgres stopped 32.5 s under 60 agents; 19 % of the reports got `internal
// ... send it again later`, the agents only logged it and resent at reconnect (the sockets stayed
// open), and the API answered 500. Here: a Postgres cluster of the test's own, the real server on
// 127.0.0.1, real agent daemons over real sockets (recorded Macs through the real collectors).
// Postgres is stopped while the agents report; the API must answer 503 with Retry-After, the
// agents must be told when to retry and resend on the open socket; after the restart every
// report is stored exactly once within the 30 s the issue allows (the only wait bound).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentDaemon, collectHost, collectSnapshot, ReplayRunner, type DaemonEvent } from '@fleetmedic/agent';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetMedicApp, openDatabase, type Database } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp } from '@fleetmedic/server/testing/harness';
import { startOwnPostgres, type OwnPostgres } from '@fleetmedic/server/testing/own-postgres';
import { RECORDED_MACS, waitFor } from './support/agents.js';

const RECORDED = ['mbp-m1max-14-healthy', 'mba-m2-14-camera-denied', 'mbp-m1pro-15-zoom-outdated', 'mbp-m2pro-26-firewall-blocks-zoom', 'macmini-m4-27-tcc-unreadable', 'mbp-intel-t2-12-macos-outdated'];
// For the figures in docs/reliability.md: OUTAGE_AGENTS=60 OUTAGE_SECONDS=32 reruns the outside pass's outage.
const AGENTS = Number(process.env.OUTAGE_AGENTS ?? RECORDED.length);
/** Least time Postgres stays down, ms (beyond it: until every agent was told to retry a resend). */
const OUTAGE_MS = Number(process.env.OUTAGE_SECONDS ?? 0) * 1000;
/** Recorded Macs in turn; past the sixth each gets a serial of its own (`-2`, `-3`, ...) so it enrolls as its own device. */
const MACS = Array.from({ length: AGENTS }, (_, i) => ({ mac: RECORDED[i % RECORDED.length]!, copy: Math.floor(i / RECORDED.length) }));
/** Reports each agent makes while Postgres is down. */
const DURING_OUTAGE = 3;
/** The first agent's outbox holds 2 reports: the outage outlasts it (its firewall changes as Postgres stops). */
const SMALL_OUTBOX = 2;

let cluster: OwnPostgres;
let db: Database;
let app: FleetMedicApp;
let url: string;
const agents: { daemon: AgentDaemon; events: DaemonEvent[] }[] = [];

beforeAll(async () => {
  cluster = await startOwnPostgres();
  db = await openDatabase({ databaseUrl: cluster.url });
  app = await buildTestApp(db);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const [i, { mac, copy }] of MACS.entries()) {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), `fm-outage-${mac}-`));
    const runner = await ReplayRunner.open(path.join(RECORDED_MACS, mac), { stateDir: path.join(stateDir, 'replay') });
    const real = await collectSnapshot(runner, { serverUrl: url });
    const host = { ...real.host, serialNumber: copy === 0 ? real.host.serialNumber : `${real.host.serialNumber ?? 'NOSERIAL'}-${copy + 1}` };
    const snapshot = { ...real, host };
    const facts = { ...(await collectHost(runner)), serialNumber: host.serialNumber };
    const changed = { ...snapshot, sections: { ...snapshot.sections, firewall: { status: 'unavailable' as const, sources: ['socketfilterfw --getglobalstate'], reason: 'socketfilterfw exited 1' } } };
    const events: DaemonEvent[] = [];
    const daemon = await AgentDaemon.start({
      serverUrl: url, enrollSecret: TEST_ENROLL_SECRET, stateDir, runner, logger: pino({ level: 'silent' }),
      schedule: null, jitterSeconds: 0, minBackoffMs: 200, maxBackoffMs: 2_000,
      ...(i === 0 ? { outboxMaxFiles: SMALL_OUTBOX } : {}),
      host: async () => facts,
      collect: async () => ({ ...(i === 0 && events.length > 0 ? changed : snapshot), collectedAt: new Date().toISOString() }),
      onEvent: (e) => events.push(e),
    });
    agents.push({ daemon, events });
  }
}, 120_000);
afterAll(async () => {
  for (const a of agents) await a.daemon.stop();
  await app?.close();
  await db?.close();
  await cluster?.destroy();
});

const reportIds = (events: DaemonEvent[]) => events.flatMap((e) => (e.type === 'report' ? [e.id] : []));
const acked = (events: DaemonEvent[], id: string) => events.some((e) => e.type === 'acked' && e.id === id);

/**
 * Reports the server counted, all devices together. A report that changes nothing keeps no Report
 * row (history lean): it is counted once in Device.reportCount, and a resend of it is a duplicate.
 */
async function storedReports(): Promise<number> {
  const { _sum } = await db.prisma.device.aggregate({ _sum: { reportCount: true } });
  return _sum.reportCount ?? 0;
}

describe('Postgres stopped while agents report', () => {
  it('answers 503 with Retry-After, agents resend on the open socket, every report stored once after the restart', async () => {
    await waitFor('every start-up report acked', async () => (agents.every((a) => reportIds(a.events).every((id) => acked(a.events, id))) ? true : undefined), 60_000);

    await cluster.stop('fast');
    const stopped = Date.now();
    for (const p of ['/api/v1/devices', '/api/v1/fleet/summary']) {
      const res = await fetch(`${url}${p}`, { headers: bearer(TEST_ADMIN_TOKEN) });
      expect(res.status, p).toBe(503);
      expect(res.headers.get('retry-after'), p).toBe('5');
      expect(await res.json(), p).toEqual({ error: 'unavailable', message: 'the database is unreachable; try again in 5 seconds' });
    }
    for (let i = 0; i < DURING_OUTAGE; i++) await Promise.all(agents.map((a) => a.daemon.collectNow('outage')));
    // Each agent is told to retry each report, then resends on its open socket and is told again (the database is still down).
    await waitFor('every agent told to retry a resend', async () =>
      (agents.every((a) => a.events.filter((e) => e.type === 'retry').length > DURING_OUTAGE) ? true : undefined), 60_000);
    expect(agents.every((a) => a.daemon.connected)).toBe(true);
    expect(agents.every((a) => a.events.filter((e) => e.type === 'connected').length === 1)).toBe(true);

    const rest = OUTAGE_MS - (Date.now() - stopped);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const retries = agents.flatMap((a) => a.events.filter((e): e is Extract<DaemonEvent, { type: 'retry' }> => e.type === 'retry'));
    expect(new Set(retries.map((r) => r.code))).toEqual(new Set(['unavailable']));
    await cluster.start();
    const restarted = Date.now();
    // The small outbox dropped the oldest report repeating the one before it, not the older one that carried the change.
    const small = agents[0]!.events;
    const [, changedFirst, repeat] = reportIds(small);
    expect(small.filter((e) => e.type === 'dropped')).toEqual([{ type: 'dropped', ids: [repeat] }]);
    const ids = agents.flatMap((a) => reportIds(a.events)).filter((id) => id !== repeat);
    expect(ids).toHaveLength(MACS.length * (1 + DURING_OUTAGE) - 1);
    expect(ids).toContain(changedFirst);
    // An ack comes only after the report's commit.
    await waitFor('every report stored', async () => (agents.every((a) => reportIds(a.events).filter((id) => id !== repeat).every((id) => acked(a.events, id))) ? true : undefined), 30_000);
    const seconds = (Date.now() - restarted) / 1000;

    // Once each: the server counted exactly the reports made, none twice for all the resends.
    expect(await storedReports()).toBe(ids.length);
    await waitFor('every outbox empty', async () => ((await Promise.all(agents.map((a) => a.daemon.outbox.ids()))).every((w) => w.length === 0) ? true : undefined), 30_000);
    expect(agents.every((a) => a.events.filter((e) => e.type === 'connected').length === 1)).toBe(true);
    // The next report tells the server how many were dropped; an admin finds it in the audit log.
    await agents[0]!.daemon.collectNow('after the outage');
    const audit = await waitFor('the drop audited', async () => {
      const res = await fetch(`${url}/api/v1/admin/audit?action=agent.outbox-dropped`, { headers: bearer(TEST_ADMIN_TOKEN) });
      const { entries } = (await res.json()) as { entries: { actor: string; target: string; params: { count: number } }[] };
      return entries.length > 0 ? entries : undefined;
    }, 30_000);
    expect(audit).toMatchObject([{ actor: 'system', params: { count: 1 } }]);
    expect(audit[0]!.target).toMatch(/^device:/);
    const devices = await fetch(`${url}/api/v1/devices`, { headers: bearer(TEST_ADMIN_TOKEN) });
    expect(devices.status).toBe(200);
    console.info(`[db-outage] ${ids.length} reports delivered from ${MACS.length} agents (${MACS.length * DURING_OUTAGE} made while Postgres was down, 1 of them dropped `
      + `by a ${SMALL_OUTBOX}-report outbox), ${retries.length} retry answers while down (${((restarted - stopped) / 1000).toFixed(1)} s); all stored once ${seconds.toFixed(1)} s after the restart`);
  }, 180_000);
});
