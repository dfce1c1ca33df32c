// Starting runs and reading them back, for the API.
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError, errorMessage } from '../errors';
import type { RunEventBus } from './events';
import { enqueueRun, RunPriorities, type RunJobData, type RunPriority } from './queue';
import { recordRunEvent } from './recorder';

export interface StartRunInput {
  workspaceId: string;
  pipelineId: string;
  userId: string;
  priority?: RunPriority;
}

/** Runs waiting in the queue beyond which starting another answers BUSY. */
const DEFAULT_MAX_QUEUED = 5_000;

export async function startRun(db: Prisma, queue: Queue<RunJobData>, input: StartRunInput, maxQueued = DEFAULT_MAX_QUEUED): Promise<{ runId: string }> {
  const pipeline = await db.pipeline.findFirst({
    where: { id: input.pipelineId, workspaceId: input.workspaceId },
    select: { versions: { orderBy: { version: 'desc' }, take: 1, select: { id: true } } },
  });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const version = pipeline.versions[0];
  if (!version) throw new AppError('PIPELINE_NOT_SAVED', 'Save the pipeline before running it');

  let waiting: number;
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
    waiting = Object.values(counts).reduce((sum, n) => sum + n, 0);
  } catch (error) {
    throw new AppError('REDIS_UNAVAILABLE', `Could not queue the run: Redis is unavailable (${errorMessage(error)})`);
  }
  if (waiting >= maxQueued) {
    throw new AppError('BUSY', `Sluice is busy: ${waiting} runs are already waiting (the limit is ${maxQueued}). Try again in a few minutes.`);
  }

  const priority = RunPriorities[input.priority ?? 'normal'];
  const run = await db.run.create({
    data: { workspaceId: input.workspaceId, pipelineId: input.pipelineId, versionId: version.id, requestedById: input.userId, priority },
    select: { id: true },
  });
  try {
    await enqueueRun(queue, run.id, priority);
  } catch (error) {
    // The run stays queued in the database: the reconciler queues it once Redis is back.
    console.warn(`Run ${run.id} is recorded but not yet queued (${errorMessage(error)}); the reconciler will queue it.`);
  }
  return { runId: run.id };
}

/**
 * Cancels a run: a queued one never starts; a running one is told to stop (its
 * worker interrupts DuckDB and leaves destinations untouched). Finished runs
 * are left as they are.
 */
export async function cancelRun(db: Prisma, queue: Queue<RunJobData>, bus: RunEventBus, input: { workspaceId: string; runId: string }): Promise<{ status: 'cancelled' | 'cancelling' | RunRow['status'] }> {
  const run = await db.run.findFirst({ where: { id: input.runId, workspaceId: input.workspaceId }, select: { id: true, status: true } });
  if (!run) throw new AppError('NOT_FOUND', 'Run not found');
  if (run.status !== 'queued' && run.status !== 'running') return { status: run.status };
  await db.run.update({ where: { id: run.id }, data: { cancelRequestedAt: new Date() } });
  if (run.status === 'queued') {
    // A job still waiting is removed; if a worker took it meanwhile, it sees cancelRequestedAt and stops.
    const job = await queue.getJob(run.id).catch(() => undefined);
    const removed = job ? await job.remove().then(() => true, () => false) : true;
    if (removed) {
      const updated = await db.run.updateMany({ where: { id: run.id, status: 'queued' }, data: { status: 'cancelled', finishedAt: new Date() } });
      if (updated.count === 1) {
        await recordRunEvent(db, bus, run.id, { type: 'run', status: 'cancelled' });
        return { status: 'cancelled' };
      }
    }
  }
  // The worker's heartbeat also notices cancelRequestedAt; this only makes it prompt.
  await bus.requestCancel(run.id).catch(() => undefined);
  return { status: 'cancelling' };
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
  status: 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';
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
