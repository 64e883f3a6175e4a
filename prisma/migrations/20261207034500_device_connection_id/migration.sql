-- The agent socket that last marked each Mac online. A socket's disconnect is written after the
-- work it had queued (a report being stored), so it could land after the same Mac's next socket
-- marked it online and show a connected Mac offline; it now writes online = false only while the
-- row still names its socket. Not indexed: the online writes stay HOT updates (fillfactor 70).
ALTER TABLE "Device" ADD COLUMN "connectionId" UUID;
-- Left out of the Device_event_update trigger's WHEN clause, like the clock columns: a reconnect
-- changes it, and `online`, which the dashboard shows, notifies on its own.
