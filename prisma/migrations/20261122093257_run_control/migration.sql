-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'partially_succeeded';

-- AlterTable
ALTER TABLE "run" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 5;

-- AlterTable
ALTER TABLE "stage_run" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0;
