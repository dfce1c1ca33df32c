// Process-wide connections that API requests share. Kept on globalThis because
// Next.js bundles route handlers apart from the custom server that starts them.
import type { Queue } from 'bullmq';
import { env } from '../env';
import { createRedisEventBus, type RunEventBus } from '../runs/events';
import { createRunQueue, type RunJobData } from '../runs/queue';
import { createScheduleQueue, type ScheduleQueue } from '../schedules/queue';

export interface Services {
  queue: Queue<RunJobData>;
  /** Carries schedule firings (job schedulers), apart from runs. */
  scheduleQueue: ScheduleQueue;
  bus: RunEventBus;
  redisUrl: string;
}

const GLOBAL_KEY = Symbol.for('sluice.services');
type GlobalWithServices = typeof globalThis & { [GLOBAL_KEY]?: Services };

export function services(): Services {
  const g = globalThis as GlobalWithServices;
  if (!g[GLOBAL_KEY]) {
    const { REDIS_URL, SLUICE_QUEUE_PREFIX } = env();
    if (!REDIS_URL) throw new Error('REDIS_URL is not set; start Sluice with `npm start`, which provides Redis.');
    g[GLOBAL_KEY] = { queue: createRunQueue(REDIS_URL, SLUICE_QUEUE_PREFIX), scheduleQueue: createScheduleQueue(REDIS_URL, SLUICE_QUEUE_PREFIX), bus: createRedisEventBus(REDIS_URL, SLUICE_QUEUE_PREFIX), redisUrl: REDIS_URL };
  }
  return g[GLOBAL_KEY];
}
