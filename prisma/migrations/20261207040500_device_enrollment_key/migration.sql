-- The sha256 of the enrollment key an agent makes once, before its first enrollment. A retry of
-- that enrollment whose answer was lost (the agent gave up after 15 s on a busy server, the server
-- went on) found nothing and made a second device, a ghost that never reports: 3 of 24 Macs in a
-- browser test run on the loaded 2-CPU machine. The retry now finds the device by this hash.
-- Forgotten when the device's token first opens a socket (as previousTokenHash): from then on the
-- key proves nothing. Set at insert, which notifies; left out of the Device_event_update trigger's WHEN clause.
ALTER TABLE "Device" ADD COLUMN "enrollmentKeyHash" TEXT;
CREATE UNIQUE INDEX "Device_enrollmentKeyHash_key" ON "Device"("enrollmentKeyHash");
