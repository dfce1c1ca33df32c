// Schedules, pipeline triggers, webhook tokens and backfills of a pipeline.
// Every procedure works inside the caller's workspace only.
import { z } from 'zod';
import { env } from '../../env';
import { AppError } from '../../errors';
import { ParameterDeclarationsSchema, VisualPipelineSchema } from '../../pipeline/model';
import { ParameterInputSchema } from '../../pipeline/parameters';
import { pipelineRouter } from './pipeline';
import { createBackfill } from '../../runs/backfill';
import { latestVersion } from '../../runs/service';
import {
  createSchedule,
  deleteSchedule,
  describeSchedule,
  fireScheduleNow,
  pauseSchedule,
  resumeSchedule,
  ScheduleInputSchema,
  updateSchedule,
  type ScheduleDeps,
} from '../../schedules/service';
import { createPipelineTrigger, deletePipelineTrigger } from '../../schedules/triggers';
import { issueWebhookToken, revokeWebhookToken } from '../../schedules/webhooks';
import { createCallerFactory, protectedProcedure, router, type Context } from '../trpc';

const createCaller = createCallerFactory(router({ pipeline: pipelineRouter }));

const ScheduleId = z.object({ scheduleId: z.uuid() });
const PipelineId = z.object({ pipelineId: z.uuid() });

const depsOf = (ctx: Context): ScheduleDeps => ({ db: ctx.db, runQueue: ctx.services().queue, scheduleQueue: ctx.services().scheduleQueue, maxQueued: env().SLUICE_MAX_QUEUED_RUNS });

