// File-sink writes on the real engine: formats, compression, partitioned folders
// and their atomic replacement.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile, type ExecutionPlan } from '../../compiler/compile';
import { executePlan, type StageEvent } from '../../engine/execute';
import { quoteString } from '../../sql/ast';
import { linearPipeline, ordersCsv } from '../../testing/pipelines';
import { publishOutput } from './publish';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-write-'));
  await writeFile(path.join(root, 'orders.csv'), ordersCsv);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

type Sink = { format: string; path: string; compression?: string; partitionBy?: string[] };

function planOf(sink: Sink, extra?: (doc: ReturnType<typeof linearPipeline>) => void): ExecutionPlan {
  const doc = linearPipeline({ keep: ['order_id', 'customer', 'amount', 'status'], rules: [{ column: 'order_id', op: 'gte', value: '0' }] });
  const out = doc.nodes.find((n) => n.id === 'out');
  if (out) out.config = sink;
  extra?.(doc);
  const result = compile(doc);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.plan) throw new Error('no plan');
  return result.plan;
}

// stopAll: a failure anywhere leaves every destination as it was (the default lets other branches load).
const run = (plan: ExecutionPlan, onStage?: (e: StageEvent) => void) =>
  executePlan(plan, { workspaceRoot: root, tempDir: path.join(root, '..', `${path.basename(root)}-tmp`), policy: { onBranchFailure: 'stopAll' }, ...(onStage ? { onStage } : {}) });

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Every entry under `dir`, relative, sorted; hidden temporary names included. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('file-sink writes', () => {
  it('writes gzip-compressed CSV that gunzips to the rows', async () => {
    const result = await run(planOf({ format: 'csv', path: 'out/o.csv.gz', compression: 'gzip' }));
    expect(result.files).toEqual([{ nodeId: 'out', path: 'out/o.csv.gz', rows: 5 }]);
    const text = gunzipSync(await readFile(path.join(root, 'out/o.csv.gz'))).toString('utf8');
    expect(text.split('\n')[0]).toBe('order_id,customer,amount,status');
    expect(text).toContain('5,émile,250.0,pending');
  });

  it('writes NDJSON, plain and zstd-compressed, one object per line', async () => {
    await run(planOf({ format: 'ndjson', path: 'out/o.ndjson' }));
    const lines = (await readFile(path.join(root, 'out/o.ndjson'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)[2]).toEqual({ order_id: 3, customer: 'carol, jr', amount: 150.25, status: 'paid' });
    await run(planOf({ format: 'ndjson', path: 'out/o.jsonl.zst', compression: 'zstd' }));
    expect(await query(`SELECT count(*)::INT AS n FROM read_json(${quoteString(path.join(root, 'out/o.jsonl.zst'))}, format = 'newline_delimited', compression = 'zstd')`)).toEqual([{ n: 5 }]);
  });

  it('writes Parquet with the chosen codec', async () => {
    for (const codec of ['snappy', 'zstd'] as const) {
      await run(planOf({ format: 'parquet', path: `out/${codec}.parquet`, compression: codec }));
      const meta = await query(`SELECT DISTINCT compression FROM parquet_metadata(${quoteString(path.join(root, `out/${codec}.parquet`))})`);
      expect(meta).toEqual([{ compression: codec.toUpperCase() }]);
    }
  });

  it('writes key=value folders for partition columns and replaces the previous folder whole', async () => {
    await mkdir(path.join(root, 'out/by_status/status=stale'), { recursive: true });
    await writeFile(path.join(root, 'out/by_status/status=stale/data_0.parquet'), 'from an older run');
    const result = await run(planOf({ format: 'parquet', path: 'out/by_status', partitionBy: ['status'] }));
    expect(result.files).toEqual([{ nodeId: 'out', path: 'out/by_status', rows: 5 }]);
    expect(await tree(path.join(root, 'out'))).toEqual([
      'by_status',
      'by_status/status=paid',
      'by_status/status=paid/data_0.parquet',
      'by_status/status=pending',
      'by_status/status=pending/data_0.parquet',
      'by_status/status=refunded',
      'by_status/status=refunded/data_0.parquet',
    ]);
    const rows = await query(`SELECT status, count(*)::INT AS n FROM read_parquet(${quoteString(path.join(root, 'out/by_status/**/*.parquet'))}, hive_partitioning = true) GROUP BY status ORDER BY status`);
    expect(rows).toEqual([
      { status: 'paid', n: 3 },
      { status: 'pending', n: 1 },
      { status: 'refunded', n: 1 },
    ]);
  });

  it('writes gzip CSV partitions', async () => {
    await run(planOf({ format: 'csv', path: 'out/parts', compression: 'gzip', partitionBy: ['status'] }));
    const paid = gunzipSync(await readFile(path.join(root, 'out/parts/status=paid/data_0.csv.gz'))).toString('utf8');
    expect(paid.split('\n')[0]).toBe('order_id,customer,amount');
  });

  it('leaves the previous partitioned folder untouched, and no temporary folder, when a later stage fails', async () => {
    await mkdir(path.join(root, 'out/by_status/status=old'), { recursive: true });
    await writeFile(path.join(root, 'out/by_status/status=old/data_0.parquet'), 'previous output');
    await writeFile(path.join(root, 'blocked'), 'x');
    const events: StageEvent[] = [];
    const plan = planOf({ format: 'parquet', path: 'out/by_status', partitionBy: ['status'] }, (doc) => {
      // A second sink into a folder that cannot be created (a file stands in its way), after the first.
      doc.nodes.push({ id: 'zz_blocked', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'blocked/x.csv' } });
      doc.edges.push({ id: 'e9', source: { node: 'cols', port: 'output' }, target: { node: 'zz_blocked', port: 'input' } });
    });
    await expect(run(plan, (e) => void events.push(e))).rejects.toThrow();
    // The partitioned write itself succeeded before the failure: its temporary folder existed and was removed.
    expect(events.filter((e) => e.status !== 'running').map((e) => [e.stageId, e.status])).toContainEqual(['out', 'succeeded']);
    expect(await tree(path.join(root, 'out'))).toEqual(['by_status', 'by_status/status=old', 'by_status/status=old/data_0.parquet']);
    expect(await readFile(path.join(root, 'out/by_status/status=old/data_0.parquet'), 'utf8')).toBe('previous output');
  });
});

describe('publishOutput', () => {
  it('moves a folder into place where there was none', async () => {
    await mkdir(path.join(root, 'new'));
    await writeFile(path.join(root, 'new/a'), 'a');
    await publishOutput(path.join(root, 'new'), path.join(root, 'final'));
    expect(await readFile(path.join(root, 'final/a'), 'utf8')).toBe('a');
  });

  it('puts the old folder back when the new one cannot be moved in', async () => {
    await mkdir(path.join(root, 'final'));
    await writeFile(path.join(root, 'final/old'), 'old');
    await expect(publishOutput(path.join(root, 'missing'), path.join(root, 'final'))).rejects.toThrow();
    expect(await readFile(path.join(root, 'final/old'), 'utf8')).toBe('old');
    expect((await readdir(root)).filter((n) => n.startsWith('.final'))).toEqual([]);
  });
});
