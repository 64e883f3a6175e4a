-- One severity model (issue 13): Device.health becomes cannot-join | unknown | at-risk | ready.

-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "healthRank" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "problemSince" TIMESTAMP(3);

-- Existing devices, judged from their stored findings until their next report re-diagnoses them
-- ("stateHash" cleared: the next report takes the full ingest, which also groups findings by cause).
UPDATE "Device" d SET
  health = CASE
    WHEN EXISTS (SELECT 1 FROM "Finding" f WHERE f."deviceId" = d.id AND f.state = 'open' AND f.severity = 'critical') THEN 'cannot-join'
    WHEN d.health = 'unknown' OR d."unknownSections" && ARRAY['tcc', 'firewall', 'zoom'] THEN 'unknown'
    WHEN d.health = 'problems' THEN 'at-risk'
    WHEN cardinality(d."unknownSections") > 0 THEN 'unknown'
    ELSE 'ready' END,
  "problemSince" = (SELECT min(f."firstSeenAt") FROM "Finding" f WHERE f."deviceId" = d.id AND f.state = 'open'),
  "stateHash" = NULL;
UPDATE "Device" SET "healthRank" = CASE health WHEN 'cannot-join' THEN 0 WHEN 'unknown' THEN 1 WHEN 'at-risk' THEN 2 ELSE 3 END;

-- Trend samples counted "problems" with cannot join and at risk merged: they cannot be split, so
-- the trend starts again under the new model.
DELETE FROM "FleetSample";

-- AlterTable
ALTER TABLE "FleetSample" DROP COLUMN "healthy",
DROP COLUMN "problems",
ADD COLUMN     "atRisk" INTEGER NOT NULL,
ADD COLUMN     "cannotJoin" INTEGER NOT NULL,
ADD COLUMN     "ready" INTEGER NOT NULL;

-- CreateIndex
CREATE INDEX "Device_healthRank_openFindings_problemSince_idx" ON "Device"("healthRank", "openFindings" DESC, "problemSince");
