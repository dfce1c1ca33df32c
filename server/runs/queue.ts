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
