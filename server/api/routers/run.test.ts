import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunWorker, type RunWorker } from '../../../workers/run-worker';
import { workspaceDir } from '../../engine/files';
import type { VisualPipeline } from '../../pipeline/model';
import type { RunEventPayload } from '../../runs/events';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../../testing/db';
import { linearPipeline, ordersCsv } from '../../testing/pipelines';
import { createTestServices, type TestServices } from '../../testing/services';
import { createCaller } from '../root';

describe.each(testDatabaseKinds)('runs end to end on %s with a real worker and Redis', (kind) => {
  let db: TestDatabase;
  let services: TestServices;
  let worker: RunWorker;
  let dataDir: string;
  let files: string;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-runs-'));
    const user = await signUpTestUser(db.prisma, 'runner@example.com');
    caller = createCaller({ db: db.prisma, user, services: () => services });
    files = workspaceDir(dataDir, (await caller.workspace.current()).id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    worker = await startRunWorker({ db: db.prisma, bus: services.bus, redisUrl: services.redisUrl, prefix: services.prefix, dataDir, concurrency: 2, mode: 'embedded' });
  });
  afterAll(async () => {
    await worker.close();
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function saveAndRun(document: VisualPipeline): Promise<{ runId: string; events: { id: string; data: RunEventPayload }[] }> {
    const { id } = await caller.pipeline.create({ name: 'p' });
    await caller.pipeline.save({ id, document, baseVersion: 0 });
    const { runId } = await caller.run.start({ pipelineId: id });
    // The subscription ends by itself after the run's final status.
    return { runId, events: await collect(await caller.run.events({ runId })) };
  }

  /** Reads a subscription to its end. Server-side callers receive tracked() envelopes, [id, data]. */
  async function collect(stream: AsyncIterable<unknown>): Promise<{ id: string; data: RunEventPayload }[]> {
    const events: { id: string; data: RunEventPayload }[] = [];
    for await (const envelope of stream) {
      // Each event carries the time it was recorded; the tests compare the rest.
      const [id, { at, ...data }] = envelope as [string, RunEventPayload & { at: string }];
      expect(new Date(at).toISOString()).toBe(at);
      events.push({ id, data });
    }
    return events;
  }

  it('queues, executes and streams a run; the output holds exactly the filtered rows', async () => {
    const { runId, events } = await saveAndRun(linearPipeline());
    const stageEvents = events.flatMap((e) => (e.data.type === 'stage' ? [[e.data.stageId, e.data.status, e.data.rowsOut ?? null]] : []));
    expect(stageEvents).toEqual([
      ['src', 'running', null],
      ['src', 'succeeded', 5],
      ['out', 'running', null],
      ['out', 'succeeded', 2],
    ]);
    expect(events.at(-1)?.data).toEqual({ type: 'run', status: 'succeeded', rowsRead: 5, rowsWritten: 2, rowsRejected: 0 });
    const ids = events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);

    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'succeeded', rowsRead: 5, rowsWritten: 2, version: 1, errorMessage: null });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.stages.map((s) => [s.stageId, s.nodeIds, s.status, s.rowsIn, s.rowsOut, s.attempts])).toEqual([
      ['src', ['src'], 'succeeded', 5, 5, 1],
      ['out', ['keep_paid', 'cols', 'out'], 'succeeded', 5, 2, 1],
    ]);
    expect(await readFile(path.join(files, 'out/paid.csv'), 'utf8')).toBe('order_id,customer,amount\n1,alice,10.5\n3,"carol, jr",150.25\n');

    // A reconnecting client resumes after the last event it saw.
    const resumeFrom = events[3]?.id ?? '';
    const replayed = (await collect(await caller.run.events({ runId, lastEventId: resumeFrom }))).map((e) => e.id);
    expect(replayed).toEqual(events.slice(4).map((e) => e.id));
  });

  it('fails a run on a malformed CSV row, naming the node and the line, and writes nothing', async () => {
    await writeFile(path.join(files, 'bad.csv'), `${ordersCsv}\n6,frank,lots,paid\n`);
    const { runId, events } = await saveAndRun(linearPipeline({ sourcePath: 'bad.csv', sink: { format: 'csv', path: 'out/bad-run.csv' } }));
    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CSV_MALFORMED_ROW', errorNodeId: 'src' });
    expect(run.errorMessage).toMatch(/Line 7 of "bad\.csv" is malformed.*"lots".*Raw line: 6,frank,lots,paid/);
    expect(run.stages.map((s) => [s.nodeIds, s.status])).toEqual([
      [['src'], 'failed'],
      [['keep_paid', 'cols', 'out'], 'skipped'],
    ]);
    expect(events.at(-1)?.data).toMatchObject({ type: 'run', status: 'failed', errorNodeId: 'src' });
    await expect(stat(path.join(files, 'out/bad-run.csv'))).rejects.toThrow();
  });

  it('stores the lines a source rejects as dead letters and streams the counts', async () => {
    await writeFile(path.join(files, 'rejecting.csv'), `${ordersCsv}\n6,frank,lots,paid\n7,gina,12,paid\n`);
    const { runId, events } = await saveAndRun(linearPipeline({ sourcePath: 'rejecting.csv', onMalformedRow: 'deadLetter', sink: { format: 'csv', path: 'out/rejecting.csv' } }));
    const source = events.find((e) => e.data.type === 'stage' && e.data.stageId === 'src' && e.data.status === 'succeeded');
    expect(source?.data).toMatchObject({ rowsIn: 7, rowsOut: 6, rowsRejected: 1 });
    expect(events.at(-1)?.data).toEqual({ type: 'run', status: 'succeeded', rowsRead: 7, rowsWritten: 3, rowsRejected: 1 });
    expect(events.map((e) => e.data)).toContainEqual({ type: 'log', level: 'warn', message: 'Read 7 row(s), rejected 1, wrote 3' });
    expect(await caller.run.get({ runId })).toMatchObject({ rowsRead: 7, rowsWritten: 3, rowsRejected: 1 });
    const { items } = await caller.run.deadLetters({ runId });
    expect(items.map((d) => [d.nodeId, d.reason, d.sourceLine, d.rawLine])).toEqual([['src', 'CSV_MALFORMED_ROW', 7, '6,frank,lots,paid']]);
  });

  it('fails a run whose filter names a missing column, naming the node', async () => {
    const { runId } = await saveAndRun(linearPipeline({ rules: [{ column: 'price', op: 'gt', value: '1' }], sink: { format: 'csv', path: 'out/never.csv' } }));
    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'PIPELINE_INVALID', errorNodeId: 'keep_paid' });
    expect(run.errorMessage).toContain('Column "price" does not exist');
    await expect(stat(path.join(files, 'out/never.csv'))).rejects.toThrow();
  });

  it('lists runs newest first with their outcome', async () => {
    const { id } = await caller.pipeline.create({ name: 'listed' });
    await caller.pipeline.save({ id, document: linearPipeline({ sink: { format: 'parquet', path: 'out/listed.parquet' } }), baseVersion: 0 });
    const first = await caller.run.start({ pipelineId: id });
    await collect(await caller.run.events({ runId: first.runId }));
    const second = await caller.run.start({ pipelineId: id });
    await collect(await caller.run.events({ runId: second.runId }));
    const runs = await caller.run.list({ pipelineId: id });
    expect(runs.map((r) => [r.id, r.status, r.rowsWritten])).toEqual([
      [second.runId, 'succeeded', 2],
      [first.runId, 'succeeded', 2],
    ]);
  });
});
