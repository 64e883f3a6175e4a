import type { PrismaClient } from '../generated/prisma/client.js';
import type { SectionsKey } from './prepare.js';

/** One report offered to the fast path: its fingerprint must equal the device's stored one. */
export interface FastPathRow {
  deviceId: string;
  reportId: string;
  collectedAt: Date;
  /** stateFingerprint of the report under the current policy */
  stateHash: string;
  /** the sections the report has and the digest of their hashes (sectionsKey): the stored SectionState rows must hold those hashes */
  sectionsKey: SectionsKey;
}

/**
 * Per offered report: `unchanged` stored (device times, report count, newest report id: no row of
 * its own), `duplicate` the device's newest stored report again, `miss` needs the full ingest.
 */
export type FastPathResult = 'unchanged' | 'duplicate' | 'miss';

// One statement, so one implicit transaction and one WAL flush for the whole batch. A report
// matches when its device's stored fingerprint equals its own, its SectionState rows hold all the
// hashes it claims (a restore may have lost them) and it is not older than the newest stored
// report. A match whose id is the device's lastReportId is a redelivery (duplicate); the others
// move the device's times, reportCount and lastReportId. The UPDATE repeats both conditions, so a
// concurrent batch that stored the same report first (it waits on the row lock, then re-checks)
// leaves it to the full ingest. Timestamps are Prisma's `timestamp(3)` in UTC.
// The planner guesses one row out of json_to_recordset's filter, so it joins CTEs by nested loop:
// every join here has an index (Device's primary key) or a hashed IN on its inner side, never a CTE
// scanned again per row. Two CTE-to-CTE joins did that once, 2 x 500 x 500 row comparisons a batch:
// half of Postgres's CPU on this path (fast-path.test.ts reads the plan).
// A report's section hashes travel as one digest (fastPathParameters) and the names it covers:
// a third of the JSON, which Prisma writes out and parses back before Postgres parses it again.
export const FAST_PATH_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS t("reportId" text, "deviceId" uuid, "collectedAt" timestamp(3), "stateHash" text, sections text, "sectionsDigest" text)
), matched AS (
  SELECT DISTINCT ON (i."deviceId", i."reportId") i."reportId", i."deviceId", i."collectedAt", d."lastReportId" IS NOT DISTINCT FROM i."reportId" AS again
  FROM input i JOIN "Device" d ON d.id = i."deviceId"
  WHERE d."stateHash" = i."stateHash" AND (d."lastCollectedAt" IS NULL OR d."lastCollectedAt" <= i."collectedAt")
    AND (SELECT encode(sha256(convert_to(string_agg(s.section || '=' || s.hash, ',' ORDER BY s.section COLLATE "C"), 'UTF8')), 'hex')
         FROM "SectionState" s WHERE s."deviceId" = i."deviceId" AND s.section = ANY(string_to_array(i.sections, ','))) = i."sectionsDigest"
), newest AS (
  SELECT DISTINCT ON ("deviceId") "deviceId", "reportId", "collectedAt", count(*) OVER (PARTITION BY "deviceId") AS n
  FROM matched WHERE NOT again ORDER BY "deviceId", "collectedAt" DESC, "reportId" DESC
), locked AS (
  -- Device rows locked in id order, as every multi-row Device writer does: no deadlock between them.
  SELECT d.id, n."reportId", n."collectedAt", n.n FROM newest n JOIN "Device" d ON d.id = n."deviceId" ORDER BY d.id FOR NO KEY UPDATE OF d
), upd AS (
  UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3), "lastReportAt" = $2::timestamp(3),
    "lastCollectedAt" = l."collectedAt", "reportCount" = d."reportCount" + l.n, "lastReportId" = l."reportId"
  FROM locked l
  WHERE d.id = l.id AND d."lastReportId" IS DISTINCT FROM l."reportId"
    AND (d."lastCollectedAt" IS NULL OR d."lastCollectedAt" <= l."collectedAt")
  RETURNING d.id
)
SELECT m."reportId", m."deviceId"::text AS "deviceId",
  CASE WHEN m.again THEN 'duplicate' WHEN m."deviceId" IN (SELECT id FROM upd) THEN 'unchanged' ELSE 'miss' END AS result
FROM matched m`;

/**
 * The ingest fast path for reports that change nothing (the common case: a Mac whose facts did
 * not change): one SQL statement for a whole batch. Everything it does not match is left to the
 * full ingest (`miss`), which also answers stale reports and unknown devices.
 */
export async function fastPathIngest(prisma: PrismaClient, rows: FastPathRow[], now: Date): Promise<FastPathResult[]> {
  if (rows.length === 0) return [];
  const result = await prisma.$queryRawUnsafe<Array<{ reportId: string; deviceId: string; result: FastPathResult }>>(FAST_PATH_SQL, ...fastPathParameters(rows, now));
  const byKey = new Map(result.map((r) => [`${r.deviceId}/${r.reportId}`, r.result]));
  return rows.map((r) => byKey.get(`${r.deviceId}/${r.reportId}`) ?? 'miss');
}

/**
 * FAST_PATH_SQL's parameters for `rows` at `now`: the rows as one JSON array, the time as ISO 8601.
 * A row's hashes go as its SectionsKey: the names of its sections and the digest of their hashes,
 * which the statement computes from the stored SectionState rows of those sections. A section
 * without a stored row, or stored with another hash, gives another digest: the full ingest takes
 * the report.
 */
export function fastPathParameters(rows: FastPathRow[], now: Date): [string, string] {
  const payload = JSON.stringify(rows.map((r) => ({
    reportId: r.reportId,
    deviceId: r.deviceId,
    collectedAt: r.collectedAt.toISOString(),
    stateHash: r.stateHash,
    sections: r.sectionsKey.sections,
    sectionsDigest: r.sectionsKey.sectionsDigest,
  })));
  return [payload, now.toISOString()];
}
