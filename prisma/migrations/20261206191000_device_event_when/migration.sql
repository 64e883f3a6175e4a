-- device.updated events without reading every Device row twice as JSON. The trigger compared
-- to_jsonb(OLD) and to_jsonb(NEW) minus the clock columns on every UPDATE: the heartbeats
-- (lastSeenAt) and the fast path of unchanged reports write Device rows by the thousand a second,
-- and that comparison took about half of each such UPDATE (110 ms without, 243 ms with, for 2,000
-- rows). Now a WHEN clause names the columns whose change notifies: every column but the clock
-- ones (lastSeenAt, lastReportAt, lastCollectedAt, reportCount, lastReportId); a row whose
-- notifying columns are unchanged never calls the function. A test (device-event-columns.test.ts)
-- fails when a Device column is in neither list.
DROP TRIGGER "Device_event" ON "Device";

CREATE OR REPLACE FUNCTION "fleetmedic_device_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fleetmedic_events', json_build_object(
    'type', 'device.updated',
    'deviceId', CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER "Device_event" AFTER INSERT OR DELETE ON "Device"
  FOR EACH ROW EXECUTE FUNCTION "fleetmedic_device_event"();

CREATE TRIGGER "Device_event_update" AFTER UPDATE ON "Device"
  FOR EACH ROW WHEN ((OLD."id", OLD."hostname", OLD."serialNumber", OLD."hardwareModel", OLD."architecture", OLD."platform",
                      OLD."consoleUser", OLD."osVersion", OLD."zoomVersion", OLD."tokenHash", OLD."previousTokenHash",
                      OLD."enrolledAt", OLD."online", OLD."health", OLD."healthRank", OLD."openFindings", OLD."problemSince",
                      OLD."unknownSections", OLD."notReportedSections", OLD."stateHash")
       IS DISTINCT FROM (NEW."id", NEW."hostname", NEW."serialNumber", NEW."hardwareModel", NEW."architecture", NEW."platform",
                      NEW."consoleUser", NEW."osVersion", NEW."zoomVersion", NEW."tokenHash", NEW."previousTokenHash",
                      NEW."enrolledAt", NEW."online", NEW."health", NEW."healthRank", NEW."openFindings", NEW."problemSince",
                      NEW."unknownSections", NEW."notReportedSections", NEW."stateHash"))
  EXECUTE FUNCTION "fleetmedic_device_event"();
