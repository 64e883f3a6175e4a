-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "lastCollectedAt" TIMESTAMP(3),
ADD COLUMN     "stateHash" TEXT;
