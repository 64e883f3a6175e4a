import { DEFAULT_POLICY, type DeltaReportMessage } from '@fleetmedic/protocol';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../auth/secrets.js';
import { buildSnapshot } from '../testing/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { IngestBatcher } from './batcher.js';
import { contentHash } from './canonical-json.js';
import { FAST_PATH_SQL, fastPathIngest, fastPathParameters, type FastPathRow } from './fast-path.js';
import { prepareReport, prepareSnapshot, stateFingerprint } from './prepare.js';

let db: TestDatabase;
beforeAll(async () => { db = await openTestDatabase(); });
afterAll(async () => { await db?.cleanup(); });

/** A node of Postgres's EXPLAIN (ANALYZE, FORMAT JSON) plan, with what is read here. */
interface PlanNode {
  'Node Type': string;
  'CTE Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Every scan of a CTE in the plan: which CTE, and how many times it was read. */
function cteScans(node: PlanNode): Array<{ cte: string; loops: number }> {
  const own = node['Node Type'] === 'CTE Scan' ? [{ cte: node['CTE Name'] ?? '?', loops: node['Actual Loops'] }] : [];
  return [...own, ...(node.Plans ?? []).flatMap(cteScans)];
}

/** `n` new devices, each with one whole report stored; and their next report, unchanged, as fast-path rows. */
async function storedDevices(n: number, tag: string): Promise<{ devices: string[]; rows: FastPathRow[] }> {
  const seed = Date.now();
  const devices = await Promise.all(Array.from({ length: n }, (_, i) => db.prisma.device.create({
    data: { hostname: `mac-${tag}-${i}`, architecture: 'arm64', platform: 'darwin', tokenHash: sha256Hex(`${tag}-${seed}-${i}`) },
  }).then((d) => d.id)));
  const base = buildSnapshot({ collectedAt: '2026-05-01T10:00:00.000Z' });
  const batcher = new IngestBatcher(db.prisma, { policy: async () => DEFAULT_POLICY });
  const first = await Promise.all(devices.map((id) => batcher.submit(id, prepareSnapshot(`${tag}-0001`, base))));
  expect(first.every((o) => o.kind === 'stored')).toBe(true);
  const { sections, ...rest } = buildSnapshot({ collectedAt: '2026-05-01T10:15:00.000Z' });
  const delta: DeltaReportMessage = { type: 'report', id: `${tag}-0002`, delta: { ...rest, hashes: sectionHashes(sections), sections: {} } };
  const prepared = prepareReport(delta);
  const rows = devices.map((deviceId) => ({
    deviceId, reportId: prepared.reportId, collectedAt: prepared.collectedAt,
    stateHash: stateFingerprint(prepared, contentHash(DEFAULT_POLICY)), sectionsKey: prepared.sectionsKey,
  }));
  return { devices, rows };
}

describe('fast path statement', () => {
  it('reads each CTE once per batch, never again for every report (a join that did was 2 x 500 x 500 row comparisons)', async () => {
    const n = 150;
    const { rows } = await storedDevices(n, 'fp');
    const now = new Date();
    const plan = await db.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRawUnsafe<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`EXPLAIN (ANALYZE, FORMAT JSON) ${FAST_PATH_SQL}`, ...fastPathParameters(rows, now));
      throw Object.assign(new Error('rolled back: the plan was only looked at'), { plan: row!['QUERY PLAN'][0]!.Plan });
    }).catch((e: { plan?: PlanNode }) => e.plan);
    expect(plan).toBeDefined();
    const scans = cteScans(plan!);
    expect(scans.map((x) => x.cte).sort()).toEqual(['locked', 'matched', 'matched', 'upd']);
    expect(scans.filter((x) => x.loops !== 1)).toEqual([]);

    // Rolled back: the reports still take the fast path, as unchanged.
    expect(new Set(await fastPathIngest(db.prisma, rows, now))).toEqual(new Set(['unchanged']));
  });

  it('leaves to the full ingest a report whose stored sections lost a row or hold another hash (a restore)', async () => {
    const { devices, rows } = await storedDevices(3, 'fp-restore');
    await db.prisma.sectionState.delete({ where: { deviceId_section: { deviceId: devices[1]!, section: 'usb' } } });
    await db.prisma.sectionState.update({ where: { deviceId_section: { deviceId: devices[2]!, section: 'tcc' } }, data: { hash: 'f'.repeat(64) } });
    expect(await fastPathIngest(db.prisma, rows, new Date())).toEqual(['unchanged', 'miss', 'miss']);
  });
});
