// Resuming failed runs end to end: a real worker on Redis, the metadata in a
// real PostgreSQL, DuckDB, and a PostgreSQL destination. One branch loads,
// another fails on a constraint; once it is dropped, the resumed run reuses
// the finished stages (the source file is gone, so executing it would fail),
// loads the failed branch, and every destination holds each row once.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { createCaller } from '../api/root';
import { loadTestHooks } from '../connectors/load';
import { runCheckpointDir } from '../engine/checkpoint';
import { AppError } from '../errors';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import { testRedisUrl } from '../testing/db';
import { until } from '../testing/wait';
import { useTestWorkspace } from '../testing/workspace';
import { startReconciler } from './reconciler';
import { sweepCheckpoints } from './checkpoints';
import { Redis } from 'ioredis';

/** orders.csv with amounts as text; one does not convert and becomes a dead letter. */
const ORDERS = ['order_id,customer,amount', '1,alice,10.5', '2,bob,oops', '3,"carol, jr",150.25', '4,dan,5', '5,émile,250', '6,fay,7.75'].join('\n');
const exists = (p: string) => access(p).then(() => true, () => false);

describe('resuming a failed run', () => {
  const schema = `sluice_resume_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  let stranger: ReturnType<typeof createCaller>;
  let connectionId: string;
  const ws = useTestWorkspace({ database: 'postgres', email: 'resume@example.com', keyring: true, worker: { reconcileIntervalMs: 60_000 }, workerGraceMs: 1_000 });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    stranger = await ws.stranger('other@example.com');
    connectionId = (await ws.caller.connection.create({ name: 'Warehouse', settings: { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' } })).id;
  });
  afterEach(() => {
    loadTestHooks.onCheckpoint = undefined;
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  /** orders.csv → amounts cast to float (rejects to dead letters) → two PostgreSQL tables. */
  function pipeline(source: string, tables: [string, string]): VisualPipeline {
    return {
      formatVersion: FORMAT_VERSION,
      nodes: [
        {
          id: 'src',
          kind: 'csv-source',
          version: 1,
          label: 'Orders',
          position: { x: 0, y: 0 },
          config: { path: source, delimiter: ',', quote: '"', escape: '"', header: true, columns: [{ name: 'order_id', type: 'integer' }, { name: 'customer', type: 'string' }, { name: 'amount', type: 'string' }] },
        },
        { id: 'typed', kind: 'cast-columns', version: 1, label: 'Amounts', position: { x: 0, y: 0 }, config: { casts: [{ column: 'amount', to: 'float' }], onError: 'reject' } },
        ...tables.map((table, i) => ({ id: `pg_${i}`, kind: 'postgres-sink', version: 1, label: `Load ${table}`, position: { x: 0, y: 0 }, config: { connectionId, schema, table, mode: 'append' } })),
      ],
      edges: [
        { id: 'e0', source: { node: 'src', port: 'output' }, target: { node: 'typed', port: 'input' } },
        ...tables.map((_, i) => ({ id: `e${i + 1}`, source: { node: 'typed', port: 'output' }, target: { node: `pg_${i}`, port: 'input' } })),
      ],
    };
  }

  async function save(document: VisualPipeline): Promise<string> {
    const { id } = await ws.caller.pipeline.create({ name: `p-${randomBytes(3).toString('hex')}` });
    await ws.caller.pipeline.save({ id, document, baseVersion: 0 });
    return id;
  }
  const finished = async (runId: string) => {
    await until(`run ${runId} finishes`, async () => !['queued', 'running'].includes((await ws.caller.run.get({ runId })).status));
    return ws.caller.run.get({ runId });
  };
  const orderIds = async (table: string) => (await admin.query<{ order_id: string }>(`SELECT order_id FROM ${schema}.${table} ORDER BY order_id`)).rows.map((r) => Number(r.order_id));
  const stageStatuses = (run: { stages: { stageId: string; status: string }[] }) => Object.fromEntries(run.stages.map((s) => [s.stageId, s.status]));

  it('reuses the finished stages, loads the failed branch once, and keeps the accounting whole', async () => {
    const source = 'orders-1.csv';
    await writeFile(path.join(ws.files, source), ORDERS);
    // The second table refuses every row until the constraint is dropped.
    await admin.query(`CREATE TABLE ${schema}.b1 (order_id bigint, customer text, amount double precision CONSTRAINT too_soon CHECK (amount < 0))`);
    const pipelineId = await save(pipeline(source, ['a1', 'b1']));

    const { runId: failedId } = await ws.caller.run.start({ pipelineId });
    const failed = await finished(failedId);
    expect(failed).toMatchObject({ status: 'partially_succeeded', errorNodeId: 'pg_1', rowsRead: 6, rowsWritten: 5, rowsRejected: 1, canResume: true, resumedByRunId: null });
    expect(stageStatuses(failed)).toEqual({ src: 'succeeded', typed: 'succeeded', pg_0: 'succeeded', pg_1: 'failed' });
    expect((await ws.caller.run.list({ pipelineId }))[0]).toMatchObject({ id: failedId, canResume: true });
    expect(await readdir(runCheckpointDir(ws.dataDir, failedId))).toEqual(['1']);
    expect(await orderIds('a1')).toEqual([1, 3, 4, 5, 6]);

    await admin.query(`ALTER TABLE ${schema}.b1 DROP CONSTRAINT too_soon`);
    await rm(path.join(ws.files, source));
    const { runId } = await ws.caller.run.resume({ runId: failedId });
    const resumed = await finished(runId);
    expect(resumed).toMatchObject({ status: 'succeeded', trigger: 'resume', resumedFromRunId: failedId, version: failed.version, rowsRead: 6, rowsWritten: 10, rowsRejected: 1, canResume: false });
    expect(stageStatuses(resumed)).toEqual({ src: 'reused', typed: 'reused', pg_0: 'reused', pg_1: 'succeeded' });
    // Reused stages show the counts of the run that executed them.
    expect(resumed.stages.find((s) => s.stageId === 'typed')).toMatchObject({ rowsIn: 6, rowsOut: 5, rowsRejected: 1, attempts: 0 });
    expect(await orderIds('a1')).toEqual([1, 3, 4, 5, 6]);
    expect(await orderIds('b1')).toEqual([1, 3, 4, 5, 6]);

    // The reused cast's rejected row belongs to the resumed run too; the failed run keeps its own.
    for (const id of [runId, failedId]) {
      const letters = await ws.caller.run.deadLetters({ runId: id });
      expect(letters.items.map((d) => [d.nodeId, d.reason, d.sourceLine])).toEqual([['typed', 'CAST_FAILED', null]]);
      expect(letters.items[0]?.message).toContain('oops');
    }
    // The failed run stays in the history, resumed; its checkpoint is gone now that the resume succeeded.
    expect(await ws.caller.run.get({ runId: failedId })).toMatchObject({ status: 'partially_succeeded', canResume: false, resumedByRunId: runId });
    expect(await exists(runCheckpointDir(ws.dataDir, failedId))).toBe(false);
    expect((await ws.db.prisma.run.findUniqueOrThrow({ where: { id: failedId } })).checkpointedAt).toBeNull();
    const log = await ws.db.prisma.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    expect(log.map((e) => (e.payload as { message?: string }).message).filter(Boolean)).toContain(`Resuming run ${failedId}: 3 finished stage(s) are reused from its checkpoint`);
  });

  it('does not load again what a failed stage had already committed: the chain loads as its first run', async () => {
    const source = 'orders-2.csv';
    await writeFile(path.join(ws.files, source), ORDERS);
    const pipelineId = await save(pipeline(source, ['a2', 'b2']));
    // The load into b2 commits, then its stage fails, as when the acknowledgement of COMMIT is lost.
    loadTestHooks.onCheckpoint = (checkpoint, nodeId) => {
      if (checkpoint === 'after-commit' && nodeId === 'pg_1') throw new AppError('DESTINATION_LOAD_FAILED', 'The answer to COMMIT was lost');
    };
    const { runId: failedId } = await ws.caller.run.start({ pipelineId });
    const failed = await finished(failedId);
    expect(failed).toMatchObject({ status: 'partially_succeeded', errorNodeId: 'pg_1', canResume: true });
    expect(await orderIds('b2')).toEqual([1, 3, 4, 5, 6]);

    loadTestHooks.onCheckpoint = undefined;
    const { runId } = await ws.caller.run.resume({ runId: failedId });
    const resumed = await finished(runId);
    expect(resumed).toMatchObject({ status: 'succeeded', rowsWritten: 10 });
    expect(stageStatuses(resumed)).toMatchObject({ pg_0: 'reused', pg_1: 'succeeded' });
    expect(await orderIds('a2')).toEqual([1, 3, 4, 5, 6]);
    expect(await orderIds('b2')).toEqual([1, 3, 4, 5, 6]);
    const ledger = await admin.query<{ run_id: string; node_id: string; attempt: number }>(`SELECT run_id, node_id, attempt FROM ${schema}.sluice_load_ledger WHERE node_id = 'pg_1' AND run_id = $1`, [failedId]);
    expect(ledger.rows).toEqual([{ run_id: failedId, node_id: 'pg_1', attempt: 1 }]);
    expect(resumed.stages.find((s) => s.stageId === 'pg_1')).toMatchObject({ rowsOut: 5 });
  });

  it('refuses to resume a run that succeeded, one of another workspace, one resumed already, and one whose checkpoints expired', async () => {
    const source = 'orders-3.csv';
    await writeFile(path.join(ws.files, source), ORDERS);
    const ok = await finished((await ws.caller.run.start({ pipelineId: await save(pipeline(source, ['a3', 'b3'])) })).runId);
    expect(ok).toMatchObject({ status: 'succeeded', canResume: false });
    await expect(ws.caller.run.resume({ runId: ok.id })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: 'Only failed or partially succeeded runs can be resumed; this run was succeeded.' });
    // A run that succeeded keeps nothing.
    expect(await exists(runCheckpointDir(ws.dataDir, ok.id))).toBe(false);

    await admin.query(`CREATE TABLE ${schema}.b4 (order_id bigint CHECK (order_id < 0), customer text, amount double precision)`);
    const pipelineId = await save(pipeline(source, ['a4', 'b4']));
    const failed = await finished((await ws.caller.run.start({ pipelineId })).runId);
    expect(failed).toMatchObject({ status: 'partially_succeeded', canResume: true });
    await expect(stranger.run.resume({ runId: failed.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The first resume fails again (the constraint is still there) and keeps its own checkpoint.
    const again = await finished((await ws.caller.run.resume({ runId: failed.id })).runId);
    expect(again).toMatchObject({ status: 'partially_succeeded', trigger: 'resume', canResume: true });
    expect(stageStatuses(again)).toEqual({ src: 'reused', typed: 'reused', pg_0: 'reused', pg_1: 'failed' });
    await expect(ws.caller.run.resume({ runId: failed.id })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: `This run was already resumed by run ${again.id.slice(0, 8)} (partially succeeded); resume that run instead, if it failed.`,
    });
    expect(await exists(runCheckpointDir(ws.dataDir, failed.id))).toBe(false);

    await ws.db.prisma.run.update({ where: { id: again.id }, data: { checkpointedAt: new Date(Date.now() - 73 * 3_600_000) } });
    expect(await ws.caller.run.get({ runId: again.id })).toMatchObject({ canResume: false });
    const refused = await ws.caller.run.resume({ runId: again.id }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', message: 'The checkpoints of this run expired (they are kept 72 hour(s)). Run the pipeline from the start instead.' });
    expect((refused as { cause?: unknown }).cause).toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE' });
  });

  it('removes checkpoints past their retention, and folders no run claims, in the reconciler', async () => {
    const source = 'orders-5.csv';
    await writeFile(path.join(ws.files, source), ORDERS);
    await admin.query(`CREATE TABLE ${schema}.b5 (order_id bigint CHECK (order_id < 0), customer text, amount double precision)`);
    const failed = await finished((await ws.caller.run.start({ pipelineId: await save(pipeline(source, ['a5', 'b5'])) })).runId);
    const folder = runCheckpointDir(ws.dataDir, failed.id);
    expect(await exists(folder)).toBe(true);
    const orphan = runCheckpointDir(ws.dataDir, '00000000-0000-4000-8000-000000000000');
    await mkdir(orphan, { recursive: true });

    // Within the retention this run's checkpoint stays (the one an earlier test aged goes); the orphan goes.
    const swept = await sweepCheckpoints({ db: ws.db.prisma, dataDir: ws.dataDir, retentionHours: 72 });
    expect(swept.expired).not.toContain(failed.id);
    expect(swept.orphaned).toEqual(['00000000-0000-4000-8000-000000000000']);
    expect(await exists(folder)).toBe(true);
    expect(await exists(orphan)).toBe(false);

    // The elected reconciler sweeps on its own once the checkpoint is older than the retention.
    await ws.db.prisma.run.update({ where: { id: failed.id }, data: { checkpointedAt: new Date(Date.now() - 2 * 3_600_000) } });
    const redis = new Redis(testRedisUrl);
    const reconciler = startReconciler({ db: ws.db.prisma, queue: ws.services.queue, redis, prefix: `${ws.services.prefix}-sweep`, holder: 'sweeper', intervalMs: 100, checkpoints: { dataDir: ws.dataDir, retentionHours: 1, intervalMs: 100 } });
    try {
      await until('the expired checkpoint is removed', async () => !(await exists(folder)));
    } finally {
      await reconciler.stop();
      redis.disconnect();
    }
    expect((await ws.db.prisma.run.findUniqueOrThrow({ where: { id: failed.id } })).checkpointedAt).toBeNull();
    await expect(ws.caller.run.resume({ runId: failed.id })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^This run kept no checkpoints/) as string });
  });
});
