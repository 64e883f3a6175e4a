-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "lastReportId" TEXT,
ADD COLUMN     "reportCount" INTEGER NOT NULL DEFAULT 0;

-- device.updated events: the report counter and the newest report id move with every unchanged
-- report, like the clock columns, so they notify nothing either.
CREATE OR REPLACE FUNCTION "fleetmedic_device_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(OLD) - 'lastSeenAt' - 'lastReportAt' - 'lastCollectedAt' - 'reportCount' - 'lastReportId')
       = (to_jsonb(NEW) - 'lastSeenAt' - 'lastReportAt' - 'lastCollectedAt' - 'reportCount' - 'lastReportId') THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('fleetmedic_events', json_build_object(
    'type', 'device.updated',
    'deviceId', CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text);
  RETURN NULL;
END $$;

-- Until now every report kept a row: count them once, and name each device's newest.
UPDATE "Device" d SET "reportCount" = r.n, "lastReportId" = r.newest
FROM (SELECT "deviceId", count(*)::int AS n, (array_agg(id ORDER BY "collectedAt" DESC, "receivedAt" DESC))[1] AS newest
      FROM "Report" GROUP BY "deviceId") r
WHERE d.id = r."deviceId";
