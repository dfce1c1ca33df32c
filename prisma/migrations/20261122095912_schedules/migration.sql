-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('manual', 'schedule', 'catch_up', 'webhook', 'pipeline', 'backfill');

-- CreateEnum
CREATE TYPE "ScheduleKind" AS ENUM ('cron', 'interval', 'preset');

-- CreateEnum
CREATE TYPE "MissedRunPolicy" AS ENUM ('skip', 'catchUpOnce');

-- CreateEnum
CREATE TYPE "BackfillGranularity" AS ENUM ('day', 'hour');

-- AlterTable
ALTER TABLE "run" ADD COLUMN     "backfillId" UUID,
ADD COLUMN     "parameters" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "scheduleId" UUID,
ADD COLUMN     "scheduledFor" TIMESTAMP(3),
ADD COLUMN     "trigger" "RunTrigger" NOT NULL DEFAULT 'manual',
ADD COLUMN     "triggeredByRunId" UUID;

-- CreateTable
CREATE TABLE "schedule" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "pipelineId" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "kind" "ScheduleKind" NOT NULL,
    "preset" TEXT,
    "cron" TEXT,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "intervalSeconds" DOUBLE PRECISION,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "missedRunPolicy" "MissedRunPolicy" NOT NULL DEFAULT 'skip',
    "lastFiredAt" TIMESTAMP(3),
    "activeSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_trigger" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "upstreamPipelineId" UUID NOT NULL,
    "downstreamPipelineId" UUID NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_trigger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_webhook" (
    "pipelineId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenPrefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_webhook_pkey" PRIMARY KEY ("pipelineId")
);

-- CreateTable
CREATE TABLE "backfill" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "pipelineId" UUID NOT NULL,
    "rangeStart" TIMESTAMP(3) NOT NULL,
    "rangeEnd" TIMESTAMP(3) NOT NULL,
    "granularity" "BackfillGranularity" NOT NULL,
    "parameterName" TEXT NOT NULL,
    "maxConcurrentRuns" INTEGER NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backfill_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "schedule_workspaceId_pipelineId_idx" ON "schedule"("workspaceId", "pipelineId");

-- CreateIndex
CREATE INDEX "pipeline_trigger_workspaceId_idx" ON "pipeline_trigger"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "pipeline_trigger_upstreamPipelineId_downstreamPipelineId_key" ON "pipeline_trigger"("upstreamPipelineId", "downstreamPipelineId");

-- CreateIndex
CREATE INDEX "backfill_workspaceId_pipelineId_idx" ON "backfill"("workspaceId", "pipelineId");

-- CreateIndex
CREATE INDEX "run_backfillId_status_idx" ON "run"("backfillId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "run_scheduleId_scheduledFor_key" ON "run"("scheduleId", "scheduledFor");

-- CreateIndex
CREATE UNIQUE INDEX "run_triggeredByRunId_pipelineId_key" ON "run"("triggeredByRunId", "pipelineId");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_backfillId_fkey" FOREIGN KEY ("backfillId") REFERENCES "backfill"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_trigger" ADD CONSTRAINT "pipeline_trigger_upstreamPipelineId_fkey" FOREIGN KEY ("upstreamPipelineId") REFERENCES "pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_trigger" ADD CONSTRAINT "pipeline_trigger_downstreamPipelineId_fkey" FOREIGN KEY ("downstreamPipelineId") REFERENCES "pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_webhook" ADD CONSTRAINT "pipeline_webhook_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backfill" ADD CONSTRAINT "backfill_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;
