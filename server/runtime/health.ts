// What /api/health reports: the database, Redis, and the workers whose
// heartbeats are fresh.
import { Redis } from 'ioredis';
import { database } from '../db/database';
import { env } from '../env';
import { errorMessage } from '../errors';

export interface Health {
  status: 'ok' | 'degraded';
  database: { ok: boolean; kind?: string; error?: string };
  redis: { ok: boolean; error?: string };
  workers: { id: string; host: string; pid: number; mode: string; seenAt: string }[];
}

export async function checkHealth(): Promise<Health> {
  const health: Health = { status: 'ok', database: { ok: false }, redis: { ok: false }, workers: [] };
  try {
    const db = await database();
    await db.ping();
    health.database = { ok: true, kind: db.kind };
  } catch (error) {
    health.database = { ok: false, error: errorMessage(error) };
  }
  const { REDIS_URL, SLUICE_QUEUE_PREFIX } = env();
  if (!REDIS_URL) {
    health.redis = { ok: false, error: 'REDIS_URL is not set' };
  } else {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
    redis.on('error', () => undefined); // reported through the failed ping below
    try {
      await redis.connect();
      await redis.ping();
      health.redis = { ok: true };
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${SLUICE_QUEUE_PREFIX}:workers:*`, 'COUNT', 100);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const values = keys.length > 0 ? await redis.mget(keys) : [];
      health.workers = values.flatMap((v) => (v ? [JSON.parse(v) as Health['workers'][number]] : []));
    } catch (error) {
      health.redis = { ok: false, error: errorMessage(error) };
    } finally {
      redis.disconnect();
    }
  }
  if (!health.database.ok || !health.redis.ok || health.workers.length === 0) health.status = 'degraded';
  return health;
}
