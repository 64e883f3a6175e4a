-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "previousTokenHash" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Device_previousTokenHash_key" ON "Device"("previousTokenHash");
