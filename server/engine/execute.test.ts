import { mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile, type ExecutionPlan } from '../compiler/compile';
import { AppError } from '../errors';
import { loadTestHooks } from '../connectors/load';
import { readCsvRows } from '../testing/csv-files';
import { openTestPostgres, testConnections, uniqueName } from '../testing/destinations';
import { castPipeline, linearPipeline, ordersCsv } from '../testing/pipelines';
import { executePlan, retryDelayMs, SKIPPED_ROWS_LOGGED, type RejectBatch, type StageEvent } from './execute';
import { sniffCsv } from './sniff';

let root: string;
let temp: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-engine-'));
  temp = path.join(root, '..', `${path.basename(root)}-tmp`);
  await writeFile(path.join(root, 'orders.csv'), ordersCsv);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function planOf(doc: unknown, optimize = true): ExecutionPlan {
  const result = compile(doc, { optimize });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.plan) throw new Error('no plan');
  return result.plan;
}

describe('executePlan', () => {
  it('runs csv → filter → select → csv and reports rows per stage', async () => {
    const events: StageEvent[] = [];
    const result = await executePlan(planOf(linearPipeline(), false), { workspaceRoot: root, tempDir: temp, onStage: (e) => void events.push(e) });

    expect(await readCsvRows(path.join(root, 'out/paid.csv'))).toEqual([
      { order_id: '1', customer: 'alice', amount: '10.5' },
      { order_id: '3', customer: 'carol, jr', amount: '150.25' },
    ]);
    expect(result).toMatchObject({ rowsRead: 5, rowsWritten: 2, files: [{ nodeId: 'out', path: 'out/paid.csv', rows: 2 }] });
    const done = events.filter((e) => e.status === 'succeeded').map((e) => [e.stageId, e.rowsIn, e.rowsOut]);
    expect(done).toEqual([
      ['src', 5, 5],
      ['keep_paid', 5, 2],
      ['cols', 2, 2],
      ['out', 2, 2],
    ]);
    await expect(stat(temp)).rejects.toThrow();
  });

  it('runs a fused chain as one stage that reports the rows it read and wrote', async () => {
    const events: StageEvent[] = [];
    const result = await executePlan(planOf(linearPipeline()), { workspaceRoot: root, tempDir: temp, onStage: (e) => void events.push(e) });
    expect(await readCsvRows(path.join(root, 'out/paid.csv'))).toHaveLength(2);
    expect(result).toMatchObject({ rowsRead: 5, rowsWritten: 2 });
    const done = events.filter((e) => e.status === 'succeeded').map((e) => [e.stageId, e.nodeIds, e.rowsIn, e.rowsOut]);
    expect(done).toEqual([
      ['src', ['src'], 5, 5],
      ['out', ['keep_paid', 'cols', 'out'], 5, 2],
    ]);
  });

  it('writes Parquet', async () => {
    await executePlan(planOf(linearPipeline({ sink: { format: 'parquet', path: 'out/paid.parquet' } })), { workspaceRoot: root, tempDir: temp });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`SELECT order_id, amount FROM read_parquet('${path.join(root, 'out/paid.parquet')}') ORDER BY order_id`);
    expect(reader.getRowObjectsJson()).toEqual([
      { order_id: '1', amount: 10.5 },
      { order_id: '3', amount: 150.25 },
    ]);
    conn.closeSync();
    db.closeSync();
  });

  it('fails on a malformed row with its line number and the raw line, writing nothing', async () => {
    await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,frank,not-a-number,paid\n7,gina,3,paid,extra\n`);
    const events: StageEvent[] = [];
    const error = await executePlan(planOf(linearPipeline()), { workspaceRoot: root, tempDir: temp, onStage: (e) => void events.push(e) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('CSV_MALFORMED_ROW');
    expect(appError.details).toMatchObject({ nodeId: 'src', line: 7, rawLine: '6,frank,not-a-number,paid', rejectedRows: 2 });
    expect(appError.message).toContain('Line 7');
    expect(appError.message).toContain('amount');
    expect(events.map((e) => [e.stageId, e.status])).toEqual([
      ['src', 'running'],
      ['src', 'failed'],
      ['out', 'skipped'],
    ]);
    await expect(stat(path.join(root, 'out'))).rejects.toThrow();
  });

  /** linearPipeline plus a second sink, off the filter, into a folder that cannot be created (a file stands in its way). */
  async function twoBranches() {
    await mkdir(path.join(root, 'out'));
    await writeFile(path.join(root, 'out/paid.csv'), 'previous contents');
    const doc = linearPipeline();
    await writeFile(path.join(root, 'blocked'), 'x');
    doc.nodes.push({ id: 'out2', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'blocked/x.csv' } });
    doc.edges.push({ id: 'e4', source: { node: 'keep_paid', port: 'output' }, target: { node: 'out2', port: 'input' } });
    return doc;
  }

  it('with stopAll, leaves an existing destination file untouched when another branch fails', async () => {
    const doc = await twoBranches();
    await expect(executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp, policy: { onBranchFailure: 'stopAll' } })).rejects.toThrow();
    expect(await readFile(path.join(root, 'out/paid.csv'), 'utf8')).toBe('previous contents');
  });

  it('with continueOthers, loads the branch that works and reports the one that failed', async () => {
    const doc = await twoBranches();
    const events: StageEvent[] = [];
    const result = await executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp, onStage: (e) => void events.push(e) });
    expect(await readCsvRows(path.join(root, 'out/paid.csv'))).toHaveLength(2);
    expect(result.files.map((f) => f.nodeId)).toEqual(['out']);
    expect(result.failures.map((f) => [f.stageId, f.error.code])).toEqual([['out2', 'SQL_EXECUTION_FAILED']]);
    expect(events.filter((e) => e.status !== 'running').map((e) => [e.stageId, e.status])).toEqual([
      ['src', 'succeeded'],
      ['keep_paid', 'succeeded'],
      ['out2', 'failed'],
      ['out', 'succeeded'],
    ]);
    // Nothing of the failed branch is left behind.
    expect((await readdir(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails the run when every destination failed', async () => {
    const doc = linearPipeline({ sink: { format: 'csv', path: 'blocked/x.csv' } });
    await writeFile(path.join(root, 'blocked'), 'x');
    await expect(executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp })).rejects.toMatchObject({ code: 'SQL_EXECUTION_FAILED', details: { nodeId: 'out' } });
  });

  it('waits longer before each retry: exponential, with jitter, capped', () => {
    expect(retryDelayMs(1000, 1, () => 0)).toBe(500);
    expect(retryDelayMs(1000, 1, () => 1)).toBe(1000);
    expect(retryDelayMs(1000, 3, () => 1)).toBe(4000);
    expect(retryDelayMs(1000, 30, () => 1)).toBe(300_000);
  });

  it('stops a stage that runs past its timeout with STAGE_TIMEOUT, and does not retry it', async () => {
    // A self-join of 20,000 equal keys: 400 million rows to count, far longer than 300 ms.
    await writeFile(path.join(root, 'orders.csv'), ['order_id,customer,amount,status', ...Array.from({ length: 20_000 }, (_, i) => `${i},c,1,paid`)].join('\n'));
    const doc = linearPipeline();
    doc.nodes.push(
      { id: 'self', kind: 'join', version: 1, position: { x: 0, y: 0 }, config: { kind: 'inner', keys: [{ left: 'status', right: 'status' }] } },
      { id: 'count', kind: 'aggregate', version: 1, position: { x: 0, y: 0 }, config: { groupBy: [], aggregates: [{ function: 'count', column: '', as: 'n' }] } },
      { id: 'out_count', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/count.csv' } },
    );
    doc.edges.push(
      { id: 'j1', source: { node: 'src', port: 'output' }, target: { node: 'self', port: 'left' } },
      { id: 'j2', source: { node: 'src', port: 'output' }, target: { node: 'self', port: 'right' } },
      { id: 'j3', source: { node: 'self', port: 'output' }, target: { node: 'count', port: 'input' } },
      { id: 'j4', source: { node: 'count', port: 'output' }, target: { node: 'out_count', port: 'input' } },
    );
    const started = Date.now();
    const events: StageEvent[] = [];
    await executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp, policy: { stageTimeoutMs: 300, onBranchFailure: 'continueOthers' }, onStage: (e) => void events.push(e) });
    expect(Date.now() - started).toBeLessThan(10_000);
    const failed = events.find((e) => e.status === 'failed');
    expect(failed).toMatchObject({ stageId: 'out_count', attempts: 1, error: { code: 'STAGE_TIMEOUT' } });
  });

  it('names the missing column when the header does not match the declared columns', async () => {
    await writeFile(path.join(root, 'orders.csv'), ordersCsv.replace('status', 'state'));
    await expect(executePlan(planOf(linearPipeline()), { workspaceRoot: root, tempDir: temp })).rejects.toMatchObject({
      code: 'CSV_HEADER_MISMATCH',
      details: { nodeId: 'src' },
      message: expect.stringContaining('missing "status"') as unknown,
    });
  });

  it('refuses a source file that does not exist or escapes the workspace', async () => {
    await expect(executePlan(planOf(linearPipeline({ sourcePath: 'nope.csv' })), { workspaceRoot: root, tempDir: temp })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      details: { nodeId: 'src' },
    });
    const outsideDir = await mkdtemp(path.join(tmpdir(), 'sluice-outside-'));
    await writeFile(path.join(outsideDir, 'secret.csv'), ordersCsv);
    await symlink(path.join(outsideDir, 'secret.csv'), path.join(root, 'link.csv'));
    await expect(executePlan(planOf(linearPipeline({ sourcePath: 'link.csv' })), { workspaceRoot: root, tempDir: temp })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
    });
    await rm(outsideDir, { recursive: true, force: true });
  });

  it('binds filter values as parameters, so quotes in values are data', async () => {
    const doc = linearPipeline({ rules: [{ column: 'customer', op: 'eq', value: "x' OR '1'='1" }] });
    const result = await executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp });
    expect(result.rowsWritten).toBe(0);
  });
});

describe('rejected rows', () => {
  // 20,000 rows; every row whose id is divisible by 5 or 7 has a quantity that is not a number.
  const ids = Array.from({ length: 20_000 }, (_, i) => i + 1);
  const bad = (id: number) => id % 5 === 0 || id % 7 === 0;
  const quantities = ['id,qty', ...ids.map((id) => `${id},${bad(id) ? `n/a-${id}` : String(id * 2)}`)].join('\n');
  const columns = [
    { name: 'id', type: 'integer' as const },
    { name: 'qty', type: 'string' as const },
  ];

  it('streams rejects to onRejects in bounded batches, in input order, and counts them on the stage and the run', async () => {
    await writeFile(path.join(root, 'quantities.csv'), quantities);
    const batches: RejectBatch[] = [];
    const events: StageEvent[] = [];
    const doc = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject' });
    const result = await executePlan(planOf(doc), {
      workspaceRoot: root,
      tempDir: temp,
      onStage: (e) => void events.push(e),
      onRejects: (batch) => void batches.push(batch),
    });

    const rejectedIds = ids.filter(bad);
    expect(rejectedIds).toHaveLength(6286);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      expect(b).toMatchObject({ nodeId: 'typed', reason: 'CAST_FAILED' });
      expect(b.rows.length).toBeGreaterThan(0);
      expect(b.rows.length).toBeLessThanOrEqual(2048);
    }
    const rows = batches.flatMap((b) => b.rows);
    expect(rows.map((r) => r.row?.id)).toEqual(rejectedIds);
    expect(rows[0]).toEqual({ message: `Row 5: column "qty" value 'n/a-5' does not convert to integer`, sourceLine: null, rawLine: null, row: { id: 5, qty: 'n/a-5' } });

    expect(result).toMatchObject({ rowsRead: 20_000, rowsWritten: 20_000 - 6286, rowsRejected: 6286 });
    expect(result.rowsRead).toBe(result.rowsWritten + result.rowsRejected);
    const done = events.filter((e) => e.status === 'succeeded').map((e) => [e.stageId, e.rowsIn, e.rowsOut, e.rowsRejected]);
    // The cast is fused into the sink: its rejects are the merged stage's.
    expect(done).toEqual([
      ['src', 20_000, 20_000, 0],
      ['out', 20_000, 13714, 6286],
    ]);
    const written = await readCsvRows(path.join(root, 'out/typed.csv'));
    expect(written).toHaveLength(13714);
    expect(written.slice(0, 2)).toEqual([
      { id: '1', qty: '2' },
      { id: '2', qty: '4' },
    ]);
  });

  it('hands on a fused cast\'s rejects once when its stage is retried after its load failed past the copy', async () => {
    await writeFile(path.join(root, 'quantities.csv'), quantities);
    const schema = uniqueName('sluice_rejects_retry');
    const doc = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject' });
    doc.nodes = doc.nodes.map((n) => (n.id === 'out' ? { ...n, kind: 'postgres-sink', config: { connectionId: 'test-postgres', schema, table: 'typed', mode: 'append' } } : n));
    const plan = planOf(doc);
    expect(plan.stages.map((s) => s.nodeIds)).toEqual([['src'], ['typed', 'out']]);
    const batches: RejectBatch[] = [];
    const events: StageEvent[] = [];
    // The rejects are found while the load copies; the first attempt then loses its connection.
    let copies = 0;
    let handedOnByFirstCopy = 0;
    loadTestHooks.onCheckpoint = (name) => {
      if (name !== 'after-copy' || ++copies > 1) return;
      handedOnByFirstCopy = batches.flatMap((b) => b.rows).length;
      throw new AppError('DESTINATION_UNREACHABLE', 'connection lost', { transient: true });
    };
    try {
      const result = await executePlan(plan, {
        workspaceRoot: root,
        tempDir: temp,
        policy: { retries: 2, retryDelayMs: 1 },
        connections: testConnections,
        onStage: (e) => void events.push(e),
        onRejects: (batch) => void batches.push(batch),
      });
      expect(result).toMatchObject({ rowsRead: 20_000, rowsWritten: 13714, rowsRejected: 6286 });
      expect(copies).toBe(2);
      expect(handedOnByFirstCopy).toBe(6286);
      expect(events.find((e) => e.stageId === 'out' && e.status === 'succeeded')).toMatchObject({ attempts: 2, rowsRejected: 6286 });
      expect(batches.flatMap((b) => b.rows)).toHaveLength(6286);
    } finally {
      delete loadTestHooks.onCheckpoint;
      const client = await openTestPostgres();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('finds no rejects for a load that fails before it copies, and commits nothing', async () => {
    await writeFile(path.join(root, 'quantities.csv'), quantities);
    const doc = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject' });
    doc.nodes = doc.nodes.map((n) => (n.id === 'out' ? { ...n, kind: 'postgres-sink', config: { connectionId: 'warehouse', schema: 'public', table: 'typed', mode: 'append' } } : n));
    let lookups = 0;
    const batches: RejectBatch[] = [];
    const events: StageEvent[] = [];
    const run = executePlan(planOf(doc), {
      workspaceRoot: root,
      tempDir: temp,
      policy: { retries: 2, retryDelayMs: 1 },
      onStage: (e) => void events.push(e),
      onRejects: (batch) => void batches.push(batch),
      // The destination is unreachable twice (transient, so the stage is retried), then refuses for good.
      connections: () => {
        lookups++;
        return Promise.reject(lookups < 3 ? new AppError('DESTINATION_UNREACHABLE', 'not yet', { transient: true }) : new AppError('DESTINATION_CONNECTION_INVALID', 'no'));
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'DESTINATION_CONNECTION_INVALID' });
    expect(lookups).toBe(3);
    expect(events.find((e) => e.status === 'failed')).toMatchObject({ stageId: 'out', attempts: 3 });
    expect(events.find((e) => e.status === 'failed')).not.toHaveProperty('rowsRejected');
    expect(batches).toEqual([]);
  });

  it('counts rejects without an onRejects callback', async () => {
    await writeFile(path.join(root, 'quantities.csv'), quantities);
    const doc = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject' });
    expect(await executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp })).toMatchObject({ rowsRejected: 6286, rowsWritten: 13714 });
  });

  it('counts the lines a CSV source rejects as read: rows read = rows passed on + rows rejected', async () => {
    await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,frank,not-a-number,paid\n7,gina,3,paid,extra\n`);
    const events: StageEvent[] = [];
    const batches: RejectBatch[] = [];
    const result = await executePlan(planOf(linearPipeline({ onMalformedRow: 'deadLetter' })), {
      workspaceRoot: root,
      tempDir: temp,
      onStage: (e) => void events.push(e),
      onRejects: (b) => void batches.push(b),
    });
    expect(events.find((e) => e.stageId === 'src' && e.status === 'succeeded')).toMatchObject({ rowsIn: 7, rowsOut: 5, rowsRejected: 2 });
    expect(result).toMatchObject({ rowsRead: 7, rowsRejected: 2, rowsWritten: 2 });
    expect(batches.flatMap((b) => b.rows.map((r) => [r.sourceLine, r.rawLine]))).toEqual([
      [7, '6,frank,not-a-number,paid'],
      [8, '7,gina,3,paid,extra'],
    ]);
  });

  it('logs the count and the first rejected lines when a source skips them', async () => {
    const extra = Array.from({ length: 8 }, (_, i) => `${10 + i},x${i},oops,paid`);
    await writeFile(path.join(root, 'orders.csv'), [ordersCsv, ...extra].join('\n'));
    const logs: { nodeId: string; level: string; message: string }[] = [];
    const batches: RejectBatch[] = [];
    const result = await executePlan(planOf(linearPipeline({ onMalformedRow: 'skip' })), {
      workspaceRoot: root,
      tempDir: temp,
      onLog: (l) => void logs.push(l),
      onRejects: (b) => void batches.push(b),
    });
    expect(batches).toEqual([]);
    expect(result).toMatchObject({ rowsRead: 13, rowsRejected: 8 });
    expect(logs[0]).toEqual({ nodeId: 'src', level: 'warn', message: `Skipped 8 rejected row(s) (CSV_MALFORMED_ROW); the first ${SKIPPED_ROWS_LOGGED}:` });
    expect(logs.slice(1).map((l) => l.message)).toEqual(extra.slice(0, SKIPPED_ROWS_LOGGED).map((raw, i) => expect.stringMatching(new RegExp(`^Line ${7 + i}: .*"oops".*\\. Raw line: ${raw}$`)) as unknown));
  });
});

