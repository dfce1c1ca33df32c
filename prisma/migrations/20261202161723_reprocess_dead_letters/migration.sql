-- AlterEnum
ALTER TYPE "RunTrigger" ADD VALUE 'reprocess';

-- AlterTable
ALTER TABLE "run" ADD COLUMN     "reprocessOfRunId" UUID;

-- AlterTable
ALTER TABLE "dead_letter" ADD COLUMN     "reprocessedByRunId" UUID;

-- CreateIndex
CREATE INDEX "run_reprocessOfRunId_idx" ON "run"("reprocessOfRunId");

-- CreateIndex
CREATE INDEX "dead_letter_reprocessedByRunId_idx" ON "dead_letter"("reprocessedByRunId");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_reprocessOfRunId_fkey" FOREIGN KEY ("reprocessOfRunId") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dead_letter" ADD CONSTRAINT "dead_letter_reprocessedByRunId_fkey" FOREIGN KEY ("reprocessedByRunId") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
