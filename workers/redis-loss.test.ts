// Losing Redis while runs are in flight, against a private redis-server (no
// persistence), real PostgreSQL and two standalone worker processes: a crash
// and restart, and a FLUSHALL. The workers reconnect by themselves, the
// reconciler queues again what Redis lost, and every run succeeds exactly once
// with its own output.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../server/api/root';
import { workspaceDir } from '../server/engine/files';
import { startRun } from '../server/runs/service';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../server/testing/db';
import { linearPipeline, ordersCsv } from '../server/testing/pipelines';
import { startPrivateRedis, type PrivateRedis } from '../server/testing/redis-server';
import { createTestServices, type TestServices } from '../server/testing/services';
import { until } from '../server/testing/wait';
import { startWorkerProcess, type WorkerProcess } from '../server/testing/worker-process';
import { heartbeatKey } from './run-worker';

const RUNS = 200;
/** What each run writes to out/<n>.csv: the paid orders of at least 10. */
const EXPECTED_OUTPUT = ['order_id,customer,amount', '1,alice,10.5', '3,"carol, jr",150.25'];

describe('standalone workers when Redis is lost mid-flight', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let services: TestServices;
  let dataDir: string;
  let files: string;
  let workspaceId: string;
  let userId: string;
  let pipelineId: string;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    redis = await startPrivateRedis();
    services = createTestServices(redis.url);
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-redis-loss-'));
    const user = await signUpTestUser(db.prisma, 'redis-loss@example.com');
    userId = user.id;
    const caller = createCaller({ db: db.prisma, user, services: () => services });
    workspaceId = (await caller.workspace.current()).id;
    files = workspaceDir(dataDir, workspaceId);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    // Each run writes its own file, so a lost or doubled run shows in the outputs too.
    const document = { ...linearPipeline({ sink: { format: 'csv', path: 'out/{{params.n}}/paid.csv' } }), parameters: [{ name: 'n', type: 'string' as const }] };
    pipelineId = (await caller.pipeline.create({ name: 'small' })).id;
    await caller.pipeline.save({ id: pipelineId, document, baseVersion: 0 });
  });
  afterEach(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    workers = [];
  });
  afterAll(async () => {
    // The queue's connections wait for Redis forever: close them while it still answers.
    await services.close();
    await redis.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Queues RUNS runs (out/<batch>-<i>), starts two workers, and loses Redis once some runs finished and most are still queued or running. */
  async function loseRedisMidFlight(batch: string, loseRedis: () => Promise<void>): Promise<{ runIds: string[]; workers: WorkerProcess[] }> {
    await services.queue.pause();
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) runIds.push((await startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId, parameters: { n: `${batch}${i}` } }, RUNS + 1)).runId);
    const env = { DATABASE_URL: db.url ?? '', REDIS_URL: redis.url, SLUICE_QUEUE_PREFIX: services.prefix, SLUICE_DATA_DIR: dataDir, SLUICE_WORKER_CONCURRENCY: '2' };
    workers = [startWorkerProcess(env), startWorkerProcess(env)];
    await Promise.all(workers.map((w) => w.ready));
    await services.queue.resume();

    const count = (status: 'succeeded' | 'queued') => db.prisma.run.count({ where: { id: { in: runIds }, status } });
    await until('20 runs succeeded', async () => (await count('succeeded')) >= 20, 120_000, 20);
    await loseRedis();
    // Lost mid-flight: most runs had not even started.
    expect(await count('queued')).toBeGreaterThan(RUNS / 4);
    return { runIds, workers };
  }

  async function expectEachRunSucceededOnce(batch: string, runIds: string[]): Promise<void> {
    await until(`all ${RUNS} runs finish`, async () => (await db.prisma.run.count({ where: { id: { in: runIds }, status: { in: ['queued', 'running'] } } })) === 0, 180_000, 200);
    const runs = await db.prisma.run.findMany({ where: { id: { in: runIds } }, select: { id: true, status: true, rowsWritten: true, parameters: true } });
    expect(runs).toHaveLength(RUNS);
    expect(runs.filter((r) => r.status !== 'succeeded' || r.rowsWritten !== 2n)).toEqual([]);
    // The live log announces each success exactly once.
    const events = await db.prisma.runEvent.findMany({ where: { runId: { in: runIds }, type: 'run' }, select: { runId: true, payload: true } });
    const successes = new Map(runIds.map((id) => [id, 0]));
    for (const e of events) if ((e.payload as { status?: string }).status === 'succeeded') successes.set(e.runId, (successes.get(e.runId) ?? 0) + 1);
    expect([...successes].filter(([, n]) => n !== 1)).toEqual([]);
    // Every run wrote its own output, whole.
    for (let i = 0; i < RUNS; i++) expect((await readFile(path.join(files, 'out', `${batch}${i}`, 'paid.csv'), 'utf8')).trim().split('\n')).toEqual(EXPECTED_OUTPUT);
  }

  /** The workers reconnected by themselves: both are alive and beat again in the new Redis. */
  async function expectWorkersReconnected(ws: WorkerProcess[]): Promise<void> {
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await until('both workers beat again', async () => (await probe.keys(heartbeatKey(services.prefix, '*'))).length === 2, 30_000, 100);
    } finally {
      probe.disconnect();
    }
    for (const w of ws) expect(w.child.exitCode).toBeNull();
  }

  /** The runs Redis lost came back through the reconciler (whichever worker held its lease). */
  function expectReconcilerRequeued(ws: WorkerProcess[]): void {
    expect(ws.map((w) => w.output()).join('\n')).toMatch(/\[reconciler\] queued \d+ run\(s\) again that Redis had lost/);
  }

  it(`Redis crashes and restarts empty while ${RUNS} runs are active: every run finishes exactly once`, async () => {
    const { runIds, workers: ws } = await loseRedisMidFlight('restart-', async () => {
      await redis.kill();
      // Down long enough for every worker to notice.
      await until('the workers notice Redis is gone', () => Promise.resolve(workers.every((w) => w.output().includes('lost the connection to Redis'))), 30_000, 50);
      // Meanwhile starting a run answers at once that Redis is unavailable; it does not wait for Redis.
      await expect(startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId, parameters: { n: 'refused' } })).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      await redis.start();
    });
    await expectWorkersReconnected(ws);
    for (const w of ws) expect(w.output()).toContain('connected to Redis again');
    await expectEachRunSucceededOnce('restart-', runIds);
    expectReconcilerRequeued(ws);
  }, 300_000);

  it(`Redis is flushed (FLUSHALL) while ${RUNS} runs are active: every run finishes exactly once`, async () => {
    const { runIds, workers: ws } = await loseRedisMidFlight('flush-', () => redis.flushAll());
    await expectWorkersReconnected(ws);
    await expectEachRunSucceededOnce('flush-', runIds);
    expectReconcilerRequeued(ws);
  }, 300_000);

});
