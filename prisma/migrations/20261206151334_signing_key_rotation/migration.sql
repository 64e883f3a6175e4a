-- AlterTable
ALTER TABLE "Command" ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "signature" TEXT;

-- AlterTable
ALTER TABLE "ServerSigningKey" ADD COLUMN     "activatedAt" TIMESTAMP(3),
ADD COLUMN     "announcedBy" TEXT,
ADD COLUMN     "announcement" TEXT,
ADD COLUMN     "retiredAt" TIMESTAMP(3),
ADD COLUMN     "state" TEXT NOT NULL DEFAULT 'active',
ALTER COLUMN "privateKey" DROP NOT NULL;
