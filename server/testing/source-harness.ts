// Runs one source node kind over files in a fresh workspace through the real
// path (compile, analyse, execute on DuckDB): source → Parquet file-sink, and
// reads the Parquet file back, so '' and NULL stay apart.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { analyzePipeline } from '../engine/analyze';
import { executePlan } from '../engine/execute';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import { quoteString } from '../sql/ast';

export interface SourceUnderTest {
  kind: string;
  config: Record<string, unknown>;
  /** Workspace-relative path → content, written before the run. */
  files?: Record<string, string | Uint8Array>;
  /** Server folders a source may read as alias:path. */
  readDirectories?: Record<string, string>;
  /** Runs inside the workspace before the pipeline (e.g. to write files with DuckDB). */
  prepare?: (workspaceRoot: string) => Promise<void>;
}

export interface SourceRunResult {
  rows: Record<string, unknown>[];
  columns: string[];
  types: string[];
}

export function sourceDocument(kind: string, config: Record<string, unknown>): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      { id: 'source', kind, version: 1, position: { x: 0, y: 0 }, config },
      { id: 'sink', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'parquet', path: 'out/result.parquet' } },
    ],
    edges: [{ id: 'e', source: { node: 'source', port: 'output' }, target: { node: 'sink', port: 'input' } }],
  };
}

export async function runSource(t: SourceUnderTest): Promise<SourceRunResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'sluice-source-'));
  try {
    for (const [relative, content] of Object.entries(t.files ?? {})) {
      await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
      await writeFile(path.join(root, relative), content);
    }
    await t.prepare?.(root);
    const compiled = await analyzePipeline(sourceDocument(t.kind, t.config), { tempDir: path.join(root, '.analyze') });
    if (!compiled.plan) throw new Error(`Does not compile: ${JSON.stringify(compiled.diagnostics, null, 2)}`);
    await executePlan(compiled.plan, { workspaceRoot: root, tempDir: path.join(root, '.tmp'), ...(t.readDirectories ? { readDirectories: t.readDirectories } : {}) });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(path.join(root, 'out/result.parquet'))})`);
      return { rows: reader.getRowObjectsJson(), columns: reader.columnNames(), types: reader.columnTypes().map((c) => c.toString()) };
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
