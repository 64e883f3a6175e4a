-- When the socket named by connectionId connected. A Mac that moves from instance X to Y: if X's
-- connect write commits after Y's (X was busy), the row named X's socket, which the Mac had left;
-- its disconnect then took the Mac offline while it was connected to Y, or nothing marked it
-- offline when it left Y. A connect is now written only over an earlier one. Not indexed (HOT
-- updates); left out of the Device_event_update trigger's WHEN clause with connectionId.
ALTER TABLE "Device" ADD COLUMN "connectedAt" TIMESTAMP(3);
