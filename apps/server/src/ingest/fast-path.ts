import type { PrismaClient } from '../generated/prisma/client.js';

/** One report offered to the fast path: its fingerprint must equal the device's stored one. */
export interface FastPathRow {
  deviceId: string;
  reportId: string;
  collectedAt: Date;
  /** stateFingerprint of the report under the current policy */
  stateHash: string;
  /** the section hashes the report claims (one per section it has): the stored SectionState rows must hold them */
  hashes: Record<string, string>;
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
const SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS t("reportId" text, "deviceId" uuid, "collectedAt" timestamp(3), "stateHash" text, hashes json)
), matched AS (
  SELECT DISTINCT ON (i."deviceId", i."reportId") i."reportId", i."deviceId", i."collectedAt", d."lastReportId" IS NOT DISTINCT FROM i."reportId" AS again
  FROM input i JOIN "Device" d ON d.id = i."deviceId"
  WHERE d."stateHash" = i."stateHash" AND (d."lastCollectedAt" IS NULL OR d."lastCollectedAt" <= i."collectedAt")
    AND (SELECT count(*) FROM "SectionState" s WHERE s."deviceId" = i."deviceId" AND s.hash = i.hashes->>s.section)
      = (SELECT count(*) FROM json_object_keys(i.hashes))
), newest AS (
  SELECT DISTINCT ON ("deviceId") "deviceId", "reportId", "collectedAt", count(*) OVER (PARTITION BY "deviceId") AS n
  FROM matched WHERE NOT again ORDER BY "deviceId", "collectedAt" DESC, "reportId" DESC
), locked AS (
  -- Device rows locked in id order, as every multi-row Device writer does: no deadlock between them.
  SELECT id FROM "Device" WHERE id IN (SELECT "deviceId" FROM newest) ORDER BY id FOR NO KEY UPDATE
), upd AS (
  UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3), "lastReportAt" = $2::timestamp(3),
    "lastCollectedAt" = newest."collectedAt", "reportCount" = d."reportCount" + newest.n, "lastReportId" = newest."reportId"
  FROM newest JOIN locked ON locked.id = newest."deviceId"
  WHERE d.id = newest."deviceId" AND d."lastReportId" IS DISTINCT FROM newest."reportId"
    AND (d."lastCollectedAt" IS NULL OR d."lastCollectedAt" <= newest."collectedAt")
  RETURNING d.id
)
SELECT m."reportId", m."deviceId"::text AS "deviceId",
  CASE WHEN m.again THEN 'duplicate' WHEN upd.id IS NOT NULL THEN 'unchanged' ELSE 'miss' END AS result
FROM matched m LEFT JOIN upd ON upd.id = m."deviceId"`;

/**
 * The ingest fast path for reports that change nothing (the common case: a Mac whose facts did
 * not change): one SQL statement for a whole batch. Everything it does not match is left to the
 * full ingest (`miss`), which also answers stale reports and unknown devices.
 */
export async function fastPathIngest(prisma: PrismaClient, rows: FastPathRow[], now: Date): Promise<FastPathResult[]> {
  if (rows.length === 0) return [];
  const payload = JSON.stringify(rows.map((r) => ({
    reportId: r.reportId,
    deviceId: r.deviceId,
    collectedAt: r.collectedAt.toISOString(),
    stateHash: r.stateHash,
    hashes: r.hashes,
  })));
  const result = await prisma.$queryRawUnsafe<Array<{ reportId: string; deviceId: string; result: FastPathResult }>>(SQL, payload, now.toISOString());
  const byKey = new Map(result.map((r) => [`${r.deviceId}/${r.reportId}`, r.result]));
  return rows.map((r) => byKey.get(`${r.deviceId}/${r.reportId}`) ?? 'miss');
}