describe('sniffCsv', () => {
  it('detects dialect, header and column types', async () => {
    const sniffed = await sniffCsv(path.join(root, 'orders.csv'), temp);
    expect(sniffed).toEqual({
      delimiter: ',',
      quote: '"',
      escape: '"',
      header: true,
      encoding: 'utf-8',
      columns: [
        { name: 'order_id', type: 'integer' },
        { name: 'customer', type: 'string' },
        { name: 'amount', type: 'float' },
        { name: 'status', type: 'string' },
      ],
    });
  });
});

describe('CSV sources with quoted line breaks', () => {
  it('check the header and read multi-line fields', async () => {
    await writeFile(path.join(root, 'orders.csv'), 'order_id,customer,amount,status\n1,"Ada\nLovelace",10.5,paid\n2,bob,3,paid\n');
    const result = await executePlan(planOf(linearPipeline({ rules: [{ column: 'status', op: 'eq', value: 'paid' }] })), { workspaceRoot: root, tempDir: temp });
    expect(result.rowsWritten).toBe(2);
    expect(await readCsvRows(path.join(root, 'out/paid.csv'))).toEqual([
      { order_id: '1', customer: 'Ada\nLovelace', amount: '10.5' },
      { order_id: '2', customer: 'bob', amount: '3.0' },
    ]);
  });
});
