-- AlterTable
ALTER TABLE "CommandBatch" ADD COLUMN     "action" JSONB,
ALTER COLUMN "findingId" DROP NOT NULL;
