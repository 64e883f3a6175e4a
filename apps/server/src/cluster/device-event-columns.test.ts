import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';

// The device.updated trigger's WHEN clause names the Device columns whose change notifies
// (migration 20261206191000_device_event_when). A column added later must be put in it, or in
// QUIET when no page shows it: the clock columns, which move with every heartbeat or unchanged
// report; connectionId and connectedAt, which a reconnect changes (what the page shows of it, `online`, notifies);
// enrollmentKeyHash, set at insert (which notifies) and cleared at the first socket. This test names the one forgotten.
const QUIET = ['lastSeenAt', 'lastReportAt', 'lastCollectedAt', 'reportCount', 'lastReportId', 'connectionId', 'connectedAt', 'enrollmentKeyHash'];

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

describe('Device_event_update trigger', () => {
  it('notifies on a change of every Device column but the quiet ones', async () => {
    const columns = (await db.prisma.$queryRawUnsafe<Array<{ name: string }>>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'Device' ORDER BY column_name`)).map((c) => c.name);
    const [trigger] = await db.prisma.$queryRawUnsafe<Array<{ def: string }>>(
      `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'Device_event_update'`);
    expect(trigger, 'trigger Device_event_update exists').toBeDefined();
    const when = /WHEN \((.*)\) EXECUTE/s.exec(trigger!.def)?.[1] ?? '';
    const named = (c: string) => when.includes(`old.${c}`) || when.includes(`old."${c}"`);
    expect(columns.filter((c) => !QUIET.includes(c) && !named(c)), 'columns missing from the WHEN clause').toEqual([]);
    expect(QUIET.filter(named), 'quiet columns in the WHEN clause').toEqual([]);
    expect(columns).toEqual(expect.arrayContaining(QUIET));
  });
});
