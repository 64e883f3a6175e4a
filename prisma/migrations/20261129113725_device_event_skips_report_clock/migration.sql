-- device.updated events: also skip "lastCollectedAt", which the ingest fast path moves on every
-- unchanged report (like lastSeenAt / lastReportAt), so unchanged reports notify nothing.
CREATE OR REPLACE FUNCTION "fleetmedic_device_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(OLD) - 'lastSeenAt' - 'lastReportAt' - 'lastCollectedAt')
       = (to_jsonb(NEW) - 'lastSeenAt' - 'lastReportAt' - 'lastCollectedAt') THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('fleetmedic_events', json_build_object(
    'type', 'device.updated',
    'deviceId', CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text);
  RETURN NULL;
END $$;
