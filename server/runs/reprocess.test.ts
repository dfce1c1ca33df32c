// Reprocessing dead letters end to end: a real worker on Redis, the metadata in
// a real PostgreSQL, DuckDB, and a PostgreSQL destination. A run rejects CSV
// lines that do not fit and amounts that do not convert; once the pipeline is
// fixed, a reprocess replays just those rows, and the destination holds every
// row once.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunWorker, type RunWorker } from '../../workers/run-worker';
import { createCaller } from '../api/root';
import { generateSecretKey, secretKeyFrom, type Keyring } from '../connectors/secrets';
import { workspaceDir } from '../engine/files';
import { FORMAT_VERSION, type PipelineNode, type VisualPipeline } from '../pipeline/model';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../testing/db';
import { createTestServices, type TestServices } from '../testing/services';
import { until } from '../testing/wait';
import { executeRun } from './execute-run';

/**
 * Orders whose quantities are sometimes too large for a 64-bit integer (CSV
 * lines that do not fit `qty integer`) and whose amounts are sometimes written "12.50 EUR" or "3,5"
 * (values that do not convert to float).
 */
const ORDERS = [
  'order_id,customer,qty,amount',
  '1,alice,1,10.5',
  '2,bob,2,12.50 EUR',
  '3,"carol, jr",1,7',
  '4,dan,10000000000000000000,5',
  '5,émile,3,1e3',
  '6,fay,1,"3,5"',
  '7,gus,20000000000000000000,8',
].join('\n');
const EXPECTED = [
  { order_id: 1, customer: 'alice', qty: 1, amount: 10.5 },
  { order_id: 2, customer: 'bob', qty: 2, amount: 12.5 },
  { order_id: 3, customer: 'carol, jr', qty: 1, amount: 7 },
  { order_id: 4, customer: 'dan', qty: 1e19, amount: 5 },
  { order_id: 5, customer: 'émile', qty: 3, amount: 1000 },
  { order_id: 6, customer: 'fay', qty: 1, amount: 3.5 },
  { order_id: 7, customer: 'gus', qty: 2e19, amount: 8 },
];

interface Version {
  qty: 'integer' | 'float';
  /** Clean the amounts ("12.50 EUR", "3,5") before converting them; or derive them with this expression. */
  clean: boolean | string;
  onCastError: 'reject' | 'fail';
}

/** orders.csv (malformed lines to dead letters) → [clean amounts] → amounts cast to float → PostgreSQL (append). */
function ordersPipeline(source: string, table: string, v: Version, target: { connectionId: string; schema: string }): VisualPipeline {
  const { connectionId, schema } = target;
  const node = (id: string, kind: string, config: Record<string, unknown>): PipelineNode => ({ id, kind, version: 1, label: id, position: { x: 0, y: 0 }, config });
  const chain = [
    node('src', 'csv-source', {
      path: source,
      header: true,
      onMalformedRow: 'deadLetter',
      columns: [
        { name: 'order_id', type: 'integer' },
        { name: 'customer', type: 'string' },
        { name: 'qty', type: v.qty },
        { name: 'amount', type: 'string' },
      ],
    }),
    ...(v.clean ? [node('clean', 'derive-columns', { columns: [{ name: 'amount', expression: v.clean === true ? "replace(replace(amount, ' EUR', ''), ',', '.')" : v.clean }] })] : []),
    node('typed', 'cast-columns', { casts: [{ column: 'amount', to: 'float' }], onError: v.onCastError }),
    node('load', 'postgres-sink', { connectionId, schema, table, mode: 'append' }),
  ];
  return {
    formatVersion: FORMAT_VERSION,
    nodes: chain,
    edges: chain.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: chain[i]?.id ?? '', port: 'output' }, target: { node: n.id, port: 'input' } })),
  };
}


