// Deferred reads (ADR 010): a CSV source read by few queries is a view over
// its file. What a run yields must not change: the same rows and rejects as a
// plan that materialises every node, and a file that changes under the run
// fails it instead of mixing two versions.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile, type ExecutionPlan } from '../compiler/compile';
import type { VisualPipeline } from '../pipeline/model';
import { readCsvRows } from '../testing/csv-files';
import { openTestPostgres, testConnections, uniqueName } from '../testing/destinations';
import { linearPipeline, ordersCsv } from '../testing/pipelines';
import { executePlan, type RejectBatch, type StageEvent } from './execute';

let root: string;
let temp: string;
let pgClient: pg.Client;
const schema = uniqueName('sluice_deferred');

beforeAll(async () => {
  pgClient = await openTestPostgres();
});
afterAll(async () => {
  await pgClient.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pgClient.end();
});
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-deferred-'));
  temp = path.join(root, '..', `${path.basename(root)}-tmp`);
  await writeFile(path.join(root, 'orders.csv'), ordersCsv);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function planOf(doc: VisualPipeline, optimize = true): ExecutionPlan {
  const result = compile(doc, { optimize });
  if (!result.plan) throw new Error(`no plan: ${JSON.stringify(result.diagnostics)}`);
  return result.plan;
}

const sourceOp = (plan: ExecutionPlan) => plan.stages.find((s) => s.id === 'src')?.ops.find((op) => op.op === 'materialize');

/** Runs the optimised plan and the one-stage-per-node reference; returns both outcomes. */
async function runBoth(doc: VisualPipeline) {
  const outcomes = [];
  for (const optimize of [true, false]) {
    const batches: RejectBatch[] = [];
    const result = await executePlan(planOf(doc, optimize), { workspaceRoot: root, tempDir: temp, onRejects: (b) => void batches.push(b) });
    const rows = await readCsvRows(path.join(root, 'out/paid.csv'));
    outcomes.push({ result: { rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, rowsRejected: result.rowsRejected }, rows, rejected: batches.flatMap((b) => b.rows.map((r) => r.sourceLine)) });
  }
  return outcomes;
}

describe('deferred CSV reads', () => {
  it('give the rows the reference plan gives, for a clean file', async () => {
    const doc = linearPipeline();
    expect(sourceOp(planOf(doc))).toMatchObject({ deferred: true });
    const [optimised, reference] = await runBoth(doc);
    expect(optimised).toEqual(reference);
    expect(optimised?.result).toEqual({ rowsRead: 5, rowsWritten: 2, rowsRejected: 0 });
  });

  it('reject a line whose only bad value is in a column nothing downstream reads, as the reference plan does', async () => {
    // amount is declared a float; the pipeline keeps customer only, so DuckDB would not convert amount unless made to.
    await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,frank,not-a-number,paid\n7,gina,3,paid,extra\n`);
    const doc = linearPipeline({ onMalformedRow: 'deadLetter', rules: [{ column: 'status', op: 'eq', value: 'paid' }], keep: ['customer'] });
    const [optimised, reference] = await runBoth(doc);
    expect(optimised).toEqual(reference);
    expect(optimised).toEqual({
      result: { rowsRead: 7, rowsWritten: 3, rowsRejected: 2 },
      rows: [{ customer: 'alice' }, { customer: 'carol, jr' }, { customer: 'dan' }],
      rejected: [7, 8],
    });
  });

  it('fail the run with SOURCE_FILE_CHANGED, publishing nothing, when the file is replaced after it was validated', async () => {
    const events: StageEvent[] = [];
    const run = executePlan(planOf(linearPipeline()), {
      workspaceRoot: root,
      tempDir: temp,
      onStage: async (e) => {
        events.push(e);
        // The stage that reads the view starts after the source's scan validated the file.
        if (e.stageId === 'out' && e.status === 'running') await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,frank,42,paid\n`);
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'SOURCE_FILE_CHANGED', message: expect.stringContaining('"orders.csv" changed while the run was reading it') as unknown });
    await expect(stat(path.join(root, 'out/paid.csv'))).rejects.toThrow();
    expect(events.find((e) => e.stageId === 'out' && e.status === 'failed')?.error?.code).toBe('SOURCE_FILE_CHANGED');
  });

  it('roll a PostgreSQL load back when the file changed before it commits', async () => {
    const doc = linearPipeline();
    doc.nodes = doc.nodes.map((n) => (n.id === 'out' ? { ...n, kind: 'postgres-sink', config: { connectionId: 'test-postgres', schema, table: 'paid', mode: 'append' } } : n));
    const run = executePlan(planOf(doc), {
      workspaceRoot: root,
      tempDir: temp,
      connections: testConnections,
      onStage: async (e) => {
        if (e.stageId === 'out' && e.status === 'running') await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,frank,42,paid\n`);
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'SOURCE_FILE_CHANGED' });
    // The load created the table inside its transaction: rolled back, it is not there.
    const { rows } = await pgClient.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`"${schema}".paid`]);
    expect(rows[0]?.exists).toBe(false);
  });

  it('materialise the source when more queries read it than a view is worth', async () => {
    const doc = linearPipeline();
    // Three destinations straight off the source: three readers.
    doc.nodes.push(
      { id: 'out2', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/all2.csv' } },
      { id: 'out3', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/all3.csv' } },
    );
    doc.edges.push({ id: 'f2', source: { node: 'src', port: 'output' }, target: { node: 'out2', port: 'input' } }, { id: 'f3', source: { node: 'src', port: 'output' }, target: { node: 'out3', port: 'input' } });
    expect(sourceOp(planOf(doc))).not.toHaveProperty('deferred');
    await executePlan(planOf(doc), { workspaceRoot: root, tempDir: temp });
    expect(await readCsvRows(path.join(root, 'out/all3.csv'))).toHaveLength(5);
  });
});
