// Real Redis-backed services for integration tests, isolated by a random prefix.
import { randomBytes } from 'node:crypto';
import { createRunQueue } from '../runs/queue';
import { createScheduleQueue } from '../schedules/queue';
import { createRedisEventBus } from '../runs/events';
import type { Services } from '../runtime/services';
import { testRedisUrl } from './db';

export interface TestServices extends Services {
  prefix: string;
  close(): Promise<void>;
}

/** `redisUrl`: the shared test Redis unless a test brings its own (see redis-server.ts). */
export function createTestServices(redisUrl = testRedisUrl): TestServices {
  const prefix = `sluice-test-${randomBytes(4).toString('hex')}`;
  const queue = createRunQueue(redisUrl, prefix);
  const scheduleQueue = createScheduleQueue(redisUrl, prefix);
  const bus = createRedisEventBus(redisUrl, prefix);
  return {
    prefix,
    queue,
    scheduleQueue,
    bus,
    redisUrl,
    close: async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await scheduleQueue.obliterate({ force: true }).catch(() => undefined);
      await scheduleQueue.close();
      await bus.close();
    },
  };
}
