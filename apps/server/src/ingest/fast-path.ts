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

/** Per offered report: `unchanged` stored (Report row + device times), `duplicate` id already stored, `miss` needs the full ingest. */
export type FastPathResult = 'unchanged' | 'duplicate' | 'miss';

// One statement, so one implicit transaction and one WAL flush for the whole batch. A report
// matches when its device's stored fingerprint equals its own, its SectionState rows hold all the
// hashes it claims (a restore may have lost them) and it is not older than the newest stored report; matched ones get their Report row (ON CONFLICT: duplicates) and their device's
// times. Timestamps are Prisma's `timestamp(3)` in UTC.
const SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS t("reportId" text, "deviceId" uuid, "collectedAt" timestamp(3), "stateHash" text, hashes json)
), matched AS (
  SELECT i."reportId", i."deviceId", i."collectedAt" FROM input i JOIN "Device" d ON d.id = i."deviceId"
  WHERE d."stateHash" = i."stateHash" AND (d."lastCollectedAt" IS NULL OR d."lastCollectedAt" <= i."collectedAt")
    AND (SELECT count(*) FROM "SectionState" s WHERE s."deviceId" = i."deviceId" AND s.hash = i.hashes->>s.section)
      = (SELECT count(*) FROM json_object_keys(i.hashes))
), ins AS (
  INSERT INTO "Report" (id, "deviceId", "collectedAt", "receivedAt")
  SELECT "reportId", "deviceId", "collectedAt", $2::timestamp(3) FROM matched
  ON CONFLICT DO NOTHING
  RETURNING id, "deviceId"
), newest AS (
  SELECT m."deviceId", max(m."collectedAt") AS "collectedAt"
  FROM matched m JOIN ins ON ins.id = m."reportId" AND ins."deviceId" = m."deviceId"
  GROUP BY m."deviceId"
), locked AS (
  -- Device rows locked in id order, as every multi-row Device writer does: no deadlock between them.
  SELECT id FROM "Device" WHERE id IN (SELECT "deviceId" FROM newest) ORDER BY id FOR NO KEY UPDATE
), upd AS (
  UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3), "lastReportAt" = $2::timestamp(3),
    "lastCollectedAt" = GREATEST(d."lastCollectedAt", newest."collectedAt")
  FROM newest JOIN locked ON locked.id = newest."deviceId" WHERE d.id = newest."deviceId"
  RETURNING d.id
)
SELECT m."reportId", m."deviceId"::text AS "deviceId", (ins.id IS NOT NULL) AS inserted
FROM matched m LEFT JOIN ins ON ins.id = m."reportId" AND ins."deviceId" = m."deviceId"`;

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
  const result = await prisma.$queryRawUnsafe<Array<{ reportId: string; deviceId: string; inserted: boolean }>>(SQL, payload, now.toISOString());
  const byKey = new Map(result.map((r) => [`${r.deviceId}/${r.reportId}`, r.inserted]));
  return rows.map((r) => {
    const inserted = byKey.get(`${r.deviceId}/${r.reportId}`);
    return inserted === undefined ? 'miss' : inserted ? 'unchanged' : 'duplicate';
  });
}
