-- AlterEnum
ALTER TYPE "StageStatus" ADD VALUE 'reused';

-- AlterEnum
ALTER TYPE "RunTrigger" ADD VALUE 'resume';

-- AlterTable
ALTER TABLE "run" ADD COLUMN     "checkpointedAt" TIMESTAMP(3),
ADD COLUMN     "resumedFromRunId" UUID;

-- CreateIndex
CREATE INDEX "run_resumedFromRunId_idx" ON "run"("resumedFromRunId");

-- CreateIndex
CREATE INDEX "run_checkpointedAt_idx" ON "run"("checkpointedAt");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_resumedFromRunId_fkey" FOREIGN KEY ("resumedFromRunId") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
