-- CreateTable
CREATE TABLE "HostnameChange" (
    "id" BIGSERIAL NOT NULL,
    "deviceId" UUID NOT NULL,
    "fromHostname" TEXT NOT NULL,
    "toHostname" TEXT NOT NULL,
    "reportId" TEXT NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HostnameChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HostnameChange_deviceId_changedAt_idx" ON "HostnameChange"("deviceId", "changedAt");

-- AddForeignKey
ALTER TABLE "HostnameChange" ADD CONSTRAINT "HostnameChange_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;
