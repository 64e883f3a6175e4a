-- AlterTable
ALTER TABLE "ServerSigningKey" ADD COLUMN     "retiredBy" TEXT,
ADD COLUMN     "retirement" TEXT;
