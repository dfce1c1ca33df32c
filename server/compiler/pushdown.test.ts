// The planner leaves predicate pushdown and projection pruning inside a fused
// statement to DuckDB's optimiser (docs/decisions/005-plan-fusion.md). These
// tests hold DuckDB to it: the physical plan of a fused stage filters the
// right side of a join in its scan, and scans only the columns it needs.
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import type { Column } from '../pipeline/types';
import { renderSelect } from '../sql/ast';
import { compile } from './compile';

const customers: Column[] = [
  { name: 'customer_id', type: 'integer' },
  { name: 'country', type: 'string' },
  { name: 'notes', type: 'string' },
];
const orders: Column[] = [
  { name: 'order_id', type: 'integer' },
  { name: 'customer_id', type: 'integer' },
  { name: 'amount', type: 'float' },
  { name: 'comment', type: 'string' },
];

const source = (id: string, columns: Column[]) => ({ id, kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: `${id}.csv`, delimiter: ',', quote: '"', escape: '"', header: true, columns } });
const node = (id: string, kind: string, config: Record<string, unknown>) => ({ id, kind, version: 1, position: { x: 0, y: 0 }, config });
const edge = (from: string, to: string, port = 'input') => ({ id: `${from}-${to}-${port}`, source: { node: from, port: 'output' }, target: { node: to, port } });

const doc: VisualPipeline = {
  formatVersion: FORMAT_VERSION,
  nodes: [
    source('orders', orders),
    source('customers', customers),
    node('joined', 'join', { kind: 'inner', keys: [{ left: 'customer_id', right: 'customer_id' }] }),
    node('french', 'filter', { combinator: 'and', rules: [{ column: 'country', op: 'eq', value: 'FR' }] }),
    node('pick', 'select-columns', { columns: ['order_id', 'amount'] }),
    node('out', 'file-sink', { format: 'parquet', path: 'out.parquet' }),
  ],
  edges: [edge('orders', 'joined', 'left'), edge('customers', 'joined', 'right'), edge('joined', 'french'), edge('french', 'pick'), edge('pick', 'out')],
};

it('filters the right side of a join in its scan and reads only the needed columns', async () => {
  const plan = compile(doc).plan;
  const stage = plan?.stages.at(-1);
  expect(stage?.nodeIds).toEqual(['joined', 'french', 'pick', 'out']);
  const write = stage?.ops[0];
  if (write?.op !== 'writeFile') throw new Error('expected the sink to write the fused query');
  const sql = renderSelect(write.query, { resolveFile: () => '/unused' });

  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const [ordersTable, customersTable] = plan?.stages.slice(0, 2).map((s) => s.outputTables.output) ?? [];
    await conn.run(`CREATE TABLE "${ordersTable}" AS SELECT i AS order_id, i % 50 AS customer_id, i * 1.5 AS amount, 'c' AS comment FROM range(10000) t(i)`);
    await conn.run(`CREATE TABLE "${customersTable}" AS SELECT i AS customer_id, CASE WHEN i % 2 = 0 THEN 'FR' ELSE 'DE' END AS country, 'n' AS notes FROM range(50) t(i)`);
    const explained = await conn.runAndReadAll(`EXPLAIN ${sql.sql}`, sql.params);
    const text = explained.getRows().map((r) => String(r[1])).join('\n');
    // The country predicate sits in the customers scan (DuckDB prints it under the scan's Filters), not above the join.
    const customersScan = text.slice(text.indexOf(`${customersTable}`));
    expect(customersScan).toMatch(/Filters:[\s\S]*country\s*=\s*'FR'/);
    expect(text).not.toMatch(/FILTER[\s\S]*HASH_JOIN/);
    // Columns nobody reads are not scanned.
    expect(text).not.toContain('comment');
    expect(text).not.toContain('notes');
    const rows = await conn.runAndReadAll(sql.sql, sql.params);
    expect(rows.getRows()).toHaveLength(5000);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
});