describe('reprocessing dead letters', () => {
  const schema = `sluice_reprocess_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  let db: TestDatabase;
  let services: TestServices;
  let worker: RunWorker;
  let dataDir: string;
  let files: string;
  let keyring: Keyring;
  let caller: ReturnType<typeof createCaller>;
  let stranger: ReturnType<typeof createCaller>;
  let connectionId: string;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    db = await openTestDatabase('postgres');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-reprocess-'));
    keyring = { current: secretKeyFrom(generateSecretKey()) };
    caller = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'reprocess@example.com'), services: () => services, connectors: { keyring, dataDir } });
    stranger = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'other@example.com'), services: () => services });
    files = workspaceDir(dataDir, (await caller.workspace.current()).id);
    await mkdir(files, { recursive: true });
    connectionId = (await caller.connection.create({ name: 'Warehouse', settings: { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' } })).id;
    worker = await startRunWorker({ db: db.prisma, bus: services.bus, redisUrl: services.redisUrl, prefix: services.prefix, dataDir, concurrency: 1, mode: 'embedded', keyring, reconcileIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await worker.close(1_000);
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  const pipeline = (source: string, table: string, v: Version) => ordersPipeline(source, table, v, { connectionId, schema });

  async function create(document: VisualPipeline): Promise<{ id: string; save: (next: VisualPipeline) => Promise<void> }> {
    const { id } = await caller.pipeline.create({ name: `p-${randomBytes(3).toString('hex')}` });
    let base = 0;
    const save = async (next: VisualPipeline) => {
      await caller.pipeline.save({ id, document: next, baseVersion: base });
      base += 1;
    };
    await save(document);
    return { id, save };
  }
  const finished = async (runId: string) => {
    await until(`run ${runId} finishes`, async () => !['queued', 'running'].includes((await caller.run.get({ runId })).status));
    return caller.run.get({ runId });
  };
  const loaded = async (table: string) =>
    (await admin.query<{ order_id: string; customer: string; qty: number; amount: number }>(`SELECT order_id, customer, qty, amount FROM ${schema}.${table} ORDER BY order_id`)).rows.map((r) => ({
      ...r,
      order_id: Number(r.order_id),
    }));
  const table = async (name: string) => admin.query(`CREATE TABLE ${schema}.${name} (order_id bigint, customer text, qty double precision, amount double precision)`);
  const marks = async (runId: string) =>
    (await db.prisma.deadLetter.findMany({ where: { runId }, orderBy: { id: 'asc' }, select: { nodeId: true, reprocessedByRunId: true } })).map((d) => [d.nodeId, d.reprocessedByRunId]);

  it('rejects, is fixed, reprocesses just the rejected rows, and every row is loaded once', async () => {
    await writeFile(path.join(files, 'orders-1.csv'), ORDERS);
    await table('t1');
    const p = await create(pipeline('orders-1.csv', 't1', { qty: 'integer', clean: false, onCastError: 'reject' }));

    const first = await finished((await caller.run.start({ pipelineId: p.id })).runId);
    expect(first).toMatchObject({ status: 'succeeded', rowsRead: 7, rowsWritten: 3, rowsRejected: 4, reprocessedByRunId: null });
    expect(await loaded('t1')).toEqual(EXPECTED.filter((r) => [1, 3, 5].includes(r.order_id)));
    const letters = await caller.run.deadLetters({ runId: first.id });
    expect(letters.items.map((d) => [d.nodeId, d.reason, d.sourceLine, d.reprocessedByRunId])).toEqual([
      ['src', 'CSV_MALFORMED_ROW', 5, null],
      ['src', 'CSV_MALFORMED_ROW', 8, null],
      ['typed', 'CAST_FAILED', null, null],
      ['typed', 'CAST_FAILED', null, null],
    ]);
    expect(letters.items.slice(0, 2).map((d) => d.rawLine)).toEqual(['4,dan,10000000000000000000,5', '7,gus,20000000000000000000,8']);

    // The fix: quantities may be larger than an integer holds, amounts are cleaned before they are converted.
    await p.save(pipeline('orders-1.csv', 't1', { qty: 'float', clean: true, onCastError: 'reject' }));
    expect(await caller.run.reprocessPreview({ runId: first.id })).toEqual({ rows: 4, version: 2, skipped: [], blocked: null });
    // The source file is gone: the reprocess reads the stored rows only.
    await rm(path.join(files, 'orders-1.csv'));
    await expect(stranger.run.reprocess({ runId: first.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The version the user confirmed must still be the newest.
    await expect(caller.run.reprocess({ runId: first.id, version: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'The pipeline was saved again since you confirmed: its latest version is now v2, not v1. Check it and reprocess again.',
    });
    const { runId, rows } = await caller.run.reprocess({ runId: first.id, version: 2 });
    expect(rows).toBe(4);
    const again = await finished(runId);
    expect(again).toMatchObject({ status: 'succeeded', trigger: 'reprocess', reprocessOfRunId: first.id, version: 2, rowsRead: 4, rowsWritten: 4, rowsRejected: 0 });
    expect(await loaded('t1')).toEqual(EXPECTED);
    // Marked in the same transaction as the success; both runs link to each other.
    expect(await marks(first.id)).toEqual([
      ['src', runId],
      ['src', runId],
      ['typed', runId],
      ['typed', runId],
    ]);
    expect(await caller.run.get({ runId: first.id })).toMatchObject({ reprocessedByRunId: runId });
    const log = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    expect(log.map((e) => (e.payload as { message?: string }).message).filter(Boolean)).toEqual(
      expect.arrayContaining([`Reprocessing 4 rejected row(s) of run ${first.id}: src reads 4`, `Marked 4 rejected row(s) of run ${first.id} as reprocessed by this run`]),
    );

    // A second reprocess is refused: each dead letter is reprocessed once.
    const refused = await caller.run.reprocess({ runId: first.id }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: `This run's rejected rows were already reprocessed by run ${runId.slice(0, 8)}.` });
    expect((refused as { cause?: unknown }).cause).toMatchObject({ code: 'DEAD_LETTERS_ALREADY_REPROCESSED', details: { reprocessedByRunId: runId } });
    expect(await caller.run.reprocessPreview({ runId: first.id })).toMatchObject({ rows: 0, blocked: { code: 'DEAD_LETTERS_ALREADY_REPROCESSED' } });
    expect(await loaded('t1')).toEqual(EXPECTED);
    // A reprocess run is reprocessed, not resumed; a run without rejected rows has nothing to reprocess.
    await expect(caller.run.reprocess({ runId })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: 'This run rejected no rows into dead letters, so there is nothing to reprocess.' });
  });

  it('leaves the dead letters unmarked when the reprocess fails, and one of two simultaneous requests reprocesses them', async () => {
    await writeFile(path.join(files, 'orders-2.csv'), ORDERS);
    await table('t2');
    const p = await create(pipeline('orders-2.csv', 't2', { qty: 'integer', clean: false, onCastError: 'reject' }));
    const first = await finished((await caller.run.start({ pipelineId: p.id })).runId);
    expect(first).toMatchObject({ status: 'succeeded', rowsWritten: 3, rowsRejected: 4 });

    // A wrong fix: the amounts are not cleaned, and a value that does not convert now fails the run.
    await p.save(pipeline('orders-2.csv', 't2', { qty: 'float', clean: false, onCastError: 'fail' }));
    const failed = await finished((await caller.run.reprocess({ runId: first.id })).runId);
    expect(failed).toMatchObject({ status: 'failed', trigger: 'reprocess', errorCode: 'CAST_FAILED', errorNodeId: 'typed', canResume: false });
    expect(failed.errorMessage).toContain('12.50 EUR');
    expect(await marks(first.id)).toEqual([
      ['src', null],
      ['src', null],
      ['typed', null],
      ['typed', null],
    ]);
    expect(await loaded('t2')).toEqual(EXPECTED.filter((r) => [1, 3, 5].includes(r.order_id)));
    await expect(caller.run.resume({ runId: failed.id })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^A run that reprocesses rejected rows is not resumed/) as string });

    await p.save(pipeline('orders-2.csv', 't2', { qty: 'float', clean: true, onCastError: 'reject' }));
    const attempts = await Promise.allSettled([caller.run.reprocess({ runId: first.id }), caller.run.reprocess({ runId: first.id })]);
    const started = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.runId] : []));
    expect(started).toHaveLength(1);
    const loser = attempts.find((a) => a.status === 'rejected');
    expect(loser?.reason).toMatchObject({ code: 'CONFLICT', message: `Run ${started[0]?.slice(0, 8)} is already reprocessing this run's rejected rows.` });
    const done = await finished(started[0] ?? '');
    expect(done).toMatchObject({ status: 'succeeded', version: 3, rowsWritten: 4 });
    expect(await loaded('t2')).toEqual(EXPECTED);
    expect((await marks(first.id)).every(([, by]) => by === done.id)).toBe(true);
    expect(await db.prisma.run.count({ where: { reprocessOfRunId: first.id } })).toBe(2);
  });

  it('replays again the rows the fixed version still rejects, from the reprocess run', async () => {
    await writeFile(path.join(files, 'orders-3.csv'), ORDERS);
    await table('t3');
    const p = await create(pipeline('orders-3.csv', 't3', { qty: 'integer', clean: false, onCastError: 'reject' }));
    const first = await finished((await caller.run.start({ pipelineId: p.id })).runId);
    // Half a fix: the quantities load, the amounts are still rejected.
    await p.save(pipeline('orders-3.csv', 't3', { qty: 'float', clean: false, onCastError: 'reject' }));
    const half = await finished((await caller.run.reprocess({ runId: first.id })).runId);
    expect(half).toMatchObject({ status: 'succeeded', rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    expect((await marks(first.id)).every(([, by]) => by === half.id)).toBe(true);
    await p.save(pipeline('orders-3.csv', 't3', { qty: 'float', clean: true, onCastError: 'reject' }));
    const rest = await finished((await caller.run.reprocess({ runId: half.id })).runId);
    expect(rest).toMatchObject({ status: 'succeeded', reprocessOfRunId: half.id, rowsRead: 2, rowsWritten: 2, rowsRejected: 0 });
    expect(await loaded('t3')).toEqual(EXPECTED);
  });
});

