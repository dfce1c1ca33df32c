// Schedules: the database row is the truth, BullMQ's job scheduler only the
// clock. Each firing creates at most one run: the run carries the schedule and
// the firing time under a unique index, so a redelivered fire job, two workers
// or a catch-up racing an on-time firing all end in the same single run.
//
// Missed firings (the schedule was paused, or no worker ran): with `skip` they
// are dropped; with `catchUpOnce` one run stands for all of them, created on
// resume, on start-up, or when a long-overdue fire job finally arrives. Racing
// processes may pick different firing times for it, so the unique index is not
// enough there: a catch-up is created only after a conditional update of the
// schedule row claims the missed period (see `resumeSchedule` and `catchUp`).
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError, errorMessage } from '../errors';
import { resolveParameters, type ParameterInput } from '../pipeline/parameters';
import type { RunJobData } from '../runs/queue';
import { latestVersion, startRun } from '../runs/service';
import { syncScheduler, type ScheduleQueue } from './queue';
import { latestSlot, nextSlots, ScheduleTimingSchema, timingOf, validateTiming } from './timing';
import { z } from 'zod';

export const MissedRunPolicySchema = z.enum(['skip', 'catchUpOnce']);

export const ScheduleInputSchema = z.object({
  name: z.string().trim().max(120).default(''),
  timing: ScheduleTimingSchema,
  missedRunPolicy: MissedRunPolicySchema.default('skip'),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type ScheduleInput = z.output<typeof ScheduleInputSchema>;

type ScheduleRow = NonNullable<Awaited<ReturnType<Prisma['schedule']['findUnique']>>>;

export interface ScheduleDeps {
  db: Prisma;
  runQueue: Queue<RunJobData>;
  scheduleQueue: ScheduleQueue;
  /** Tests use sub-second intervals. */
  minIntervalSeconds?: number;
  maxQueued?: number;
}

async function checkParameters(db: Prisma, workspaceId: string, pipelineId: string, parameters: ParameterInput): Promise<void> {
  const version = await db.pipelineVersion.findFirst({ where: { pipelineId }, select: { id: true } });
  // An unsaved pipeline has nothing to check against yet; its runs are checked when they start.
  if (version) resolveParameters((await latestVersion(db, workspaceId, pipelineId)).parameters, parameters);
}

export async function createSchedule(deps: ScheduleDeps, input: ScheduleInput & { workspaceId: string; pipelineId: string; userId: string }): Promise<ScheduleRow> {
  const pipeline = await deps.db.pipeline.findFirst({ where: { id: input.pipelineId, workspaceId: input.workspaceId }, select: { id: true } });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const timing = validateTiming(input.timing, { ...(deps.minIntervalSeconds !== undefined ? { minIntervalSeconds: deps.minIntervalSeconds } : {}) });
  await checkParameters(deps.db, input.workspaceId, input.pipelineId, input.parameters);
  const schedule = await deps.db.schedule.create({
    data: {
      workspaceId: input.workspaceId,
      pipelineId: input.pipelineId,
      name: input.name,
      ...timing,
      missedRunPolicy: input.missedRunPolicy,
      parameters: input.parameters,
      createdById: input.userId,
      activeSince: new Date(),
    },
  });
  await syncScheduler(deps.scheduleQueue, schedule);
  return schedule;
}

async function owned(db: Prisma, workspaceId: string, scheduleId: string): Promise<ScheduleRow> {
  const schedule = await db.schedule.findFirst({ where: { id: scheduleId, workspaceId } });
  if (!schedule) throw new AppError('NOT_FOUND', 'Schedule not found');
  return schedule;
}

export async function updateSchedule(deps: ScheduleDeps, workspaceId: string, scheduleId: string, input: Partial<ScheduleInput>): Promise<ScheduleRow> {
  const current = await owned(deps.db, workspaceId, scheduleId);
  const timing = input.timing ? validateTiming(input.timing, { ...(deps.minIntervalSeconds !== undefined ? { minIntervalSeconds: deps.minIntervalSeconds } : {}) }) : undefined;
  if (input.parameters) await checkParameters(deps.db, workspaceId, current.pipelineId, input.parameters);
  const schedule = await deps.db.schedule.update({
    where: { id: scheduleId },
    data: {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.missedRunPolicy ? { missedRunPolicy: input.missedRunPolicy } : {}),
      ...(input.parameters ? { parameters: input.parameters } : {}),
      // Firings under the old timing are not "missed" under the new one.
      ...(timing ? { ...timing, activeSince: new Date() } : {}),
    },
  });
  await syncScheduler(deps.scheduleQueue, schedule);
  return schedule;
}

export async function pauseSchedule(deps: ScheduleDeps, workspaceId: string, scheduleId: string): Promise<ScheduleRow> {
  await owned(deps.db, workspaceId, scheduleId);
  const schedule = await deps.db.schedule.update({ where: { id: scheduleId }, data: { paused: true } });
  await syncScheduler(deps.scheduleQueue, schedule);
  return schedule;
}

/**
 * Resumes a schedule; with catchUpOnce, one run stands for the firings missed
 * meanwhile. Flipping `paused` is a conditional update, so of resumes racing
 * each other exactly one owns the pause and creates its catch-up run; the same
 * update moves `activeSince` to now, so fire jobs and reconcilers still holding
 * the pre-pause state find nothing missed (see `catchUp`).
 */
export async function resumeSchedule(deps: ScheduleDeps, workspaceId: string, scheduleId: string, now = new Date()): Promise<{ schedule: ScheduleRow; catchUpRunId: string | null }> {
  const current = await owned(deps.db, workspaceId, scheduleId);
  if (!current.paused) return { schedule: current, catchUpRunId: null };
  const claimed = await deps.db.schedule.updateMany({ where: { id: scheduleId, paused: true }, data: { paused: false, activeSince: now } });
  // Another resume won: the catch-up of this pause is its to make.
  if (claimed.count === 0) return { schedule: await owned(deps.db, workspaceId, scheduleId), catchUpRunId: null };
  let catchUpRunId: string | null = null;
  const slot = latestSlot(timingOf(current), now);
  if (current.missedRunPolicy === 'catchUpOnce' && slot.getTime() > missedSince(current)) {
    try {
      catchUpRunId = await startCatchUpRun(deps, current, slot);
    } catch (error) {
      // Stay paused as before the call, so resuming again retries the catch-up.
      await deps.db.schedule.updateMany({ where: { id: scheduleId, paused: false, activeSince: now }, data: { paused: true, activeSince: current.activeSince } });
      throw error;
    }
    await markFired(deps.db, scheduleId, slot);
  }
  const schedule = await owned(deps.db, workspaceId, scheduleId);
  await syncScheduler(deps.scheduleQueue, schedule);
  return { schedule, catchUpRunId };
}

export async function deleteSchedule(deps: ScheduleDeps, workspaceId: string, scheduleId: string): Promise<void> {
  await owned(deps.db, workspaceId, scheduleId);
  await deps.db.schedule.delete({ where: { id: scheduleId } });
  await deps.scheduleQueue.removeJobScheduler(scheduleId);
}

/** Starts a run now with the schedule's parameter values; not a firing, so it misses nothing and counts for nothing. */
export async function fireScheduleNow(deps: ScheduleDeps, workspaceId: string, scheduleId: string, userId: string): Promise<{ runId: string }> {
  const schedule = await owned(deps.db, workspaceId, scheduleId);
  const { runId } = await startRun(deps.db, deps.runQueue, { workspaceId, pipelineId: schedule.pipelineId, userId, parameters: schedule.parameters as ParameterInput, trigger: 'manual', scheduleId }, deps.maxQueued);
  return { runId };
}

async function markFired(db: Prisma, scheduleId: string, firedAt: Date): Promise<void> {
  await db.schedule.updateMany({ where: { id: scheduleId, OR: [{ lastFiredAt: null }, { lastFiredAt: { lt: firedAt } }] }, data: { lastFiredAt: firedAt } });
}

/** Firings at or before this time cannot be missed: the schedule had not fired yet or was not active. */
function missedSince(schedule: ScheduleRow): number {
  return Math.max(schedule.lastFiredAt?.getTime() ?? 0, schedule.activeSince.getTime());
}

function startCatchUpRun(deps: ScheduleDeps, schedule: ScheduleRow, slot: Date): Promise<string> {
  return startRun(
    deps.db,
    deps.runQueue,
    { workspaceId: schedule.workspaceId, pipelineId: schedule.pipelineId, userId: schedule.createdById, parameters: schedule.parameters as ParameterInput, trigger: 'catch_up', scheduleId: schedule.id, scheduledFor: slot },
    deps.maxQueued,
  ).then((r) => r.runId);
}

/**
 * One run for the firings of an active schedule missed since it last fired (or
 * became active), counting only firings at or before `missedBy`: callers pass
 * a time `lateAfterMs` ago, because a firing due more recently still has its
 * fire job coming and is not missed. The run is for the newest such firing
 * time. Nothing when no firing was missed.
 *
 * Processes racing here (several starting at once, a long-overdue fire job)
 * may compute different slots, so the unique firing index alone cannot keep
 * the catch-up single: the run is created only by the process whose
 * conditional update moves `lastFiredAt` from the value it read. Anyone who
 * read an older row (a resume, a firing or another catch-up came between)
 * loses and creates nothing.
 */
export async function catchUp(deps: ScheduleDeps, schedule: ScheduleRow, missedBy: Date): Promise<string | null> {
  const slot = latestSlot(timingOf(schedule), missedBy);
  if (schedule.paused || slot.getTime() <= missedSince(schedule)) return null;
  const claimed = await deps.db.schedule.updateMany({
    where: { id: schedule.id, paused: false, activeSince: schedule.activeSince, lastFiredAt: schedule.lastFiredAt },
    data: { lastFiredAt: slot },
  });
  if (claimed.count === 0) return null;
  try {
    return await startCatchUpRun(deps, schedule, slot);
  } catch (error) {
    // Give the claim back (unless something fired since) so a later start-up can catch up.
    await deps.db.schedule.updateMany({ where: { id: schedule.id, lastFiredAt: slot }, data: { lastFiredAt: schedule.lastFiredAt } });
    throw error;
  }
}

export type FireOutcome = { status: 'started'; runId: string; created: boolean } | { status: 'caught_up'; runId: string | null } | { status: 'missed' | 'inactive' | 'stale' };

/** A firing arriving this much after its time counts as missed (the workers were down). */
export const LATE_AFTER_MS = 60_000;

/** Handles one fire job: the run for the firing at `firingTime`, at most once. */
export async function fireSchedule(deps: ScheduleDeps, scheduleId: string, firingTime: Date, options: { now?: Date; lateAfterMs?: number } = {}): Promise<FireOutcome> {
  const now = options.now ?? new Date();
  const schedule = await deps.db.schedule.findUnique({ where: { id: scheduleId } });
  if (!schedule || schedule.paused) {
    // A scheduler that outlived its schedule (a reconcile raced a delete or pause): stop it.
    await deps.scheduleQueue.removeJobScheduler(scheduleId).catch(() => undefined);
    return { status: 'inactive' };
  }
  // A firing from before the schedule's current timing or its resume.
  if (firingTime.getTime() < schedule.activeSince.getTime()) return { status: 'stale' };
  if (now.getTime() - firingTime.getTime() > (options.lateAfterMs ?? LATE_AFTER_MS)) {
    if (schedule.missedRunPolicy === 'skip') return { status: 'missed' };
    return { status: 'caught_up', runId: await catchUp(deps, schedule, new Date(now.getTime() - (options.lateAfterMs ?? LATE_AFTER_MS))) };
  }
  const { runId, created } = await startRun(
    deps.db,
    deps.runQueue,
    { workspaceId: schedule.workspaceId, pipelineId: schedule.pipelineId, userId: schedule.createdById, parameters: schedule.parameters as ParameterInput, trigger: 'schedule', scheduleId, scheduledFor: firingTime },
    deps.maxQueued,
  );
  await markFired(deps.db, scheduleId, firingTime);
  return { status: 'started', runId, created };
}

/**
 * Makes BullMQ's job schedulers agree with the schedule table: active
 * schedules get theirs, paused and deleted ones lose theirs. Safe to run in
 * several processes at once. With `catchUp` (at start-up) also creates the
 * catch-up run of each catchUpOnce schedule that missed firings while no
 * process ran (firings due within the last `lateAfterMs` are not missed yet:
 * their fire jobs are still coming).
 */
export async function reconcileSchedules(deps: ScheduleDeps, options: { catchUp?: boolean; now?: Date; lateAfterMs?: number } = {}): Promise<{ upserted: number; removed: number; caughtUp: number }> {
  const schedules = await deps.db.schedule.findMany({ where: { paused: false } });
  const active = new Set(schedules.map((s) => s.id));
  let upserted = 0;
  let removed = 0;
  let caughtUp = 0;
  const missedBy = new Date((options.now ?? new Date()).getTime() - (options.lateAfterMs ?? LATE_AFTER_MS));
  for (const schedule of schedules) {
    try {
      if ((await syncScheduler(deps.scheduleQueue, schedule)) === 'upserted') upserted++;
      if (options.catchUp && schedule.missedRunPolicy === 'catchUpOnce' && (await catchUp(deps, schedule, missedBy))) caughtUp++;
    } catch (error) {
      console.warn(`[schedules] could not reconcile schedule ${schedule.id}: ${errorMessage(error)}`);
    }
  }
  for (const scheduler of await deps.scheduleQueue.getJobSchedulers(0, -1)) {
    if (!active.has(scheduler.key)) {
      await deps.scheduleQueue.removeJobScheduler(scheduler.key);
      removed++;
    }
  }
  return { upserted, removed, caughtUp };
}

export function describeSchedule(schedule: ScheduleRow, now = new Date()) {
  const timing = timingOf(schedule);
  return {
    id: schedule.id,
    pipelineId: schedule.pipelineId,
    name: schedule.name,
    kind: schedule.kind,
    preset: schedule.preset,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    intervalSeconds: schedule.intervalSeconds,
    paused: schedule.paused,
    missedRunPolicy: schedule.missedRunPolicy,
    lastFiredAt: schedule.lastFiredAt,
    parameters: schedule.parameters as ParameterInput,
    nextFirings: schedule.paused ? [] : nextSlots(timing, now, 3),
  };
}
