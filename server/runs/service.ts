// Starting runs and reading them back, for the API.
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError } from '../errors';
import { ParameterDeclarationsSchema, type ParameterDeclaration, type VisualPipeline } from '../pipeline/model';
import { checkParameterReferences, resolveParameters, type ParameterInput } from '../pipeline/parameters';
import { activeResume, checkpointExpiresAt, resumeBlocker, type CheckpointPolicy } from './checkpoints';
import type { RunEventBus } from './events';
import { enqueueRun, redisFailure, RunPriorities, type RunJobData, type RunPriority } from './queue';
import { recordRunEvent } from './recorder';

export type RunTrigger = 'manual' | 'schedule' | 'catch_up' | 'webhook' | 'pipeline' | 'backfill' | 'resume' | 'reprocess';

export interface StartRunInput {
  workspaceId: string;
  pipelineId: string;
  userId: string;
  priority?: RunPriority;
  /** Values for the pipeline's declared parameters; defaults fill the rest. */
  parameters?: ParameterInput;
  trigger?: RunTrigger;
  /** With `scheduledFor`: the schedule firing this run stands for (one run per firing). */
  scheduleId?: string;
  scheduledFor?: Date;
  /** The upstream run whose success started this one (one run per upstream run and pipeline). */
  triggeredByRunId?: string;
}

/** Runs waiting in the queue beyond which starting another answers BUSY. */
const DEFAULT_MAX_QUEUED = 5_000;

export const isUniqueViolation = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';

/** The newest version of a pipeline in the workspace, with its parameter declarations. */
export async function latestVersion(
  db: Prisma,
  workspaceId: string,
  pipelineId: string,
): Promise<{ id: string; version: number; document: VisualPipeline; parameters: ParameterDeclaration[] }> {
  const pipeline = await db.pipeline.findFirst({
    where: { id: pipelineId, workspaceId },
    select: { versions: { orderBy: { version: 'desc' }, take: 1, select: { id: true, version: true, document: true } } },
  });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const version = pipeline.versions[0];
  if (!version) throw new AppError('PIPELINE_NOT_SAVED', 'Save the pipeline before running it');
  const document = version.document as unknown as VisualPipeline;
  const declared = ParameterDeclarationsSchema.safeParse(document.parameters ?? []);
  if (!declared.success) throw new AppError('PIPELINE_INVALID', `The pipeline's parameter declarations are invalid: ${declared.error.issues.map((i) => i.message).join('; ')}`);
  return { id: version.id, version: version.version, document, parameters: declared.data };
}

/** Answers BUSY when the run queue is deeper than `maxQueued`. */
export async function assertNotBusy(queue: Queue<RunJobData>, maxQueued: number): Promise<void> {
  let waiting: number;
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
    waiting = Object.values(counts).reduce((sum, n) => sum + n, 0);
  } catch (error) {
    throw new AppError('REDIS_UNAVAILABLE', `Could not queue the run: Redis is unavailable (${redisFailure(error)})`);
  }
  if (waiting >= maxQueued) {
    throw new AppError('BUSY', `Sluice is busy: ${waiting} runs are already waiting (the limit is ${maxQueued}). Try again in a few minutes.`);
  }
}

/** Queues a recorded run; when Redis is down the reconciler queues it later. */
export async function enqueueRecordedRun(queue: Queue<RunJobData>, runId: string, priority: number): Promise<void> {
  try {
    await enqueueRun(queue, runId, priority);
  } catch (error) {
    // The run stays queued in the database: the reconciler queues it once Redis is back.
    console.warn(`Run ${runId} is recorded but not yet queued (${redisFailure(error)}); the reconciler will queue it.`);
  }
}

/**
 * Records a run of the pipeline's newest version, then queues it. Parameter
 * values are checked and typed here, so a bad value never reaches a worker.
 * A run for a schedule firing or an upstream run that already has one is not
 * created twice: the existing run's id comes back with `created: false`.
 */
