// The BullMQ queue that carries run requests to workers. Jobs carry ids only:
// the database holds everything else.
import { Queue, type ConnectionOptions } from 'bullmq';

export const RUN_QUEUE_NAME = 'runs';

export interface RunJobData {
  runId: string;
}

export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; they must retry forever instead of failing requests.
    maxRetriesPerRequest: null,
  };
}

export function createRunQueue(redisUrl: string, prefix: string): Queue<RunJobData> {
  return new Queue<RunJobData>(RUN_QUEUE_NAME, { connection: redisConnection(redisUrl), prefix });
}

/** Priorities as the API names them; BullMQ serves lower numbers first. */
export const RunPriorities = { high: 1, normal: 5, low: 10 } as const;
export type RunPriority = keyof typeof RunPriorities;

/**
 * Puts a run's job on the queue. jobId = runId: adding the same run twice is a
 * no-op while its job exists. The job is retried when its worker stops before
 * the run finished (shutdown, crash); the run itself decides when it is done.
 */
export async function enqueueRun(queue: Queue<RunJobData>, runId: string, priority: number): Promise<void> {
  await queue.add('run', { runId }, { jobId: runId, priority, attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: 1000, removeOnFail: 5000 });
}
