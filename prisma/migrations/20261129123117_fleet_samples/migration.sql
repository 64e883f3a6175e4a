-- CreateTable
CREATE TABLE "FleetSample" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "total" INTEGER NOT NULL,
    "healthy" INTEGER NOT NULL,
    "problems" INTEGER NOT NULL,
    "unknown" INTEGER NOT NULL,
    "offline" INTEGER NOT NULL,
    "findings" JSONB NOT NULL,

    CONSTRAINT "FleetSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FleetSample_at_idx" ON "FleetSample"("at");
