// Run control against a real worker, Redis and database: cancel, partial
// success, timeouts, the per-pipeline concurrency limit, the queue-depth
// limit, fencing of stale attempts and the reconciler.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunWorker, type RunWorker } from '../../workers/run-worker';
import { createCaller } from '../api/root';
import { workspaceDir } from '../engine/files';
import type { VisualPipeline } from '../pipeline/model';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../testing/db';
import { bigCsv, linearPipeline, ordersCsv, slowPipeline } from '../testing/pipelines';
import { createTestServices, type TestServices } from '../testing/services';
import { executeRun } from './execute-run';
import { reconcileRuns } from './reconciler';
import { startRun } from './service';
import { until } from '../testing/wait';


describe('run control', () => {
  let db: TestDatabase;
  let services: TestServices;
  let worker: RunWorker;
  let dataDir: string;
  let files: string;
  let caller: ReturnType<typeof createCaller>;
  let workspaceId: string;
  let userId: string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-control-'));
    const user = await signUpTestUser(db.prisma, 'control@example.com');
    userId = user.id;
    caller = createCaller({ db: db.prisma, user, services: () => services });
    workspaceId = (await caller.workspace.current()).id;
    files = workspaceDir(dataDir, workspaceId);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    await writeFile(path.join(files, 'big.csv'), bigCsv(60_000));
    worker = await startRunWorker({ db: db.prisma, bus: services.bus, redisUrl: services.redisUrl, prefix: services.prefix, dataDir, concurrency: 2, mode: 'embedded', reconcileIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await worker.close(1_000);
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function savePipeline(document: VisualPipeline): Promise<string> {
    const { id } = await caller.pipeline.create({ name: 'p' });
    await caller.pipeline.save({ id, document, baseVersion: 0 });
    return id;
  }
  const statusOf = async (runId: string) => (await caller.run.get({ runId })).status;
  const finished = (runId: string) => until(`run ${runId} finishes`, async () => !['queued', 'running'].includes(await statusOf(runId)));

  it('cancels a running run within 2 s, writing nothing', async () => {
    const pipelineId = await savePipeline(slowPipeline());
    const { runId } = await caller.run.start({ pipelineId });
    await until('the join is running', async () => (await caller.run.get({ runId })).stages.some((s) => s.stageId === 'out' && s.status === 'running'));
    const asked = Date.now();
    expect(await caller.run.cancel({ runId })).toEqual({ status: 'cancelling' });
    await finished(runId);
    expect(Date.now() - asked).toBeLessThan(2_000);
    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    await expect(readFile(path.join(files, 'out/count.csv'))).rejects.toThrow();
  });

  it('cancels a queued run before any worker starts it', async () => {
    const pipelineId = await savePipeline(linearPipeline());
    const run = await db.prisma.run.create({
      data: { workspaceId, pipelineId, versionId: (await db.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId } })).id, requestedById: userId },
    });
    // Not on the queue: only the database knows it, as after a lost Redis.
    expect(await caller.run.cancel({ runId: run.id })).toEqual({ status: 'cancelled' });
    expect(await statusOf(run.id)).toBe('cancelled');
    expect(await executeRun(run.id, { db: db.prisma, bus: services.bus, dataDir })).toBe('skipped');
  });

  it('stops a run past its run timeout with RUN_TIMEOUT', async () => {
    const pipelineId = await savePipeline(slowPipeline({ runTimeoutSeconds: 1 }));
    const { runId } = await caller.run.start({ pipelineId });
    await finished(runId);
    expect(await caller.run.get({ runId })).toMatchObject({ status: 'failed', errorCode: 'RUN_TIMEOUT' });
  });

  it('marks a run whose branches partly failed as partially succeeded, and loads the rest', async () => {
    const doc = linearPipeline();
    doc.nodes.push({ id: 'out2', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'blocked/x.csv' } });
    doc.edges.push({ id: 'e4', source: { node: 'keep_paid', port: 'output' }, target: { node: 'out2', port: 'input' } });
    await writeFile(path.join(files, 'blocked'), 'a file where a folder should be');
    const { runId } = await caller.run.start({ pipelineId: await savePipeline(doc) });
    await finished(runId);
    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'partially_succeeded', errorNodeId: 'out2', rowsWritten: 2 });
    expect(run.errorMessage).toMatch(/^1 branch\(es\) failed while the others loaded/);
    expect(run.stages.map((s) => [s.stageId, s.status])).toEqual([
      ['src', 'succeeded'],
      ['keep_paid', 'succeeded'],
      ['out2', 'failed'],
      ['out', 'succeeded'],
    ]);
    expect(await readFile(path.join(files, 'out/paid.csv'), 'utf8')).toContain('alice');
  });

  it('runs at most maxConcurrentRuns runs of a pipeline at once; the others wait their turn', async () => {
    const pipelineId = await savePipeline(slowPipeline({ maxConcurrentRuns: 1, runTimeoutSeconds: 2 }));
    const runs = [await caller.run.start({ pipelineId }), await caller.run.start({ pipelineId })];
    let overlap = false;
    await until('both runs finish', async () => {
      const statuses = await Promise.all(runs.map((r) => statusOf(r.runId)));
      if (statuses.every((s) => s === 'running')) overlap = true;
      return statuses.every((s) => s !== 'queued' && s !== 'running');
    }, 60_000);
    expect(overlap).toBe(false);
    for (const r of runs) expect(await statusOf(r.runId)).toBe('failed');
  });

  it('answers BUSY instead of queueing beyond the limit', async () => {
    const pipelineId = await savePipeline(linearPipeline());
    await services.queue.pause();
    try {
      const first = await startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId }, 1);
      await expect(startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId }, 1)).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/busy: 1 runs are already waiting/) as unknown });
      await caller.run.cancel({ runId: first.runId });
    } finally {
      await services.queue.resume();
    }
  });

  it('lets only the newest attempt finish a run (fencing)', async () => {
    // Seconds of work, so the run is still running when the test takes it over (a tiny pipeline could finish first).
    const pipelineId = await savePipeline(slowPipeline());
    await services.queue.pause();
    try {
      const { runId } = await startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId });
      await services.queue.obliterate({ force: true });
      // A newer attempt claimed the run (say, after this one's worker was presumed dead).
      await db.prisma.run.update({ where: { id: runId }, data: { status: 'running', attempts: 1, heartbeatAt: new Date() } });
      // No heartbeat while it runs: the stale attempt must meet the fence when it finishes, not stop early.
      const stale = executeRun(runId, { db: db.prisma, bus: services.bus, dataDir, heartbeatMs: 600_000 });
      // Between its claim and its finish, yet another attempt takes over.
      await until('the first attempt claimed', async () => (await db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).attempts === 2, 10_000);
      await db.prisma.run.update({ where: { id: runId }, data: { attempts: 3 } });
      expect(await stale).toBe('skipped');
      expect(await statusOf(runId)).toBe('running');
    } finally {
      await services.queue.resume();
    }
  });

  it('queues again every unfinished run whose job Redis lost, and each finishes once', async () => {
    const pipelineId = await savePipeline(linearPipeline());
    await services.queue.pause();
    const runIds: string[] = [];
    try {
      for (let i = 0; i < 5; i++) runIds.push((await startRun(db.prisma, services.queue, { workspaceId, pipelineId, userId })).runId);
      // What a FLUSHALL or a Redis restart without persistence does to the queue.
      await services.queue.obliterate({ force: true });
      // A running run whose worker stopped beating long ago.
      const lost = runIds[0] ?? '';
      await db.prisma.run.update({ where: { id: lost }, data: { status: 'running', attempts: 1, heartbeatAt: new Date(Date.now() - 120_000) } });
      const requeued = await reconcileRuns({ db: db.prisma, queue: services.queue, queuedGraceMs: 0 });
      expect(requeued.sort()).toEqual([...runIds].sort());
      // Nothing lost twice: a second pass finds every job in place.
      expect(await reconcileRuns({ db: db.prisma, queue: services.queue, queuedGraceMs: 0 })).toEqual([]);
    } finally {
      await services.queue.resume();
    }
    for (const runId of runIds) await finished(runId);
    for (const runId of runIds) expect(await caller.run.get({ runId })).toMatchObject({ status: 'succeeded', rowsWritten: 2 });
    const starts = await db.prisma.runEvent.findMany({ where: { runId: { in: runIds }, type: 'run' }, select: { runId: true, payload: true } });
    for (const runId of runIds) {
      expect(starts.filter((e) => e.runId === runId && (e.payload as { status: string }).status === 'succeeded')).toHaveLength(1);
    }
  });
});
