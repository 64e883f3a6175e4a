-- CreateTable
CREATE TABLE "ServerSigningKey" (
    "id" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "privateKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSigningKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommandBatch" (
    "id" TEXT NOT NULL,
    "findingId" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "skipped" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CommandBatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CommandBatch_createdAt_idx" ON "CommandBatch"("createdAt");
