// A BullMQ worker for run jobs: parses the job, hands it to executeRun, and
// keeps a heartbeat so /api/health can list live workers. Nothing else.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyring } from '../server/connectors/secrets';
import type { Prisma } from '../server/db/database';
import type { RunEventBus } from '../server/runs/events';
import { executeRun } from '../server/runs/execute-run';
import { redisConnection, RUN_QUEUE_NAME, type RunJobData } from '../server/runs/queue';

const JobData = z.object({ runId: z.uuid() });

export interface RunWorkerOptions {
  db: Prisma;
  bus: RunEventBus;
  redisUrl: string;
  prefix: string;
  dataDir: string;
  concurrency: number;
  mode: 'embedded' | 'standalone';
  /** Opens connection secrets; the process's keyring when absent. */
  keyring?: Keyring;
}

export interface RunWorker {
  id: string;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 5_000;
export const heartbeatKey = (prefix: string, workerId: string) => `${prefix}:workers:${workerId}`;

export async function startRunWorker(o: RunWorkerOptions): Promise<RunWorker> {
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const worker = new Worker<RunJobData, string>(
    RUN_QUEUE_NAME,
    async (job, _token, signal) => {
      const data = JobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`Job ${job.id ?? '?'} has malformed data: ${data.error.message}`);
      return executeRun(data.data.runId, { db: o.db, bus: o.bus, dataDir: o.dataDir, ...(signal ? { signal } : {}), ...(o.keyring ? { keyring: o.keyring } : {}) });
    },
    { connection: redisConnection(o.redisUrl), prefix: o.prefix, concurrency: o.concurrency, autorun: true },
  );
  worker.on('error', (error) => console.error(`[worker ${id}]`, error.message));
  await worker.waitUntilReady();

  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  const startedAt = new Date().toISOString();
  const beat = () =>
    redis
      .set(heartbeatKey(o.prefix, id), JSON.stringify({ id, host: hostname(), pid: process.pid, mode: o.mode, concurrency: o.concurrency, startedAt, seenAt: new Date().toISOString() }), 'PX', HEARTBEAT_MS * 3)
      .catch(() => undefined);
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();

  return {
    id,
    async close() {
      clearInterval(timer);
      await worker.close();
      await redis.del(heartbeatKey(o.prefix, id)).catch(() => undefined);
      redis.disconnect();
    },
  };
}
