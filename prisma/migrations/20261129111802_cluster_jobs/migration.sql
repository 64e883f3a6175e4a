-- CreateTable
CREATE TABLE "JobRun" (
    "name" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,
    "instanceId" TEXT NOT NULL,
    "runs" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("name")
);

-- Change events for the dashboard (GET /api/v1/events), from every writer on every instance:
-- NOTIFY fleetmedic_events at commit. Device rows: any change but the lastSeenAt/lastReportAt
-- heartbeat columns. Command rows: creation and each status change.
CREATE FUNCTION "fleetmedic_device_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(OLD) - 'lastSeenAt' - 'lastReportAt') = (to_jsonb(NEW) - 'lastSeenAt' - 'lastReportAt') THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('fleetmedic_events', json_build_object(
    'type', 'device.updated',
    'deviceId', CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER "Device_event" AFTER INSERT OR UPDATE OR DELETE ON "Device"
  FOR EACH ROW EXECUTE FUNCTION "fleetmedic_device_event"();

CREATE FUNCTION "fleetmedic_command_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fleetmedic_events', json_build_object(
    'type', 'command.updated', 'commandId', NEW."id", 'deviceId', NEW."deviceId", 'status', NEW."status")::text);
  RETURN NULL;
END $$;

CREATE TRIGGER "Command_event_insert" AFTER INSERT ON "Command"
  FOR EACH ROW EXECUTE FUNCTION "fleetmedic_command_event"();
CREATE TRIGGER "Command_event_status" AFTER UPDATE OF "status" ON "Command"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "fleetmedic_command_event"();
