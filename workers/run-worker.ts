// A BullMQ worker for run jobs: parses the job, hands it to executeRun, and
// keeps a heartbeat so /api/health can list live workers. Nothing else.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyring } from '../server/connectors/secrets';
import type { Prisma } from '../server/db/database';
import type { RunEventBus } from '../server/runs/events';
import { executeRun } from '../server/runs/execute-run';
import { createRunQueue, redisConnection, RUN_QUEUE_NAME, type RunJobData } from '../server/runs/queue';
import { startReconciler } from '../server/runs/reconciler';
import { startTriggeredRuns } from '../server/schedules/triggers';
import { env } from '../server/env';
import { reportConnectionLoss } from '../server/runtime/redis';

const JobData = z.object({ runId: z.uuid() });

export interface RunWorkerOptions {
  db: Prisma;
  bus: RunEventBus;
  redisUrl: string;
  prefix: string;
  dataDir: string;
  concurrency: number;
  mode: 'embedded' | 'standalone';
  /** How often the (elected) reconciler looks for runs Redis lost; default 10 s. */
  reconcileIntervalMs?: number;
  /** Opens connection secrets; the process's keyring when absent. */
  keyring?: Keyring;
  /** BullMQ job lock: a dead worker's job is free again once it expires; default 30 s. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (stalled) and queues them again; default 30 s. */
  stalledIntervalMs?: number;
  /** How long failed runs' checkpoints are kept, in hours; default SLUICE_CHECKPOINT_RETENTION_HOURS. */
  checkpointRetentionHours?: number;
  /** How often the reconciler removes expired checkpoints; default 10 minutes. */
  checkpointSweepIntervalMs?: number;
}

export interface RunWorker {
  id: string;
  /** Stops taking jobs; running runs may finish within `graceMs`, then are handed back to the queue. */
  close(graceMs?: number): Promise<void>;
}

const HEARTBEAT_MS = 5_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;
export const heartbeatKey = (prefix: string, workerId: string) => `${prefix}:workers:${workerId}`;

export async function startRunWorker(o: RunWorkerOptions): Promise<RunWorker> {
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  // Cancel requests arrive on Redis; each executing run listens through its own controller.
  const cancels = new Map<string, AbortController>();
  const stopListening = await o.bus.onCancelRequest((runId) => cancels.get(runId)?.abort());
  // Runs started by pipeline triggers are queued on the same queue.
  const queue = createRunQueue(o.redisUrl, o.prefix);
  const checkpointRetentionHours = o.checkpointRetentionHours ?? env().SLUICE_CHECKPOINT_RETENTION_HOURS;
  const onSucceeded = async (runId: string) => {
    await startTriggeredRuns(o.db, queue, runId);
  };
  const worker = new Worker<RunJobData, string>(
    RUN_QUEUE_NAME,
    async (job, token, signal) => {
      const data = JobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`Job ${job.id ?? '?'} has malformed data: ${data.error.message}`);
      const { runId } = data.data;
      const cancel = new AbortController();
      cancels.set(runId, cancel);
      try {
        const outcome = await executeRun(runId, {
          db: o.db,
          bus: o.bus,
          dataDir: o.dataDir,
          cancel: cancel.signal,
          onSucceeded,
          checkpointRetentionHours,
          ...(signal ? { signal } : {}),
          ...(o.keyring ? { keyring: o.keyring } : {}),
        });
        if (outcome === 'deferred') {
          // The pipeline runs its maximum of concurrent runs: come back in a moment, without using up an attempt.
          await job.moveToDelayed(Date.now() + 1_000 + Math.floor(Math.random() * 1_000), token);
          throw new DelayedError();
        }
        return outcome;
      } finally {
        cancels.delete(runId);
      }
    },
    {
      connection: redisConnection(o.redisUrl),
      prefix: o.prefix,
      concurrency: o.concurrency,
      autorun: true,
      ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
      // After a failed Redis command (Redis down), try again within a second of its return, not BullMQ's 15 s.
      runRetryDelay: 1_000,
    },
  );
  // A job Redis lost (restart without persistence, FLUSHALL) cannot be completed or retried in Redis; the
  // run's outcome is in the database all the same, and the reconciler queues the lost runs that had not finished.
  let lostJob: string | undefined;
  worker.on('error', (error) => {
    const lost = /^Missing key for job ([^ ]+)\. /.exec(error.message)?.[1];
    if (lost === undefined) console.error(`[worker ${id}]`, error.message);
    else if (lost !== lostJob) console.warn(`[worker ${id}] Redis no longer has the job of run ${lost} (Redis lost its data); its outcome is recorded in the database`);
    lostJob = lost ?? lostJob;
  });
  await worker.waitUntilReady();

  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  reportConnectionLoss(redis, `worker ${id}`);
  const startedAt = new Date().toISOString();
  const beat = () =>
    redis
      .set(heartbeatKey(o.prefix, id), JSON.stringify({ id, host: hostname(), pid: process.pid, mode: o.mode, concurrency: o.concurrency, startedAt, seenAt: new Date().toISOString() }), 'PX', HEARTBEAT_MS * 3)
      .catch(() => undefined);
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  const reconciler = startReconciler({
    db: o.db,
    queue,
    redis,
    prefix: o.prefix,
    holder: id,
    ...(o.reconcileIntervalMs ? { intervalMs: o.reconcileIntervalMs } : {}),
    checkpoints: { dataDir: o.dataDir, retentionHours: checkpointRetentionHours, ...(o.checkpointSweepIntervalMs ? { intervalMs: o.checkpointSweepIntervalMs } : {}) },
  });

  return {
    id,
    async close(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      clearInterval(timer);
      await reconciler.stop();
      await queue.close();
      await stopListening();
      // Running runs get the grace period to finish; then they are handed back (their jobs retry elsewhere).
      const closing = worker.close();
      const finished = await Promise.race([closing.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref())]);
      if (!finished) {
        worker.cancelAllJobs('The worker is shutting down');
        await closing;
      }
      await redis.del(heartbeatKey(o.prefix, id)).catch(() => undefined);
      redis.disconnect();
    },
  };
}
