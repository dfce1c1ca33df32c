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

export function createTestServices(): TestServices {
  const prefix = `sluice-test-${randomBytes(4).toString('hex')}`;
  const queue = createRunQueue(testRedisUrl, prefix);
  const scheduleQueue = createScheduleQueue(testRedisUrl, prefix);
  const bus = createRedisEventBus(testRedisUrl, prefix);
  return {
    prefix,
    queue,
    scheduleQueue,
    bus,
    redisUrl: testRedisUrl,
    close: async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await scheduleQueue.obliterate({ force: true }).catch(() => undefined);
      await scheduleQueue.close();
      await bus.close();
    },
  };
}