export async function startRun(db: Prisma, queue: Queue<RunJobData>, input: StartRunInput, maxQueued = DEFAULT_MAX_QUEUED): Promise<{ runId: string; created: boolean }> {
  const version = await latestVersion(db, input.workspaceId, input.pipelineId);
  checkParameterReferences({ ...version.document, parameters: version.parameters });
  const parameters = resolveParameters(version.parameters, input.parameters ?? {});
  await assertNotBusy(queue, maxQueued);

  const priority = RunPriorities[input.priority ?? 'normal'];
  let run: { id: string; status: string };
  try {
    run = await db.run.create({
      data: {
        workspaceId: input.workspaceId,
        pipelineId: input.pipelineId,
        versionId: version.id,
        requestedById: input.userId,
        priority,
        parameters,
        trigger: input.trigger ?? 'manual',
        scheduleId: input.scheduleId ?? null,
        scheduledFor: input.scheduledFor ?? null,
        triggeredByRunId: input.triggeredByRunId ?? null,
      },
      select: { id: true, status: true },
    });
  } catch (error) {
    if (!isUniqueViolation(error) || !(input.scheduleId || input.triggeredByRunId)) throw error;
    const existing = input.scheduleId
      ? await db.run.findUnique({ where: { scheduleId_scheduledFor: { scheduleId: input.scheduleId, scheduledFor: input.scheduledFor ?? new Date(0) } }, select: { id: true, status: true, priority: true } })
      : await db.run.findUnique({ where: { triggeredByRunId_pipelineId: { triggeredByRunId: input.triggeredByRunId ?? '', pipelineId: input.pipelineId } }, select: { id: true, status: true, priority: true } });
    if (!existing) throw error;
    // A redelivered request: make sure the run is on the queue (adding it twice is a no-op).
    if (existing.status === 'queued') await enqueueRecordedRun(queue, existing.id, existing.priority);
    return { runId: existing.id, created: false };
  }
  await enqueueRecordedRun(queue, run.id, priority);
  return { runId: run.id, created: true };
}

/**
 * Records a run that resumes a failed or partially succeeded one from its
 * failed stages, then queues it: same version, same parameter values, so it
 * compiles to the same plan; the worker reuses the stages the checkpoint
 * holds. A run is resumed once (a second request answers RUN_NOT_RESUMABLE
 * naming the first resume) unless that resume was cancelled.
 */
export async function resumeRun(
  db: Prisma,
  queue: Queue<RunJobData>,
  input: { workspaceId: string; runId: string; userId: string },
  policy: CheckpointPolicy,
  maxQueued = DEFAULT_MAX_QUEUED,
): Promise<{ runId: string }> {
  await assertNotBusy(queue, maxQueued);
  const created = await db.$transaction(async (tx) => {
    // Two clicks at once resume once: the check and the insert happen under one lock per run.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`resume:${input.runId}`}))`;
    const run = await tx.run.findFirst({
      where: { id: input.runId, workspaceId: input.workspaceId },
      select: { id: true, status: true, trigger: true, checkpointedAt: true, pipelineId: true, versionId: true, parameters: true, priority: true, resumes: { select: { id: true, status: true } } },
    });
    if (!run) throw new AppError('NOT_FOUND', 'Run not found');
    const blocker = resumeBlocker(run, policy);
    if (blocker) throw blocker;
    return tx.run.create({
      data: {
        workspaceId: input.workspaceId,
        pipelineId: run.pipelineId,
        versionId: run.versionId,
        requestedById: input.userId,
        priority: run.priority,
        parameters: run.parameters ?? {},
        trigger: 'resume',
        resumedFromRunId: run.id,
      },
      select: { id: true, priority: true },
    });
  });
  await enqueueRecordedRun(queue, created.id, created.priority);
  return { runId: created.id };
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
  parameters: true,
  trigger: true,
  scheduledFor: true,
  resumedFromRunId: true,
  checkpointedAt: true,
  resumes: { select: { id: true, status: true }, orderBy: { queuedAt: 'desc' } },
  reprocessOfRunId: true,
  reprocesses: { select: { id: true, status: true }, orderBy: { queuedAt: 'desc' } },
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
  parameters: unknown;
  trigger: RunTrigger;
  scheduledFor: Date | null;
  resumedFromRunId: string | null;
  checkpointedAt: Date | null;
  resumes: { id: string; status: RunRow['status'] }[];
  reprocessOfRunId: string | null;
  reprocesses: { id: string; status: RunRow['status'] }[];
  version: { version: number };
};

/** A run as the API lists it; `policy` decides whether its checkpoints are still there to resume from. */
export function toRunSummary(run: RunRow, policy: CheckpointPolicy) {
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
    parameters: run.parameters as Record<string, string | number | boolean>,
    trigger: run.trigger,
    scheduledFor: run.scheduledFor,
    /** The run this one resumes (trigger resume). */
    resumedFromRunId: run.resumedFromRunId,
    /** The run that resumes this one, unless it was cancelled. */
    resumedByRunId: activeResume(run)?.id ?? null,
    /** Failed or partially succeeded, not resumed yet, with checkpoints still kept. */
    canResume: resumeBlocker(run, policy) === null,
    /** The run whose rejected rows this one reprocesses (trigger reprocess). */
    reprocessOfRunId: run.reprocessOfRunId,
    /** The newest run that reprocessed this one's rejected rows and succeeded, or is reprocessing them now. */
    reprocessedByRunId: run.reprocesses.find((r) => r.status === 'succeeded' || r.status === 'queued' || r.status === 'running')?.id ?? null,
    /** Until when the run's checkpoints are kept; null when it has none. */
    checkpointExpiresAt: run.checkpointedAt ? checkpointExpiresAt(run.checkpointedAt, policy.retentionHours) : null,
  };
}
export type RunSummary = ReturnType<typeof toRunSummary>;
