// `npm run worker`: a standalone worker process. Needs a shared PostgreSQL and
// Redis; with the embedded PGlite database the worker runs inside `npm start`.
import { processKeyring } from '../server/connectors/secrets';
import { setProcessDatabase } from '../server/db/database';
import { openDatabase } from '../server/db/open';
import { env } from '../server/env';
import { createRedisEventBus } from '../server/runs/events';
import { startRunWorker } from './run-worker';
import { startScheduleWorker } from './schedule-worker';

async function main(): Promise<void> {
  const config = env();
  if (!config.DATABASE_URL || !config.REDIS_URL) {
    console.error(
      'npm run worker needs DATABASE_URL (PostgreSQL) and REDIS_URL shared with the web app.\n' +
        'With the embedded defaults (no DATABASE_URL) the worker already runs inside `npm start`.',
    );
    process.exit(2);
  }
  try {
    processKeyring();
  } catch (error) {
    console.warn(`Runs that read database sources will fail: ${error instanceof Error ? error.message : String(error)}`);
  }
  const db = await openDatabase({ kind: 'postgres', url: config.DATABASE_URL });
  await db.migrate();
  setProcessDatabase(db);
  const bus = createRedisEventBus(config.REDIS_URL, config.SLUICE_QUEUE_PREFIX);
  const worker = await startRunWorker({
    db: db.prisma,
    bus,
    redisUrl: config.REDIS_URL,
    prefix: config.SLUICE_QUEUE_PREFIX,
    dataDir: config.dataDir,
    concurrency: config.SLUICE_WORKER_CONCURRENCY,
    mode: 'standalone',
    lockDurationMs: config.SLUICE_WORKER_LOCK_MS,
    stalledIntervalMs: config.SLUICE_WORKER_LOCK_MS,
  });
  const scheduleWorker = await startScheduleWorker({ db: db.prisma, redisUrl: config.REDIS_URL, prefix: config.SLUICE_QUEUE_PREFIX, maxQueued: config.SLUICE_MAX_QUEUED_RUNS });
  console.log(`Sluice worker ${worker.id} is processing runs (concurrency ${config.SLUICE_WORKER_CONCURRENCY}) and schedule firings.`);

  const shutdown = async (signal: string) => {
    console.log(`${signal}: finishing the current runs, then stopping.`);
    await scheduleWorker.close();
    await worker.close(config.SLUICE_SHUTDOWN_GRACE_MS);
    await bus.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
