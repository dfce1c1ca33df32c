// The BullMQ queue that carries run requests to workers. Jobs carry ids only:
// the database holds everything else.
import { Queue, type ConnectionOptions } from 'bullmq';
import { errorMessage } from '../errors';

export const RUN_QUEUE_NAME = 'runs';

export interface RunJobData {
  runId: string;
}

/** Reconnects every 250 ms at first, then every 2 s: a restarted Redis is back in use within about 2 s. */
const reconnectDelay = (attempt: number): number => Math.min(250 * attempt, 2_000);

/** For workers: their commands wait for Redis to come back instead of failing. */
export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    retryStrategy: reconnectDelay,
    // BullMQ workers block on Redis; they must retry forever instead of failing requests.
    maxRetriesPerRequest: null,
  };
}

/**
 * For queues that API requests add to, count or cancel through: while Redis is
 * down a command fails after one reconnect attempt (under a second) instead of
 * waiting for Redis, so the request answers REDIS_UNAVAILABLE (or the run stays
 * recorded for the reconciler to queue) rather than hanging.
 */
export function queueConnection(redisUrl: string): ConnectionOptions {
  return { ...redisConnection(redisUrl), maxRetriesPerRequest: 1 };
}

/** Why a queue command failed, for a user: ioredis's retry-limit message means Redis could not be reached. */
export function redisFailure(error: unknown): string {
  const message = errorMessage(error);
  return /max retries per request/i.test(message) ? 'it cannot be reached' : message;
}

/** A queue's connection errors, at most one line per half minute instead of BullMQ's stack per reconnect attempt. */
export function reportQueueErrors(queue: { on(event: 'error', listener: (error: Error) => void): unknown }, name: string): void {
  let last = 0;
  queue.on('error', (error) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    console.warn(`[${name} queue] ${error.message}`);
  });
}

export function createRunQueue(redisUrl: string, prefix: string): Queue<RunJobData> {
  const queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection: queueConnection(redisUrl), prefix });
  reportQueueErrors(queue, RUN_QUEUE_NAME);
  return queue;
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