// The same round trip with the metadata in PGlite (the embedded default) and in PostgreSQL, executed
// in-process as a worker would: the raw SQL that counts and marks dead letters runs on both.
describe.each(testDatabaseKinds)('reprocessing with the metadata on %s', (kind) => {
  const schema = `sluice_reprocess_${kind}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let keyring: Keyring;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders (order_id bigint, customer text, qty double precision, amount double precision)`);
    db = await openTestDatabase(kind);
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-reprocess-'));
    keyring = { current: secretKeyFrom(generateSecretKey()) };
    caller = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'reprocess@example.com'), services: () => services, connectors: { keyring, dataDir } });
    const files = workspaceDir(dataDir, (await caller.workspace.current()).id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ORDERS);
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('replays the rejected rows once and marks them with the run that succeeded', async () => {
    const connectionId = (await caller.connection.create({ name: 'Warehouse', settings: { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' } })).id;
    const build = (v: Version) => ordersPipeline('orders.csv', 'orders', v, { connectionId, schema });
    const { id } = await caller.pipeline.create({ name: 'rejecting' });
    await caller.pipeline.save({ id, document: build({ qty: 'integer', clean: false, onCastError: 'reject' }), baseVersion: 0 });
    const execute = (runId: string) => executeRun(runId, { db: db.prisma, bus: services.bus, dataDir, keyring });

    const { runId: firstId } = await caller.run.start({ pipelineId: id });
    expect(await execute(firstId)).toBe('succeeded');
    await caller.pipeline.save({ id, document: build({ qty: 'float', clean: true, onCastError: 'reject' }), baseVersion: 1 });
    expect(await caller.run.reprocessPreview({ runId: firstId })).toEqual({ rows: 4, version: 2, skipped: [], blocked: null });

    const { runId } = await caller.run.reprocess({ runId: firstId });
    expect(await execute(runId)).toBe('succeeded');
    const rows = await admin.query<{ order_id: string }>(`SELECT order_id FROM ${schema}.orders ORDER BY order_id`);
    expect(rows.rows.map((r) => Number(r.order_id))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await db.prisma.deadLetter.count({ where: { runId: firstId, reprocessedByRunId: runId } })).toBe(4);
    await expect(caller.run.reprocess({ runId: firstId })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('replays what can be replayed and says why the rows a node further down rejected cannot be', async () => {
    await admin.query(`CREATE TABLE ${schema}.orders_2 (order_id bigint, customer text, qty double precision, amount double precision)`);
    const connectionId = (await caller.connection.list())[0]?.id ?? '';
    // The cast reads from a derived column, not from the source: what it rejects is not a source record.
    const build = (v: Version) => ordersPipeline('orders.csv', 'orders_2', v, { connectionId, schema });
    const { id } = await caller.pipeline.create({ name: 'rejecting further down' });
    await caller.pipeline.save({ id, document: build({ qty: 'integer', clean: 'trim(amount)', onCastError: 'reject' }), baseVersion: 0 });
    const execute = (runId: string) => executeRun(runId, { db: db.prisma, bus: services.bus, dataDir, keyring });
    const { runId: firstId } = await caller.run.start({ pipelineId: id });
    expect(await execute(firstId)).toBe('succeeded');

    await caller.pipeline.save({ id, document: build({ qty: 'float', clean: true, onCastError: 'reject' }), baseVersion: 1 });
    const why = '"typed" does not read straight from a CSV source, so the rows it rejected are stored as its own input, not as records a source can read again';
    expect(await caller.run.reprocessPreview({ runId: firstId })).toEqual({ rows: 2, version: 2, skipped: [{ nodeId: 'typed', rows: 2, why }], blocked: null });
    const { runId } = await caller.run.reprocess({ runId: firstId });
    expect(await execute(runId)).toBe('succeeded');
    const rows = await admin.query<{ order_id: string }>(`SELECT order_id FROM ${schema}.orders_2 ORDER BY order_id`);
    expect(rows.rows.map((r) => Number(r.order_id))).toEqual([1, 3, 4, 5, 7]);
    expect(await db.prisma.deadLetter.count({ where: { runId: firstId, reprocessedByRunId: runId } })).toBe(2);
    await expect(caller.run.reprocess({ runId: firstId })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `This run's rejected rows were already reprocessed by run ${runId.slice(0, 8)}. The other 2 cannot be: ${why}.`,
    });
    const log = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    expect(log.map((e) => (e.payload as { message?: string }).message)).toContain(`2 rejected row(s) are not reprocessed: ${why}`);
  });
});
