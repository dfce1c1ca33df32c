// Backfills: one run per day or hour of a date range, the partition given to
// the run as a parameter value. All runs are recorded and queued at once; at
// most `maxConcurrentRuns` of them execute at a time, enforced where every run
// is claimed (execute-run.ts), the same way as the pipeline's own
// maxConcurrentRuns: a run over a limit is deferred and retried shortly.
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError } from '../errors';
import type { PipelineSettings } from '../pipeline/model';
import { checkParameterReferences, coerceParameterValue, resolveParameters, type ParameterInput, type ParameterValues } from '../pipeline/parameters';
import { RunPriorities, type RunJobData, type RunPriority } from './queue';
import { assertNotBusy, enqueueRecordedRun, latestVersion } from './service';

/** Partitions one backfill may create. */
export const MAX_BACKFILL_RUNS = 1_000;

export type Granularity = 'day' | 'hour';

/**
 * The partitions from `start` to `end`, both included: days as YYYY-MM-DD
 * (read in UTC), hours as ISO timestamps at the top of each UTC hour.
 */
export function partitions(start: Date, end: Date, granularity: Granularity): string[] {
  const step = granularity === 'day' ? 86_400_000 : 3_600_000;
  const first = Math.floor(start.getTime() / step) * step;
  if (end.getTime() < first) throw new AppError('BAD_INPUT', 'The backfill range ends before it starts');
  const count = Math.floor((end.getTime() - first) / step) + 1;
  if (count > MAX_BACKFILL_RUNS) throw new AppError('BAD_INPUT', `The range holds ${count} ${granularity}s; a backfill creates at most ${MAX_BACKFILL_RUNS} runs`);
  return Array.from({ length: count }, (_, i) => {
    const iso = new Date(first + i * step).toISOString();
    return granularity === 'day' ? iso.slice(0, 10) : iso;
  });
}

export interface CreateBackfillInput {
  workspaceId: string;
  pipelineId: string;
  userId: string;
  start: Date;
  end: Date;
  granularity: Granularity;
  /** The declared parameter that receives each partition. */
  parameterName: string;
  maxConcurrentRuns: number;
  /** Values of the other parameters, the same for every run. */
  parameters?: ParameterInput;
  /** Default low, so a backfill does not hold up the pipelines' regular runs. */
  priority?: RunPriority;
}

export async function createBackfill(db: Prisma, queue: Queue<RunJobData>, input: CreateBackfillInput, maxQueued: number): Promise<{ backfillId: string; runIds: string[] }> {
  const version = await latestVersion(db, input.workspaceId, input.pipelineId);
  checkParameterReferences({ ...version.document, parameters: version.parameters });
  const target = version.parameters.find((p) => p.name === input.parameterName);
  if (!target) throw new AppError('BAD_INPUT', `Parameter "${input.parameterName}" is not declared by this pipeline; a backfill passes each partition in a declared parameter`, { parameter: input.parameterName });
  const fits = input.granularity === 'day' ? ['date', 'timestamp', 'string'] : ['timestamp', 'string'];
  if (!fits.includes(target.type)) {
    throw new AppError('BAD_INPUT', `Parameter "${target.name}" has type ${target.type}; ${input.granularity === 'day' ? 'daily' : 'hourly'} partitions need ${fits.join(', ')}`, { parameter: target.name });
  }
  if (input.parameters && input.parameterName in input.parameters) throw new AppError('BAD_INPUT', `Parameter "${target.name}" is set by the backfill for each run; leave it out of the other values`, { parameter: target.name });
  const parts = partitions(input.start, input.end, input.granularity);
  // Every run's values are checked before any run exists.
  const valuesPerRun: ParameterValues[] = parts.map((p) => resolveParameters(version.parameters, { ...input.parameters, [target.name]: coerceParameterValue(target, p) }));
  await assertNotBusy(queue, Math.max(0, maxQueued - parts.length + 1));

  const priority = RunPriorities[input.priority ?? 'low'];
  const backfillId = randomUUID();
  const runs = valuesPerRun.map((parameters) => ({ id: randomUUID(), parameters }));
  await db.$transaction(async (tx) => {
    await tx.backfill.create({
      data: {
        id: backfillId,
        workspaceId: input.workspaceId,
        pipelineId: input.pipelineId,
        rangeStart: input.start,
        rangeEnd: input.end,
        granularity: input.granularity,
        parameterName: target.name,
        maxConcurrentRuns: input.maxConcurrentRuns,
        parameters: (input.parameters ?? {}),
        createdById: input.userId,
      },
    });
    await tx.run.createMany({
      data: runs.map((r) => ({
        id: r.id,
        workspaceId: input.workspaceId,
        pipelineId: input.pipelineId,
        versionId: version.id,
        requestedById: input.userId,
        priority,
        parameters: r.parameters,
        trigger: 'backfill' as const,
        backfillId,
      })),
    });
  });
  for (const r of runs) await enqueueRecordedRun(queue, r.id, priority);
  return { backfillId, runIds: runs.map((r) => r.id) };
}

export interface ConcurrencyLimit {
  /** Advisory-lock key under which the limit is counted and claimed. */
  lockKey: string;
  limit: number;
  /** Which runs count against the limit. */
  where: { pipelineId: string } | { backfillId: string };
}

/** The limits a run must respect when it starts, pipeline first (the lock order). */
export async function concurrencyLimits(db: Prisma, run: { pipelineId: string; backfillId: string | null }, settings: Pick<PipelineSettings, 'maxConcurrentRuns'>): Promise<ConcurrencyLimit[]> {
  const limits: ConcurrencyLimit[] = [];
  if (settings.maxConcurrentRuns !== null) limits.push({ lockKey: run.pipelineId, limit: settings.maxConcurrentRuns, where: { pipelineId: run.pipelineId } });
  if (run.backfillId) {
    const backfill = await db.backfill.findUnique({ where: { id: run.backfillId }, select: { maxConcurrentRuns: true } });
    if (backfill) limits.push({ lockKey: `backfill:${run.backfillId}`, limit: backfill.maxConcurrentRuns, where: { backfillId: run.backfillId } });
  }
  return limits;
}
