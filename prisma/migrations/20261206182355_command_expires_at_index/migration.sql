-- CreateIndex
CREATE INDEX "Command_expiresAt_idx" ON "Command"("expiresAt");
