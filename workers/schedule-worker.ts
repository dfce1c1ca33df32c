// A BullMQ worker for schedule fire jobs: each one becomes (at most) one run.
// On start it reconciles BullMQ's job schedulers with the schedule table and
// creates the catch-up runs of schedules that missed firings while nothing
// ran; then it reconciles again every few minutes (Redis may have lost them).
import { UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import type { Prisma } from '../server/db/database';
import { errorMessage } from '../server/errors';
import { createRunQueue, redisConnection } from '../server/runs/queue';
import { createScheduleQueue, FIRE_JOB_NAME, firingTimeOf, SCHEDULE_QUEUE_NAME, type FireJobData } from '../server/schedules/queue';
import { fireSchedule, reconcileSchedules, type ScheduleDeps } from '../server/schedules/service';

const JobData = z.object({ scheduleId: z.uuid() });

export interface ScheduleWorkerOptions {
  db: Prisma;
  redisUrl: string;
  prefix: string;
  /** Default 5 minutes. */
  reconcileIntervalMs?: number;
  /** A fire job handled later than this after its time counts as missed (default 60 s). */
  lateAfterMs?: number;
  maxQueued?: number;
}

export interface ScheduleWorker {
  close(): Promise<void>;
}

export async function startScheduleWorker(o: ScheduleWorkerOptions): Promise<ScheduleWorker> {
  const runQueue = createRunQueue(o.redisUrl, o.prefix);
  const scheduleQueue = createScheduleQueue(o.redisUrl, o.prefix);
  const deps: ScheduleDeps = { db: o.db, runQueue, scheduleQueue, ...(o.maxQueued !== undefined ? { maxQueued: o.maxQueued } : {}) };
  const worker = new Worker<FireJobData, string>(
    SCHEDULE_QUEUE_NAME,
    async (job) => {
      const data = JobData.safeParse(job.data);
      const firingTime = firingTimeOf(job.id);
      if (job.name !== FIRE_JOB_NAME || !data.success || !firingTime) throw new UnrecoverableError(`Job ${job.id ?? '?'} is not a schedule firing`);
      const outcome = await fireSchedule(deps, data.data.scheduleId, firingTime, { ...(o.lateAfterMs !== undefined ? { lateAfterMs: o.lateAfterMs } : {}) });
      return outcome.status;
    },
    // Fire jobs only write a row and queue a job; a few at once keep many schedules on time.
    { connection: redisConnection(o.redisUrl), prefix: o.prefix, concurrency: 4, autorun: true },
  );
  worker.on('error', (error) => console.error('[schedules]', error.message));
  worker.on('failed', (job, error) => console.warn(`[schedules] firing ${job?.id ?? '?'} failed: ${error.message}`));
  await worker.waitUntilReady();

  const reconcile = async (catchUp: boolean) => {
    try {
      const result = await reconcileSchedules(deps, { catchUp, ...(o.lateAfterMs !== undefined ? { lateAfterMs: o.lateAfterMs } : {}) });
      if (result.upserted + result.removed + result.caughtUp > 0) console.log(`[schedules] reconciled: ${result.upserted} scheduler(s) set, ${result.removed} removed, ${result.caughtUp} catch-up run(s)`);
    } catch (error) {
      console.warn(`[schedules] could not reconcile: ${errorMessage(error)}`);
    }
  };
  await reconcile(true);
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= reconcile(false).finally(() => (running = undefined));
  }, o.reconcileIntervalMs ?? 300_000);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await running;
      await worker.close();
      await scheduleQueue.close();
      await runQueue.close();
    },
  };
}
