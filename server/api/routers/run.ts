import { tracked } from '@trpc/server';
import { z } from 'zod';
import { AppError } from '../../errors';
import { findWorkspaceRun, listDeadLetters } from '../../runs/dead-letters';
import { isTerminalRunStatus, RunEventPayloadSchema, type PublishedRunEvent } from '../../runs/events';
import { listRunLogs } from '../../runs/run-logs';
import { env } from '../../env';
import { ParameterInputSchema } from '../../pipeline/parameters';
import type { CheckpointPolicy } from '../../runs/checkpoints';
import { assessReprocess, reprocessRun } from '../../runs/reprocess';
import { cancelRun, resumeRun, runSummarySelect, startRun, toRunSummary } from '../../runs/service';
import { protectedProcedure, router } from '../trpc';

const RunId = z.object({ runId: z.uuid() });
const checkpointPolicy = (): CheckpointPolicy => ({ retentionHours: env().SLUICE_CHECKPOINT_RETENTION_HOURS });

export const runRouter = router({
  /** Starts a run of the newest version; `parameters` are checked and typed against the pipeline's declarations. */
  start: protectedProcedure
    .input(z.object({ pipelineId: z.uuid(), priority: z.enum(['high', 'normal', 'low']).default('normal'), parameters: ParameterInputSchema.default({}) }))
    .mutation(({ ctx, input }) =>
      startRun(ctx.db, ctx.services().queue, { workspaceId: ctx.workspace.id, pipelineId: input.pipelineId, userId: ctx.user.id, priority: input.priority, parameters: input.parameters }, env().SLUICE_MAX_QUEUED_RUNS),
    ),

  /**
   * Starts a run that resumes a failed or partially succeeded run from its
   * failed stages (same version and parameters), reusing what its checkpoint
   * kept. RUN_NOT_RESUMABLE or CHECKPOINT_UNAVAILABLE say why not.
   */
  resume: protectedProcedure
    .input(RunId)
    .mutation(({ ctx, input }) =>
      resumeRun(ctx.db, ctx.services().queue, { workspaceId: ctx.workspace.id, runId: input.runId, userId: ctx.user.id }, checkpointPolicy(), env().SLUICE_MAX_QUEUED_RUNS),
    ),

  /**
   * Starts a run that replays a succeeded run's rejected rows (dead letters)
   * through the pipeline's newest version: the CSV sources that rejected them,
   * or fed the node that did, read only those rows. The replayed dead letters
   * are marked when that run succeeds. RUN_NOT_REPROCESSABLE or
   * DEAD_LETTERS_ALREADY_REPROCESSED say why not.
   */
  reprocess: protectedProcedure
    .input(RunId.extend({ version: z.number().int().positive().optional().describe('The version the user confirmed; CONFLICT when a newer one was saved since') }))
    .mutation(({ ctx, input }) =>
      reprocessRun(
        ctx.db,
        ctx.services().queue,
        { workspaceId: ctx.workspace.id, runId: input.runId, userId: ctx.user.id, ...(input.version !== undefined ? { version: input.version } : {}) },
        env().SLUICE_MAX_QUEUED_RUNS,
      ),
    ),

  /** How many of the run's rejected rows a reprocess would replay now, with which version, which it would leave and why, or why it cannot. */
  reprocessPreview: protectedProcedure.input(RunId).query(async ({ ctx, input }) => {
    const { assessment } = await assessReprocess(ctx.db, { workspaceId: ctx.workspace.id, runId: input.runId });
    return {
      rows: assessment.rows,
      version: assessment.version,
      skipped: assessment.skipped,
      blocked: assessment.error ? { code: assessment.error.code, message: assessment.error.message } : null,
    };
  }),

  cancel: protectedProcedure.input(RunId).mutation(({ ctx, input }) => cancelRun(ctx.db, ctx.services().queue, ctx.services().bus, { workspaceId: ctx.workspace.id, runId: input.runId })),

  list: protectedProcedure.input(z.object({ pipelineId: z.uuid(), limit: z.number().int().min(1).max(200).default(50) })).query(async ({ ctx, input }) => {
    const runs = await ctx.db.run.findMany({
      where: { pipelineId: input.pipelineId, workspaceId: ctx.workspace.id },
      orderBy: { queuedAt: 'desc' },
      take: input.limit,
      select: runSummarySelect,
    });
    const policy = checkpointPolicy();
    return runs.map((r) => toRunSummary(r, policy));
  }),

  get: protectedProcedure.input(RunId).query(async ({ ctx, input }) => {
    const run = await ctx.db.run.findFirst({
      where: { id: input.runId, workspaceId: ctx.workspace.id },
      select: { ...runSummarySelect, stages: { orderBy: { position: 'asc' } } },
    });
    if (!run) throw new AppError('NOT_FOUND', 'Run not found');
    return {
      ...toRunSummary(run, checkpointPolicy()),
      stages: run.stages.map((s) => ({
        stageId: s.stageId,
        nodeIds: s.nodeIds,
        status: s.status,
        rowsIn: s.rowsIn === null ? null : Number(s.rowsIn),
        rowsOut: s.rowsOut === null ? null : Number(s.rowsOut),
        rowsRejected: s.rowsRejected === null ? null : Number(s.rowsRejected),
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        attempts: s.attempts,
        errorCode: s.errorCode,
        errorMessage: s.errorMessage,
      })),
    };
  }),

  /** The rows the run's nodes rejected, a page at a time in the order they were rejected, with the count per node. */
  deadLetters: protectedProcedure
    .input(
      RunId.extend({
        nodeId: z.string().min(1).optional(),
        cursor: z.string().regex(/^\d+$/).nullish(),
        limit: z.number().int().min(1).max(500).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (!(await findWorkspaceRun(ctx.db, input.runId, ctx.workspace.id))) throw new AppError('NOT_FOUND', 'Run not found');
      return listDeadLetters(ctx.db, input);
    }),

  /** The run's log lines, newest page first (each page oldest first); `before` pages back, filters narrow by level and node. */
  logs: protectedProcedure
    .input(
      RunId.extend({
        before: z.string().regex(/^\d+$/).nullish(),
        levels: z.array(z.enum(['info', 'warn', 'error'])).max(3).optional(),
        nodeIds: z.array(z.string().min(1)).max(100).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (!(await findWorkspaceRun(ctx.db, input.runId, ctx.workspace.id))) throw new AppError('NOT_FOUND', 'Run not found');
      return listRunLogs(ctx.db, input);
    }),

  /**
   * Live events of one run, each with the time it was recorded (`at`). Subscribes first, then replays what is stored after
   * `lastEventId`, so a reconnecting browser misses nothing and sees nothing twice.
   * Ends after the run's final status.
   */
  events: protectedProcedure.input(RunId.extend({ lastEventId: z.string().regex(/^\d+$/).nullish() })).subscription(async function* ({ ctx, input, signal }) {
    const run = await ctx.db.run.findFirst({ where: { id: input.runId, workspaceId: ctx.workspace.id }, select: { id: true } });
    if (!run) throw new AppError('NOT_FOUND', 'Run not found');

    const pending: PublishedRunEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = await ctx.services().bus.subscribe(input.runId, (event) => {
      pending.push(event);
      wake?.();
    });
    try {
      let last = BigInt(input.lastEventId ?? 0);
      const stored = await ctx.db.runEvent.findMany({ where: { runId: input.runId, id: { gt: last } }, orderBy: { id: 'asc' } });
      for (const row of stored) {
        const payload = RunEventPayloadSchema.parse(row.payload);
        last = row.id;
        yield tracked(String(row.id), { ...payload, at: row.createdAt.toISOString() });
        if (payload.type === 'run' && isTerminalRunStatus(payload.status)) return;
      }
      while (!signal?.aborted) {
        const event = pending.shift();
        if (!event) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          wake = undefined;
          continue;
        }
        if (BigInt(event.id) <= last) continue;
        last = BigInt(event.id);
        yield tracked(event.id, { ...event.payload, at: event.at ?? new Date().toISOString() });
        if (event.payload.type === 'run' && isTerminalRunStatus(event.payload.status)) return;
      }
    } finally {
      await unsubscribe();
    }
  }),
});
