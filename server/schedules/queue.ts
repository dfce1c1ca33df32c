// The BullMQ side of schedules: one job scheduler per active schedule, on a
// queue of its own ('schedules'), whose jobs only say "schedule X fired at T".
// A separate queue, not the run queue, because:
// - fire jobs must be handled on time, not wait behind hours-long runs for a
//   worker slot;
// - the run queue's depth (the BUSY limit) must not count schedulers' delayed jobs;
// - every job scheduler on this queue is a schedule's, so reconciling can
//   remove the ones the database no longer has.
import { Queue } from 'bullmq';
import { queueConnection, reportQueueErrors } from '../runs/queue';
import { repeatOptions, timingOf, type Timing } from './timing';

export const SCHEDULE_QUEUE_NAME = 'schedules';
export const FIRE_JOB_NAME = 'schedule-fire';

export interface FireJobData {
  scheduleId: string;
}

export type ScheduleQueue = Queue<FireJobData>;

export function createScheduleQueue(redisUrl: string, prefix: string): ScheduleQueue {
  const queue = new Queue<FireJobData>(SCHEDULE_QUEUE_NAME, { connection: queueConnection(redisUrl), prefix });
  reportQueueErrors(queue, SCHEDULE_QUEUE_NAME);
  return queue;
}

export interface SchedulerSource {
  id: string;
  paused: boolean;
  kind: 'cron' | 'preset' | 'interval';
  cron: string | null;
  timeZone: string;
  intervalSeconds: number | null;
}

/** Whether BullMQ's scheduler already fires as `timing` says. */
function matches(existing: Awaited<ReturnType<ScheduleQueue['getJobScheduler']>>, id: string, timing: Timing): boolean {
  if (!existing || existing.template?.data?.scheduleId !== id || existing.name !== FIRE_JOB_NAME) return false;
  if (timing.kind === 'cron') return existing.pattern === timing.pattern && (existing.tz ?? 'UTC') === timing.timeZone && !existing.every;
  return existing.every === timing.everyMs && !existing.pattern;
}

/**
 * Makes BullMQ agree with one schedule row: an active schedule has a job
 * scheduler with its timing, a paused one has none. Leaves a matching
 * scheduler alone, so processes reconciling at once do not reset each other.
 */
export async function syncScheduler(queue: ScheduleQueue, schedule: SchedulerSource): Promise<'upserted' | 'removed' | 'unchanged'> {
  if (schedule.paused) return (await queue.removeJobScheduler(schedule.id)) ? 'removed' : 'unchanged';
  const timing = timingOf(schedule);
  if (matches(await queue.getJobScheduler(schedule.id), schedule.id, timing)) return 'unchanged';
  await queue.upsertJobScheduler(schedule.id, repeatOptions(timing), {
    name: FIRE_JOB_NAME,
    data: { scheduleId: schedule.id },
    // A fire job is cheap and idempotent (one run per firing, enforced by the database): retry it.
    opts: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: 200, removeOnFail: 1000 },
  });
  return 'upserted';
}

/** The firing time a scheduler's job stands for: its id is `repeat:<schedulerId>:<millis>`. */
export function firingTimeOf(jobId: string | undefined): Date | null {
  const millis = Number(jobId?.slice(jobId.lastIndexOf(':') + 1));
  return jobId?.startsWith('repeat:') && Number.isSafeInteger(millis) && millis > 0 ? new Date(millis) : null;
}
