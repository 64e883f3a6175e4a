import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { fleetArrivalSampleJob } from './fleet-sample.js';
import { runExclusive } from './scheduler.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

const job = fleetArrivalSampleJob(90, 90, 15);
const T0 = Date.parse('2026-12-06T12:00:00.000Z');
let minute = 0;
/** One forced run of the arrival job, a minute after the previous one. */
const check = async () => {
  const outcome = await runExclusive(db.prisma, job, 'instance-a', { now: new Date(T0 + ++minute * 60_000), force: true });
  if (!outcome.ran) throw new Error(`did not run: ${outcome.reason}`);
  return outcome.result;
};
const samples = () => db.prisma.fleetSample.findMany({ orderBy: { at: 'asc' } });

describe('fleet-arrival-sample: the trend starts with the fleet', () => {
  it('takes no sample of an empty fleet, one when a Mac enrolls, one when it first reports, none while nothing arrives', async () => {
    expect(await check()).toEqual({ total: 0, reported: 0, sampled: false });
    expect(await samples()).toEqual([]);

    const device = await db.prisma.device.create({ data: { hostname: 'arrival-mac', architecture: 'arm64', platform: 'darwin', tokenHash: randomBytes(32).toString('hex') } });
    expect(await check()).toEqual({ total: 1, reported: 0, sampled: true });
    expect(await check()).toEqual({ total: 1, reported: 0, sampled: false });

    await db.prisma.device.update({ where: { id: device.id }, data: { lastReportAt: new Date(), health: 'cannot-join', healthRank: 0 } });
    expect(await check()).toEqual({ total: 1, reported: 1, sampled: true });
    expect(await check()).toEqual({ total: 1, reported: 1, sampled: false });

    const rows = await samples();
    expect(rows.map((s) => [s.total, s.unknown, s.cannotJoin])).toEqual([[1, 1, 0], [1, 0, 1]]);
  });
});
