// Starting runs and reading them back, for the API.
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError, errorMessage } from '../errors';
import type { RunJobData } from './queue';

export async function startRun(db: Prisma, queue: Queue<RunJobData>, input: { workspaceId: string; pipelineId: string; userId: string }): Promise<{ runId: string }> {
  const pipeline = await db.pipeline.findFirst({
    where: { id: input.pipelineId, workspaceId: input.workspaceId },
    select: { versions: { orderBy: { version: 'desc' }, take: 1, select: { id: true } } },
  });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const version = pipeline.versions[0];
  if (!version) throw new AppError('PIPELINE_NOT_SAVED', 'Save the pipeline before running it');

  const run = await db.run.create({
    data: { workspaceId: input.workspaceId, pipelineId: input.pipelineId, versionId: version.id, requestedById: input.userId },
    select: { id: true },
  });
  try {
    // jobId = runId: enqueueing the same run twice is a no-op.
    await queue.add('run', { runId: run.id }, { jobId: run.id, removeOnComplete: 1000, removeOnFail: 5000 });
  } catch (error) {
    const message = `Could not queue the run: Redis is unavailable (${errorMessage(error)})`;
    await db.run.update({ where: { id: run.id }, data: { status: 'failed', finishedAt: new Date(), errorCode: 'REDIS_UNAVAILABLE', errorMessage: message } });
    throw new AppError('REDIS_UNAVAILABLE', message);
  }
  return { runId: run.id };
}

export const runSummarySelect = {
  id: true,
  status: true,
  queuedAt: true,
  startedAt: true,
  finishedAt: true,
  rowsRead: true,
  rowsWritten: true,
  rowsRejected: true,
  errorCode: true,
  errorMessage: true,
  errorNodeId: true,
  version: { select: { version: true } },
} as const;

type RunRow = {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  rowsRead: bigint;
  rowsWritten: bigint;
  rowsRejected: bigint;
  errorCode: string | null;
  errorMessage: string | null;
  errorNodeId: string | null;
  version: { version: number };
};

export function toRunSummary(run: RunRow) {
  return {
    id: run.id,
    status: run.status,
    version: run.version.version,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    rowsRead: Number(run.rowsRead),
    rowsWritten: Number(run.rowsWritten),
    rowsRejected: Number(run.rowsRejected),
    errorCode: run.errorCode,
    errorMessage: run.errorMessage,
    errorNodeId: run.errorNodeId,
  };
}
export type RunSummary = ReturnType<typeof toRunSummary>;
