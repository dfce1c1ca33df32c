// Standalone worker processes against real PostgreSQL and Redis: a worker
// killed mid-run loses nothing (another finishes the run, once), and a deep
// queue drained by two workers runs every run exactly once.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../server/api/root';
import { workspaceDir } from '../server/engine/files';
import { startRun } from '../server/runs/service';
import { openTestDatabase, signUpTestUser, testRedisUrl, type TestDatabase } from '../server/testing/db';
import { bigCsv, linearPipeline, ordersCsv, slowPipeline } from '../server/testing/pipelines';
import { createTestServices, type TestServices } from '../server/testing/services';
import { startWorkerProcess, type WorkerProcess } from '../server/testing/worker-process';
import type { VisualPipeline } from '../server/pipeline/model';
import { until } from '../server/testing/wait';

/** Runs in the drain test (issue 5: 1,000 small queued runs, none lost or duplicated). */
const DRAIN_RUNS = 1_000;
/** Run slots per worker: a small run mostly waits on PostgreSQL and DuckDB's start-up, so four share two cores well. */
const DRAIN_CONCURRENCY = 4;


describe('standalone workers recover and never duplicate runs', () => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let files: string;
  let caller: ReturnType<typeof createCaller>;
  let workspaceId: string;
  let userId: string;
  let workerEnv: Record<string, string>;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-recovery-'));
    const user = await signUpTestUser(db.prisma, 'recovery@example.com');
    userId = user.id;
    caller = createCaller({ db: db.prisma, user, services: () => services });
    workspaceId = (await caller.workspace.current()).id;
    files = workspaceDir(dataDir, workspaceId);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    await writeFile(path.join(files, 'big.csv'), bigCsv(60_000));
    // A short job lock: a killed worker's run is free again within seconds, not a minute.
    workerEnv = { DATABASE_URL: db.url ?? '', REDIS_URL: testRedisUrl, SLUICE_QUEUE_PREFIX: services.prefix, SLUICE_DATA_DIR: dataDir, SLUICE_WORKER_LOCK_MS: '2000' };
  });
  afterEach(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    workers = [];
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function savePipeline(document: VisualPipeline): Promise<string> {
    const { id } = await caller.pipeline.create({ name: 'p' });
    await caller.pipeline.save({ id, document, baseVersion: 0 });
    return id;
  }
  function startWorker(concurrency: number, env: Record<string, string> = {}): WorkerProcess {
    const w = startWorkerProcess({ ...workerEnv, SLUICE_WORKER_CONCURRENCY: String(concurrency), ...env });
    workers.push(w);
    return w;
  }
  /** 'succeeded' run events per run: the live log must announce each success once. */
  async function successEvents(runIds: string[]): Promise<Map<string, number>> {
    const events = await db.prisma.runEvent.findMany({ where: { runId: { in: runIds }, type: 'run' }, select: { runId: true, payload: true } });
    const counts = new Map(runIds.map((id) => [id, 0]));
    for (const e of events) if ((e.payload as { status?: string }).status === 'succeeded') counts.set(e.runId, (counts.get(e.runId) ?? 0) + 1);
    return counts;
  }

  it('a run whose worker is SIGKILLed mid-stage is finished by another worker, once, with the right output', async () => {
    const first = startWorker(1);
    await first.ready;
    const { runId } = await caller.run.start({ pipelineId: await savePipeline(slowPipeline()) });
    await until('the join is running', async () => (await caller.run.get({ runId })).stages.some((s) => s.stageId === 'out' && s.status === 'running'), 30_000, 100);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    // Killed mid-stage: nothing finished it and nothing was written.
    expect(await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, attempts: true } })).toEqual({ status: 'running', attempts: 1 });
    await expect(readFile(path.join(files, 'out/count.csv'))).rejects.toThrow();

    // BullMQ's stalled-job check (in the new worker) hands the job back once the dead worker's lock expires.
    const second = startWorker(1);
    await second.ready;
    await until('the run finishes', async () => !['queued', 'running'].includes((await caller.run.get({ runId })).status), 90_000, 100);

    expect(await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, attempts: true, rowsWritten: true } })).toEqual({ status: 'succeeded', attempts: 2, rowsWritten: 1n });
    expect((await readFile(path.join(files, 'out/count.csv'), 'utf8')).trim().split('\n')).toEqual(['n', String(60_000 * 60_000)]);
    expect(await successEvents([runId])).toEqual(new Map([[runId, 1]]));
    const warnings = await db.prisma.runEvent.findMany({ where: { runId, type: 'log' }, select: { payload: true } });
    expect(warnings.map((w) => (w.payload as { message: string }).message)).toContain('Attempt 2: the previous attempt did not finish; running again');
  }, 150_000);

  it(`two workers drain ${DRAIN_RUNS} queued runs: every run succeeds exactly once`, async () => {
    const pipelineId = await savePipeline(linearPipeline({ sink: { format: 'csv', path: 'out/drain.csv' } }));
    // Queue everything first, so the workers face a deep queue.
    await services.queue.pause();
    const runIds: string[] = [];
    // Started eight at a time, as concurrent API requests would.
    for (let i = 0; i < DRAIN_RUNS; i += 8) {
      const batch = Array.from({ length: Math.min(8, DRAIN_RUNS - i) }, () => startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId }, DRAIN_RUNS + 1));
      for (const { runId } of await Promise.all(batch)) runIds.push(runId);
    }
    // The default 30 s job lock: nothing is killed here, and a 2 s lock can lapse on a starved CPU (the run would then run twice, fenced).
    const both = [startWorker(DRAIN_CONCURRENCY, { SLUICE_WORKER_LOCK_MS: '30000' }), startWorker(DRAIN_CONCURRENCY, { SLUICE_WORKER_LOCK_MS: '30000' })];
    await Promise.all(both.map((w) => w.ready));
    await services.queue.resume();

    await until(`all ${DRAIN_RUNS} runs finish`, async () => (await db.prisma.run.count({ where: { id: { in: runIds }, status: { in: ['queued', 'running'] } } })) === 0, 540_000, 200);

    const runs = await db.prisma.run.findMany({ where: { id: { in: runIds } }, select: { status: true, attempts: true } });
    expect(runs).toHaveLength(DRAIN_RUNS);
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(runs.filter((r) => r.attempts !== 1)).toEqual([]);
    const counts = await successEvents(runIds);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect((await readFile(path.join(files, 'out/drain.csv'), 'utf8')).trim().split('\n')).toHaveLength(3);
  }, 600_000);
});