export const scheduleRouter = router({
  /** Everything that starts the pipeline besides a person: schedules, triggers both ways, the webhook, backfills; plus its declared parameters. */
  list: protectedProcedure.input(PipelineId).query(async ({ ctx, input }) => {
    const pipeline = await ctx.db.pipeline.findFirst({ where: { id: input.pipelineId, workspaceId: ctx.workspace.id }, select: { id: true, name: true } });
    if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
    const [schedules, triggers, triggeredBy, webhook, backfills, pipelines] = await Promise.all([
      ctx.db.schedule.findMany({ where: { pipelineId: input.pipelineId, workspaceId: ctx.workspace.id }, orderBy: { createdAt: 'asc' } }),
      ctx.db.pipelineTrigger.findMany({ where: { upstreamPipelineId: input.pipelineId, workspaceId: ctx.workspace.id }, select: { id: true, downstream: { select: { id: true, name: true } }, parameters: true } }),
      ctx.db.pipelineTrigger.findMany({ where: { downstreamPipelineId: input.pipelineId, workspaceId: ctx.workspace.id }, select: { id: true, upstream: { select: { id: true, name: true } }, parameters: true } }),
      ctx.db.pipelineWebhook.findUnique({ where: { pipelineId: input.pipelineId }, select: { tokenPrefix: true, createdAt: true, rotatedAt: true } }),
      ctx.db.backfill.findMany({
        where: { pipelineId: input.pipelineId, workspaceId: ctx.workspace.id },
        orderBy: { createdAt: 'desc' },
        take: 20,
        select: { id: true, rangeStart: true, rangeEnd: true, granularity: true, parameterName: true, maxConcurrentRuns: true, createdAt: true, runs: { select: { status: true } } },
      }),
      ctx.db.pipeline.findMany({ where: { workspaceId: ctx.workspace.id, id: { not: input.pipelineId } }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    ]);
    const declared = await latestVersion(ctx.db, ctx.workspace.id, input.pipelineId).then((v) => v.parameters, () => []);
    return {
      pipeline,
      parameters: declared,
      schedules: schedules.map((s) => describeSchedule(s)),
      triggers: triggers.map((t) => ({ id: t.id, pipeline: t.downstream, parameters: t.parameters as Record<string, unknown> })),
      triggeredBy: triggeredBy.map((t) => ({ id: t.id, pipeline: t.upstream, parameters: t.parameters as Record<string, unknown> })),
      webhook,
      backfills: backfills.map(({ runs, ...b }) => ({ ...b, runs: runs.length, byStatus: Object.fromEntries(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'partially_succeeded'].map((s) => [s, runs.filter((r) => r.status === s).length])) })),
      otherPipelines: pipelines,
    };
  }),

  /** Saves a new version of the pipeline with these parameter declarations (the designer's Pipeline panel edits them too). */
  setParameters: protectedProcedure.input(PipelineId.extend({ parameters: ParameterDeclarationsSchema })).mutation(async ({ ctx, input }) => {
    const latest = await latestVersion(ctx.db, ctx.workspace.id, input.pipelineId);
    const pipeline = await ctx.db.pipeline.findFirstOrThrow({ where: { id: input.pipelineId }, select: { latestVersion: true } });
    const document = VisualPipelineSchema.parse({ ...latest.document, parameters: input.parameters });
    return createCaller(ctx).pipeline.save({ id: input.pipelineId, document, baseVersion: pipeline.latestVersion, message: 'Parameters changed' });
  }),

  create: protectedProcedure.input(ScheduleInputSchema.extend({ pipelineId: z.uuid() })).mutation(async ({ ctx, input }) =>
    describeSchedule(await createSchedule(depsOf(ctx), { ...input, workspaceId: ctx.workspace.id, userId: ctx.user.id })),
  ),

  update: protectedProcedure.input(ScheduleId.extend(ScheduleInputSchema.partial().shape)).mutation(async ({ ctx, input }) => {
    const { scheduleId, ...changes } = input;
    return describeSchedule(await updateSchedule(depsOf(ctx), ctx.workspace.id, scheduleId, changes));
  }),

  pause: protectedProcedure.input(ScheduleId).mutation(async ({ ctx, input }) => describeSchedule(await pauseSchedule(depsOf(ctx), ctx.workspace.id, input.scheduleId))),

  resume: protectedProcedure.input(ScheduleId).mutation(async ({ ctx, input }) => {
    const { schedule, catchUpRunId } = await resumeSchedule(depsOf(ctx), ctx.workspace.id, input.scheduleId);
    return { schedule: describeSchedule(schedule), catchUpRunId };
  }),

  delete: protectedProcedure.input(ScheduleId).mutation(async ({ ctx, input }) => {
    await deleteSchedule(depsOf(ctx), ctx.workspace.id, input.scheduleId);
    return { deleted: true };
  }),

  fireNow: protectedProcedure.input(ScheduleId).mutation(({ ctx, input }) => fireScheduleNow(depsOf(ctx), ctx.workspace.id, input.scheduleId, ctx.user.id)),

  /** "When this pipeline succeeds, run that one." */
  createTrigger: protectedProcedure
    .input(z.object({ upstreamPipelineId: z.uuid(), downstreamPipelineId: z.uuid(), parameters: ParameterInputSchema.default({}) }))
    .mutation(({ ctx, input }) => createPipelineTrigger(ctx.db, { ...input, workspaceId: ctx.workspace.id, userId: ctx.user.id })),

  deleteTrigger: protectedProcedure.input(z.object({ triggerId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await deletePipelineTrigger(ctx.db, ctx.workspace.id, input.triggerId);
    return { deleted: true };
  }),

  /** Creates or rotates the pipeline's webhook token. The token is in this answer only; it is never shown again. */
  issueWebhookToken: protectedProcedure.input(PipelineId).mutation(({ ctx, input }) => issueWebhookToken(ctx.db, ctx.workspace.id, input.pipelineId)),

  revokeWebhookToken: protectedProcedure.input(PipelineId).mutation(async ({ ctx, input }) => {
    await revokeWebhookToken(ctx.db, ctx.workspace.id, input.pipelineId);
    return { revoked: true };
  }),

  createBackfill: protectedProcedure
    .input(
      z.object({
        pipelineId: z.uuid(),
        start: z.coerce.date(),
        end: z.coerce.date(),
        granularity: z.enum(['day', 'hour']),
        parameterName: z.string().min(1).max(64),
        maxConcurrentRuns: z.number().int().min(1).max(100).default(2),
        parameters: ParameterInputSchema.default({}),
      }),
    )
    .mutation(({ ctx, input }) => createBackfill(ctx.db, ctx.services().queue, { ...input, workspaceId: ctx.workspace.id, userId: ctx.user.id }, env().SLUICE_MAX_QUEUED_RUNS)),
});
