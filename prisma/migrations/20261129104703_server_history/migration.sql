-- AlterTable
ALTER TABLE "Report" DROP CONSTRAINT "Report_pkey",
ADD CONSTRAINT "Report_pkey" PRIMARY KEY ("deviceId", "id");

-- CreateTable
CREATE TABLE "FindingTransition" (
    "id" BIGSERIAL NOT NULL,
    "deviceId" UUID NOT NULL,
    "findingId" UUID NOT NULL,
    "ruleId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reportId" TEXT NOT NULL,

    CONSTRAINT "FindingTransition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FindingTransition_deviceId_at_idx" ON "FindingTransition"("deviceId", "at");

-- AddForeignKey
ALTER TABLE "FindingTransition" ADD CONSTRAINT "FindingTransition_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FindingTransition" ADD CONSTRAINT "FindingTransition_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE CASCADE ON UPDATE CASCADE;
