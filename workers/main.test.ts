// `npm run worker` as real processes: two standalone workers share one
// PostgreSQL database and one Redis queue, and every run is executed once.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../server/api/root';
import { workspaceDir } from '../server/engine/files';
import { openTestDatabase, signUpTestUser, testRedisUrl, type TestDatabase } from '../server/testing/db';
import { linearPipeline, ordersCsv } from '../server/testing/pipelines';
import { createTestServices, type TestServices } from '../server/testing/services';
import { startWorkerProcess, type WorkerProcess } from '../server/testing/worker-process';

describe('standalone workers (npm run worker)', () => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let databaseUrl: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    databaseUrl = db.url ?? '';
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-workers-'));
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start without a shared database', async () => {
    const w = startWorkerProcess({ SLUICE_DATA_DIR: dataDir });
    const code = await w.exited;
    expect(code).toBe(2);
    expect(w.output()).toContain('npm run worker needs DATABASE_URL');
    await w.ready.catch(() => undefined);
  });

  it('two worker processes execute every run exactly once, and stop cleanly on SIGTERM', async () => {
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: testRedisUrl, SLUICE_QUEUE_PREFIX: services.prefix, SLUICE_DATA_DIR: dataDir, SLUICE_WORKER_CONCURRENCY: '2' };
    workers.push(startWorkerProcess(env), startWorkerProcess(env));
    await Promise.all(workers.map((w) => w.ready));

    const user = await signUpTestUser(db.prisma, 'ops@example.com');
    const caller = createCaller({ db: db.prisma, user, services: () => services });
    const files = workspaceDir(dataDir, (await caller.workspace.current()).id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);

    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = await caller.pipeline.create({ name: `p${i}` });
      await caller.pipeline.save({ id, document: linearPipeline({ sink: { format: 'csv', path: `out/${i}.csv` } }), baseVersion: 0 });
      runIds.push((await caller.run.start({ pipelineId: id })).runId);
    }
    for (const runId of runIds) {
      for await (const _event of await caller.run.events({ runId })) {
        // read to the end: the stream closes after the run's final status
      }
    }
    const runs = await db.prisma.run.findMany({ where: { id: { in: runIds } }, select: { status: true, attempts: true } });
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    for (let i = 0; i < 6; i++) expect((await readFile(path.join(files, `out/${i}.csv`), 'utf8')).split('\n')).toHaveLength(4);

    const exits = workers.map((w) => w.exited);
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
  });
});
