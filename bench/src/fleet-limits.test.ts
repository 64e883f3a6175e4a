// The fleet simulator at its process's limits, as at 20,000 Macs.
// - Open files (10,000 sockets per process, 20,000 files at most): every command still gets its
//   result stored. In the 20,000-Mac run, 25 agent.collect commands stayed "acknowledged" forever:
//   each simulated Mac wrote its executed.json at every command, 10,000 writes at once ran the
//   process out of files (EMFILE), and the agent's executor gave up after its ack, silently.
// - A worker that stops answering: the driver's calls fail within their bound. A stuck simulator
//   once held `pnpm bench` past its 60-minute bound (15 minutes allowed per call), figures unprinted.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { FleetProcesses } from './fleet-procs.js';

const AGENTS = 20;
/** Files the worker may open beyond those open once its Macs are connected: fewer than one per Mac. */
const SPARE_FILES = 8;
/** The driver's bound on quick calls (counters, command timings) in this test, ms. */
const QUICK_CALL_MS = 3_000;
let db: TestDatabase;
let app: FleetMedicApp;
let fleet: FleetProcesses;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  fleet = await FleetProcesses.start({ agents: AGENTS, processes: 1, serverUrl: url, enrollSecret: TEST_ENROLL_SECRET, intervalSeconds: 3600, changeProbability: 0, timeoutMs: 60_000, quickCallMs: QUICK_CALL_MS });
  const [pid] = fleet.pids;
  const open = readdirSync(`/proc/${pid}/fd`).length;
  // Lowering one's own soft limit needs no privilege; util-linux's prlimit does it for another process.
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${open + SPARE_FILES}:`]);
});

afterAll(async () => {
  await fleet?.stop();
  await app?.close();
  await db?.cleanup();
});

describe('fleet simulator at its limits', () => {
  it('stores the result of a command sent to every Mac at once', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/batches', headers: bearer(TEST_ADMIN_TOKEN),
      payload: { action: { type: 'agent.collect', params: {} }, dryRun: false },
    });
    expect(res.statusCode).toBe(201);
    const statuses = async () => (await db.prisma.command.groupBy({ by: ['status'], _count: true })).map((g) => `${g._count} ${g.status}`).sort();
    const end = Date.now() + 30_000;
    while ((await statuses()).join() !== `${AGENTS} succeeded` && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(await statuses()).toEqual([`${AGENTS} succeeded`]);
    expect((await fleet.stats()).resultsAcked).toBe(AGENTS);
  });

  it('a worker that stops answering fails the driver\'s calls within their bound instead of holding it', async () => {
    const [pid] = fleet.pids;
    process.kill(pid!, 'SIGSTOP');
    try {
      await Promise.all([
        expect(fleet.stats()).rejects.toThrow(`stats: no answer from child ${pid} in ${QUICK_CALL_MS} ms`),
        expect(fleet.commandTimings(['any'])).rejects.toThrow(/^commands: no answer/),
      ]);
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    expect((await fleet.stats()).agents).toBe(AGENTS);
  });
});
