-- AlterTable
ALTER TABLE "run" ADD COLUMN     "rowsRejected" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "stage_run" ADD COLUMN     "rowsRejected" BIGINT;

-- CreateTable
CREATE TABLE "dead_letter" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "nodeId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "sourceLine" INTEGER,
    "rawLine" TEXT,
    "row" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dead_letter_runId_nodeId_idx" ON "dead_letter"("runId", "nodeId");

-- CreateIndex
CREATE INDEX "dead_letter_runId_id_idx" ON "dead_letter"("runId", "id");

-- AddForeignKey
ALTER TABLE "dead_letter" ADD CONSTRAINT "dead_letter_runId_fkey" FOREIGN KEY ("runId") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
