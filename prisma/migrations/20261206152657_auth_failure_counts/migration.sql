-- CreateTable
CREATE TABLE "AuthFailure" (
    "kind" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "failures" INTEGER NOT NULL,

    CONSTRAINT "AuthFailure_pkey" PRIMARY KEY ("kind","address")
);

-- CreateIndex
CREATE INDEX "AuthFailure_windowStart_idx" ON "AuthFailure"("windowStart");
