// Runs one node kind over given input rows through the real path: inputs are
// written as CSV by DuckDB, read by csv-source nodes, the node's plan runs on
// DuckDB, and a Parquet file-sink's output is read back. Note: CSV collapses
// empty strings into NULL, so test data should not rely on ''.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CompileResult } from '../compiler/compile';
import { analyzePipeline } from '../engine/analyze';
import { executePlan, type RejectBatch } from '../engine/execute';
import { FORMAT_VERSION, type PipelineEdge, type PipelineNode, type VisualPipeline } from '../pipeline/model';
import { duckDbTypeOf, type Column } from '../pipeline/types';
import { quoteIdent, quoteString } from '../sql/ast';

export type Row = Record<string, unknown>;

export interface TestInput {
  columns: Column[];
  rows: Row[];
}

export interface NodeUnderTest {
  kind: string;
  version?: number;
  config: Record<string, unknown>;
  /** Input port → data. */
  inputs: Record<string, TestInput>;
  /** Output port to read; default 'output'. */
  output?: string;
}

/** The pipeline document the harness runs (also useful for compile-only tests). */
export function harnessDocument(t: NodeUnderTest, csvPathOf: (port: string) => string = (p) => `in_${p}.csv`): VisualPipeline {
  const nodes: PipelineNode[] = [];
  const edges: PipelineEdge[] = [];
  for (const [port, input] of Object.entries(t.inputs)) {
    nodes.push({
      id: `src_${port}`,
      kind: 'csv-source',
      version: 1,
      position: { x: 0, y: 0 },
      config: { path: csvPathOf(port), delimiter: ',', quote: '"', escape: '"', header: true, columns: input.columns },
    });
    edges.push({ id: `e_${port}`, source: { node: `src_${port}`, port: 'output' }, target: { node: 'under_test', port } });
  }
  nodes.push({ id: 'under_test', kind: t.kind, version: t.version ?? 1, position: { x: 0, y: 0 }, config: t.config });
  nodes.push({ id: 'sink', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'parquet', path: 'out/result.parquet' } });
  edges.push({ id: 'e_out', source: { node: 'under_test', port: t.output ?? 'output' }, target: { node: 'sink', port: 'input' } });
  return { formatVersion: FORMAT_VERSION, nodes, edges };
}

export interface NodeRunResult {
  compiled: CompileResult;
  rows: Row[];
  columns: string[];
  /** Batches of rejected rows handed to the dead-letter store, in order. */
  rejects: RejectBatch[];
  /** Run log lines the stages wrote. */
  logs: { nodeId: string; level: string; message: string }[];
}

/** Compiles and runs; throws with the diagnostics when the pipeline does not compile. */
export async function runNode(t: NodeUnderTest): Promise<NodeRunResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'sluice-node-'));
  try {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const [port, input] of Object.entries(t.inputs)) await writeCsv(conn, path.join(root, `in_${port}.csv`), input);
      const compiled = await analyzePipeline(harnessDocument(t), { tempDir: path.join(root, '.analyze') });
      if (!compiled.plan) throw new Error(`Does not compile: ${JSON.stringify(compiled.diagnostics, null, 2)}`);
      const rejects: RejectBatch[] = [];
      const logs: NodeRunResult['logs'] = [];
      await executePlan(compiled.plan, {
        workspaceRoot: root,
        tempDir: path.join(root, '.tmp'),
        onRejects: (batch) => void rejects.push(batch),
        onLog: (line) => void logs.push(line),
      });
      const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(path.join(root, 'out/result.parquet'))})`);
      return { compiled, rows: reader.getRowObjectsJson(), columns: reader.columnNames(), rejects, logs };
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeCsv(conn: Awaited<ReturnType<DuckDBInstance['connect']>>, file: string, input: TestInput): Promise<void> {
  const columnList = input.columns.map((c) => quoteIdent(c.name)).join(', ');
  const typed = input.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${duckDbTypeOf[c.type]}) AS ${quoteIdent(c.name)}`).join(', ');
  if (input.rows.length === 0) {
    // Header only.
    const empty = input.columns.map((c) => `CAST(NULL AS ${duckDbTypeOf[c.type]}) AS ${quoteIdent(c.name)}`).join(', ');
    await conn.run(`COPY (SELECT ${empty} LIMIT 0) TO ${quoteString(file)} (FORMAT csv, HEADER true)`);
    return;
  }
  const values = input.rows
    .map((row) => `(${input.columns.map((c) => sqlLiteral(row[c.name])).join(', ')})`)
    .join(', ');
  await conn.run(`COPY (SELECT ${typed} FROM (VALUES ${values}) AS v(${columnList})) TO ${quoteString(file)} (FORMAT csv, HEADER true)`);
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return quoteString(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Values in one comparable form: numbers (and numeric strings from BIGINT
 * columns) to numbers rounded to 9 significant digits, dates to ISO text,
 * everything else to strings; null stays null.
 */
export function normalizeValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(Number(value).toPrecision(9));
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return Number(Number(s).toPrecision(9));
  return s;
}

export function normalizeRows(rows: Row[], options: { sort?: boolean } = {}): Record<string, string | number | boolean | null>[] {
  const normalized = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalizeValue(v)])));
  if (!options.sort) return normalized;
  return normalized.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}
