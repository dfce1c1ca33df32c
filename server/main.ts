// `npm start` / `npm run serve`: one process that serves the Next.js app and,
// in embedded mode, also owns PGlite, a private Redis and the run worker.
// See docs/decisions/001-embedded-mode-single-process.md.
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import next from 'next';
import { processKeyring } from './connectors/secrets';
import { databaseTargetFromEnv, setProcessDatabase } from './db/database';
import { openDatabase } from './db/open';
import { env, parseEnv } from './env';
import { startEmbeddedRedis, type EmbeddedRedis } from './runtime/redis';
import { services } from './runtime/services';
import { startRunWorker, type RunWorker } from '../workers/run-worker';
import { startScheduleWorker, type ScheduleWorker } from '../workers/schedule-worker';
import { reconcileSchedules } from './schedules/service';

async function main(): Promise<void> {
  const initial = parseEnv();
  await mkdir(initial.dataDir, { recursive: true });
  let redis: EmbeddedRedis | undefined;
  if (!initial.REDIS_URL) {
    redis = await startEmbeddedRedis(initial.dataDir);
    // Set before env() is first read, so every module in this process sees it.
    process.env.REDIS_URL = redis.url;
    console.log(`Started a private Redis at ${redis.url}`);
  }
  const config = env();
  const redisUrl = config.REDIS_URL ?? '';
  const embeddedDb = !config.DATABASE_URL;

  // Loads (in embedded mode, on first start: generates) the key for connection secrets.
  try {
    processKeyring();
  } catch (error) {
    console.warn(`Connections are unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }

  const db = await openDatabase(databaseTargetFromEnv());
  const { applied } = await db.migrate();
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
  setProcessDatabase(db);
  console.log(embeddedDb ? `Database: PGlite in ${path.join(config.dataDir, 'pglite')}` : 'Database: PostgreSQL (DATABASE_URL)');

  let worker: RunWorker | undefined;
  if (config.SLUICE_EMBEDDED_WORKER ?? embeddedDb) {
    worker = await startRunWorker({
      db: db.prisma,
      bus: services().bus,
      redisUrl,
      prefix: config.SLUICE_QUEUE_PREFIX,
      dataDir: config.dataDir,
      concurrency: config.SLUICE_WORKER_CONCURRENCY,
      mode: 'embedded',
    });
    console.log(`Run worker ${worker.id} started in this process`);
  }
  // Schedules survive restarts: BullMQ's job schedulers are made to agree with the schedule table.
  let scheduleWorker: ScheduleWorker | undefined;
  if (worker) {
    scheduleWorker = await startScheduleWorker({ db: db.prisma, redisUrl, prefix: config.SLUICE_QUEUE_PREFIX, maxQueued: config.SLUICE_MAX_QUEUED_RUNS });
  } else {
    const { queue, scheduleQueue } = services();
    await reconcileSchedules({ db: db.prisma, runQueue: queue, scheduleQueue, maxQueued: config.SLUICE_MAX_QUEUED_RUNS }, { catchUp: true }).catch((error: unknown) =>
      console.warn(`Could not reconcile schedules: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  const app = next({ dev: process.env.SLUICE_DEV === '1', dir: path.resolve(import.meta.dirname, '..'), hostname: 'localhost', port: config.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  console.log(`Sluice is ready on http://localhost:${config.PORT}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close();
    await scheduleWorker?.close();
    await worker?.close(config.SLUICE_SHUTDOWN_GRACE_MS);
    await services().bus.close();
    await services().queue.close();
    await services().scheduleQueue.close();
    await db.close();
    await redis?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
