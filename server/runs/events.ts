// What a run tells the outside world while it happens. Workers append events to
// the database (the durable, replayable log) and publish them on Redis (the live
// path); browsers read both through one resumable subscription.
import { Redis } from 'ioredis';
import { z } from 'zod';
import { reportConnectionLoss } from '../runtime/redis';

const RunStatus = z.enum(['queued', 'running', 'succeeded', 'partially_succeeded', 'failed', 'cancelled']);
const StageStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'reused']);

export const RunEventPayloadSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    status: RunStatus,
    errorMessage: z.string().nullish(),
    errorNodeId: z.string().nullish(),
    rowsRead: z.number().optional(),
    rowsWritten: z.number().optional(),
    rowsRejected: z.number().optional(),
  }),
  z.object({
    type: z.literal('stage'),
    stageId: z.string(),
    nodeIds: z.array(z.string()),
    status: StageStatus,
    rowsIn: z.number().nullish(),
    rowsOut: z.number().nullish(),
    attempts: z.number().int().optional(),
    rowsRejected: z.number().nullish(),
    errorMessage: z.string().nullish(),
  }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string(), nodeId: z.string().optional() }),
]);
export type RunEventPayload = z.infer<typeof RunEventPayloadSchema>;

export const isTerminalRunStatus = (status: string): boolean => ['succeeded', 'partially_succeeded', 'failed', 'cancelled'].includes(status);

export interface PublishedRunEvent {
  id: string;
  /** When the event was recorded (ISO 8601), as stored with it. */
  at?: string;
  payload: RunEventPayload;
}

export interface RunEventBus {
  publish(runId: string, event: PublishedRunEvent): Promise<void>;
  /** Calls `listener` for each event published for the run until the returned function is called. */
  subscribe(runId: string, listener: (event: PublishedRunEvent) => void): Promise<() => Promise<void>>;
  /** Tells whichever worker executes the run to stop it. */
  requestCancel(runId: string): Promise<void>;
  /** Calls `listener` with the id of every run someone asks to cancel. */
  onCancelRequest(listener: (runId: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One publishing and one subscribing connection per process, shared by all runs. */
export function createRedisEventBus(redisUrl: string, prefix: string): RunEventBus {
  const publisher = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  const subscriber = new Redis(redisUrl, { lazyConnect: true });
  // Both reconnect by themselves; the subscriber subscribes again to its channels.
  reportConnectionLoss(publisher, 'run events');
  reportConnectionLoss(subscriber, 'run events');
  const listeners = new Map<string, Set<(event: PublishedRunEvent) => void>>();
  const channel = (runId: string) => `${prefix}:run-events:${runId}`;
  let subscriberReady: Promise<void> | undefined;

  const cancelCh = `${prefix}:run-cancel`;
  const cancelListeners = new Set<(runId: string) => void>();

  subscriber.on('message', (ch: string, message: string) => {
    if (ch === cancelCh) {
      for (const listener of cancelListeners) listener(message);
      return;
    }
    const set = listeners.get(ch);
    if (!set) return;
    const parsed = z.object({ id: z.string(), at: z.string().optional(), payload: RunEventPayloadSchema }).safeParse(JSON.parse(message));
    if (!parsed.success) return;
    for (const listener of set) listener(parsed.data);
  });

  return {
    async publish(runId, event) {
      await publisher.publish(channel(runId), JSON.stringify(event));
    },
    async subscribe(runId, listener) {
      subscriberReady ??= subscriber.connect();
      await subscriberReady;
      const ch = channel(runId);
      let set = listeners.get(ch);
      if (!set) {
        set = new Set();
        listeners.set(ch, set);
        await subscriber.subscribe(ch);
      }
      set.add(listener);
      return async () => {
        const current = listeners.get(ch);
        current?.delete(listener);
        if (current?.size === 0) {
          listeners.delete(ch);
          await subscriber.unsubscribe(ch).catch(() => undefined);
        }
      };
    },
    async requestCancel(runId) {
      await publisher.publish(cancelCh, runId);
    },
    async onCancelRequest(listener) {
      subscriberReady ??= subscriber.connect();
      await subscriberReady;
      if (cancelListeners.size === 0) await subscriber.subscribe(cancelCh);
      cancelListeners.add(listener);
      return async () => {
        cancelListeners.delete(listener);
        if (cancelListeners.size === 0) await subscriber.unsubscribe(cancelCh).catch(() => undefined);
      };
    },
    close() {
      publisher.disconnect();
      subscriber.disconnect();
      return Promise.resolve();
    },
  };
}
