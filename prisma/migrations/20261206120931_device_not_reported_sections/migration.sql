-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "notReportedSections" TEXT[] DEFAULT ARRAY[]::TEXT[];
