// Preview: the first rows and per-column statistics of one node's output,
// computed by running only the sub-graph upstream of it, on a sample of every
// source, on DuckDB. Destinations never run: the sub-graph keeps only the
// node's ancestors (destinations have no outputs, so none can be one) and a
// synthetic Parquet file-sink that writes into the preview's own scratch
// folder, never into the workspace. Results are cached by what determines
// them: the sub-graph's nodes and edges, and its input files' identity.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Json } from '@duckdb/node-api';
import type { ExecutionPlan } from '../compiler/compile';
import type { Diagnostic } from '../compiler/diagnostics';
import type { ConnectionResolver } from '../connectors/connection';
import { analyzeDraft } from '../runs/apply-parameters';
import { openDuckSession } from '../engine/duckdb';
import { executePlan } from '../engine/execute';
import { resolveSourceFile } from '../engine/files';
import { AppError } from '../errors';
import { canonicalJson } from '../pipeline/content-hash';
import type { PipelineEdge, PipelineNode, VisualPipeline } from '../pipeline/model';
import { getNodeDefinition } from '../pipeline/registry';
import type { Column } from '../pipeline/types';
import { quoteIdent, quoteString } from '../sql/ast';
import { filesRead } from '../sql/ops';

export const DEFAULT_PREVIEW_ROWS = 100;
export const MAX_PREVIEW_ROWS = 1000;
/** Rows each source hands on in a preview; statistics describe this sample. */
export const DEFAULT_SAMPLE_ROWS = 100_000;
/** Database and HTTP sources change without a file to stat; their previews are kept this long. */
const NON_FILE_SOURCE_TTL_MS = 60_000;

const SINK_ID = '__preview_sink';
const SINK_FILE = 'preview.parquet';

export interface ColumnStats {
  name: string;
  type: Column['type'];
  nulls: number;
  distinct: number;
  /** As text, so every type travels the same way; null when the column has no values. */
  min: string | null;
  max: string | null;
}

export interface PreviewData {
  nodeId: string;
  port: string;
  columns: Column[];
  /** The first rows (at most MAX_PREVIEW_ROWS are kept; a request gets its own limit). */
  rows: Record<string, Json>[];
  /** Rows of the node's output over the sample. */
  totalRows: number;
  stats: ColumnStats[];
  /** Some source had more rows than the sample took. */
  sampled: boolean;
  sampleRows: number;
}

export type PreviewResult = ({ ok: true; cached: boolean; diagnostics: Diagnostic[] } & PreviewData) | { ok: false; diagnostics: Diagnostic[] };

export interface PreviewRequest {
  document: VisualPipeline;
  nodeId: string;
  port?: string;
  limit?: number;
}

export interface PreviewOptions {
  /** The caller's workspace files folder: sources read here; nothing is written here. */
  workspaceRoot: string;
  readDirectories?: Readonly<Record<string, string>>;
  connections?: ConnectionResolver;
  /** Where preview scratch folders are made (default: the OS temp folder). */
  scratchDir?: string;
  sampleRows?: number;
  cache?: PreviewCache;
  /** The engine; tests wrap it to count executions. */
  execute?: typeof executePlan;
  signal?: AbortSignal;
  now?: () => number;
}

// ── Cache ────────────────────────────────────────────────────────────────────

interface CacheEntry {
  data: PreviewData;
  bytes: number;
  expiresAt: number | null;
}

/** Least recently used first out, bounded by entry count and by total (estimated) bytes. */
export class PreviewCache {
  private readonly entries = new Map<string, CacheEntry>();
  private totalBytes = 0;

  constructor(readonly limits: { maxEntries: number; maxBytes: number } = { maxEntries: 64, maxBytes: 64 * 2 ** 20 }) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string, now = Date.now()): PreviewData | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.totalBytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.data;
  }

  set(key: string, data: PreviewData, options: { bytes?: number; expiresAt?: number | null } = {}): void {
    const bytes = options.bytes ?? estimateBytes(data);
    this.delete(key);
    // Bigger than the whole cache: not kept at all, rather than emptying it.
    if (bytes > this.limits.maxBytes) return;
    this.entries.set(key, { data, bytes, expiresAt: options.expiresAt ?? null });
    this.totalBytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.totalBytes <= this.limits.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}

/** JavaScript strings are UTF-16: two bytes a character of the JSON form. */
const estimateBytes = (data: PreviewData): number => JSON.stringify(data).length * 2;

/** The process's previews, shared by every request. */
export const previewCache = new PreviewCache();

// ── Sub-graph ────────────────────────────────────────────────────────────────

export interface PreviewGraph {
  /** The previewed node and its ancestors, destinations removed, in document order. */
  nodes: PipelineNode[];
  edges: PipelineEdge[];
  nodeId: string;
  port: string;
}

/** The part of the document that determines a node's output on `port` (default: its first output; a destination's: its input). */
export function upstreamGraph(document: VisualPipeline, nodeId: string, port?: string): PreviewGraph {
  const node = document.nodes.find((n) => n.id === nodeId);
  if (!node) throw new AppError('NOT_FOUND', `There is no node "${nodeId}" in this pipeline`, { nodeId });
  const def = getNodeDefinition(node.kind);
  if (def?.category === 'destination') {
    // A destination's preview is what flows into it.
    const edge = document.edges.find((e) => e.target.node === nodeId);
    if (!edge) throw new AppError('PIPELINE_INVALID', `Connect an input to ${node.label ?? def.label} to preview it`, { nodeId });
    return upstreamGraph(document, edge.source.node, edge.source.port);
  }
  const outputs = def?.ports.outputs.map((p) => p.name) ?? [];
  const chosen = port ?? outputs[0];
  if (chosen === undefined || (def && !outputs.includes(chosen))) {
    throw new AppError('PIPELINE_INVALID', `${node.label ?? def?.label ?? node.kind} has no output "${port ?? ''}" to preview (it has: ${outputs.join(', ') || 'none'})`, { nodeId });
  }
  const keep = new Set<string>([nodeId]);
  const queue = [nodeId];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const e of document.edges) {
      if (e.target.node === id && !keep.has(e.source.node)) {
        keep.add(e.source.node);
        queue.push(e.source.node);
      }
    }
  }
  const isDestination = (n: PipelineNode) => getNodeDefinition(n.kind)?.category === 'destination';
  const nodes = document.nodes.filter((n) => keep.has(n.id) && !isDestination(n));
  const kept = new Set(nodes.map((n) => n.id));
  const edges = document.edges.filter((e) => kept.has(e.source.node) && kept.has(e.target.node));
  return { nodes, edges, nodeId, port: chosen };
}

/** What the preview's result depends on in the graph; the layout, labels and downstream nodes do not count. */
export function subgraphKey(graph: PreviewGraph, sampleRows: number): string {
  return canonicalJson({
    target: { node: graph.nodeId, port: graph.port },
    sampleRows,
    nodes: graph.nodes.map((n) => ({ id: n.id, kind: n.kind, version: n.version, config: n.config })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    edges: graph.edges.map((e) => [e.source.node, e.source.port, e.target.node, e.target.port]).sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1)),
  });
}

/**
 * The document a preview compiles: the sub-graph, a limit after every source
 * output (the sample), and a Parquet file-sink on the previewed port.
 */
export function previewDocument(document: VisualPipeline, graph: PreviewGraph, sampleRows: number): VisualPipeline {
  const taken = new Set(graph.nodes.map((n) => n.id));
  let counter = 0;
  const freshId = (prefix: string) => {
    let id = `${prefix}${counter++}`;
    while (taken.has(id)) id = `${prefix}${counter++}`;
    taken.add(id);
    return id;
  };
  const nodes: PipelineNode[] = [...graph.nodes];
  const edges: PipelineEdge[] = [];
  const sampled = new Map<string, string>(); // "node\0port" of a source output → its sample node
  const position = { x: 0, y: 0 };
  const from = (ref: { node: string; port: string }) => {
    const node = graph.nodes.find((n) => n.id === ref.node);
    if (getNodeDefinition(node?.kind ?? '')?.category !== 'source') return ref;
    const key = `${ref.node}\0${ref.port}`;
    let sample = sampled.get(key);
    if (!sample) {
      sample = freshId('__preview_sample_');
      sampled.set(key, sample);
      nodes.push({ id: sample, kind: 'limit', version: 1, position, config: { rows: sampleRows, offset: 0 } });
      edges.push({ id: `${sample}_in`, source: ref, target: { node: sample, port: 'input' } });
    }
    return { node: sample, port: 'output' };
  };
  for (const e of graph.edges) edges.push({ ...e, source: from(e.source) });
  nodes.push({ id: SINK_ID, kind: 'file-sink', version: 1, position, config: { format: 'parquet', path: SINK_FILE, compression: 'none', partitionBy: [] } });
  edges.push({ id: `${SINK_ID}_in`, source: from({ node: graph.nodeId, port: graph.port }), target: { node: SINK_ID, port: 'input' } });
  return { ...document, nodes, edges };
}

const synthetic = (nodeId: string | undefined) => nodeId !== undefined && nodeId.startsWith('__preview_');

/** Diagnostics of the user's nodes; an output a downstream node reads is not unused just because the preview cut it off. */
function userDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => !synthetic(d.nodeId) && d.code !== 'OUTPUT_UNUSED' && d.code !== 'NO_DESTINATION');
}

function inputFiles(plan: ExecutionPlan): string[] {
  const files = plan.stages.flatMap((stage) => stage.ops.flatMap(filesRead));
  return [...new Set(files.map((f) => f.workspacePath))].sort();
}

const FILE_READS = new Set(['readCsv', 'readJson', 'readParquet']);

/**
 * The plan with the sample pushed into every source's file read: the table a
 * CSV, JSON or Parquet source materialises holds at most its first
 * `sampleRows + 1` rows (`SELECT * FROM read_csv(…) LIMIT n`), so DuckDB stops
 * reading the file once it has them instead of loading all of it and cutting
 * the sample afterwards. The one extra row tells that the file had more; the
 * sample's own limit node after the source still cuts exactly `sampleRows`, so
 * the preview's rows do not change. Only the preview's copy of the plan
 * changes, never what a run executes. Returns the stages whose reads were limited.
 */
export function pushSampleIntoSourceReads(plan: ExecutionPlan, sampleRows: number): { plan: ExecutionPlan; sampledStages: Set<string> } {
  const sampledStages = new Set<string>();
  const stages = plan.stages.map((stage) => {
    if (stage.dependsOn.length > 0) return stage;
    const ops = stage.ops.map((op) => {
      if (op.op !== 'materialize' || op.rejects || !FILE_READS.has(op.query.from.t)) return op;
      return { ...op, query: { ...op.query, limit: Math.min(op.query.limit ?? Infinity, sampleRows + 1) } };
    });
    if (ops.every((op, i) => op === stage.ops[i])) return stage;
    sampledStages.add(stage.id);
    return { ...stage, ops };
  });
  return { plan: { ...plan, stages }, sampledStages };
}

const readsWithoutFiles = (plan: ExecutionPlan) => plan.stages.some((s) => s.ops.some((op) => op.op === 'extract' || op.op === 'fetchHttp'));

// ── Preview ──────────────────────────────────────────────────────────────────

export async function previewNode(request: PreviewRequest, options: PreviewOptions): Promise<PreviewResult> {
  const limit = Math.min(Math.max(1, Math.floor(request.limit ?? DEFAULT_PREVIEW_ROWS)), MAX_PREVIEW_ROWS);
  const sampleRows = options.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const cache = options.cache ?? previewCache;
  const now = options.now ?? Date.now;
  const graph = upstreamGraph(request.document, request.nodeId, request.port);

  const compiled = await analyzeDraft(previewDocument(request.document, graph, sampleRows));
  const diagnostics = userDiagnostics(compiled.diagnostics);
  if (!compiled.plan) return { ok: false, diagnostics };
  const plan = compiled.plan;

  // Input files by where they really are, with size and modification time: a changed file is a new preview.
  const files = [];
  for (const file of inputFiles(plan)) {
    const real = await resolveSourceFile(options, file);
    const info = await stat(real);
    files.push({ path: real, size: info.size, mtimeMs: info.mtimeMs });
  }
  const key = createHash('sha256')
    .update(canonicalJson({ workspace: path.resolve(options.workspaceRoot), graph: subgraphKey(graph, sampleRows), files }))
    .digest('hex');

  const shape = (data: PreviewData, cached: boolean): PreviewResult => ({ ok: true, cached, diagnostics, ...data, rows: data.rows.slice(0, limit) });
  const hit = cache.get(key, now());
  if (hit) return shape(hit, true);

  const columns = compiled.schemas[graph.nodeId]?.[graph.port] ?? [];
  const data = await runPreview(pushSampleIntoSourceReads(plan, sampleRows), graph, columns, sampleRows, options);
  cache.set(key, data, { expiresAt: readsWithoutFiles(plan) ? now() + NON_FILE_SOURCE_TTL_MS : null });
  return shape(data, false);
}

async function runPreview(
  { plan, sampledStages }: { plan: ExecutionPlan; sampledStages: Set<string> },
  graph: PreviewGraph,
  columns: Column[],
  sampleRows: number,
  options: PreviewOptions,
): Promise<PreviewData> {
  const scratch = await mkdtemp(path.join(options.scratchDir ?? tmpdir(), 'sluice-preview-'));
  try {
    const outputRoot = path.join(scratch, 'out');
    const execute = options.execute ?? executePlan;
    // A source read or a sample that handed on the whole sample had more rows to give.
    const sample = { full: false };
    await execute(plan, {
      onStage: (event) => {
        if (event.status !== 'succeeded') return;
        const rows = event.rowsOut ?? 0;
        if ((sampledStages.has(event.stageId) && rows > sampleRows) || (rows >= sampleRows && event.nodeIds.some((id) => id.startsWith('__preview_sample_')))) sample.full = true;
      },
      workspaceRoot: options.workspaceRoot,
      outputRoot,
      tempDir: path.join(scratch, 'run'),
      ...(options.readDirectories ? { readDirectories: options.readDirectories } : {}),
      ...(options.connections ? { connections: options.connections } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      // A preview is interactive: fail at once rather than retry.
      policy: { retries: 0, onBranchFailure: 'stopAll' },
    });
    const data = await summarize(path.join(outputRoot, SINK_FILE), graph, columns, path.join(scratch, 'read'));
    return { ...data, sampled: sample.full || data.totalRows >= sampleRows, sampleRows };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** First rows and per-column statistics of the preview's Parquet file, read back in a session that may read only that file. */
async function summarize(file: string, graph: PreviewGraph, columns: Column[], tempDir: string): Promise<Omit<PreviewData, 'sampled' | 'sampleRows'>> {
  const session = await openDuckSession(tempDir, { threads: 1, allowedFiles: [file] });
  try {
    const conn = session.connection;
    const source = `read_parquet(${quoteString(file)})`;
    const integers = new Set(columns.filter((c) => c.type === 'integer').map((c) => c.name));
    // DuckDB's JSON form gives 64-bit integers as text; keep them numbers where that is exact.
    const rows = (await conn.runAndReadAll(`SELECT * FROM ${source} LIMIT ${MAX_PREVIEW_ROWS}`)).getRowObjectsJson().map((row) => {
      for (const name of integers) {
        const v = row[name];
        if (typeof v === 'string' && Number.isSafeInteger(Number(v))) row[name] = Number(v);
      }
      return row;
    });
    const aggregates = ['count(*)'];
    for (const c of columns) {
      const col = quoteIdent(c.name);
      aggregates.push(`count(*) - count(${col})`, `count(DISTINCT ${col})`, `CAST(min(${col}) AS VARCHAR)`, `CAST(max(${col}) AS VARCHAR)`);
    }
    const values = (await conn.runAndReadAll(`SELECT ${aggregates.join(', ')} FROM ${source}`)).getRows()[0] ?? [];
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const stats = columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      nulls: Number(values[1 + i * 4] ?? 0),
      distinct: Number(values[2 + i * 4] ?? 0),
      min: text(values[3 + i * 4]),
      max: text(values[4 + i * 4]),
    }));
    const totalRows = Number(values[0] ?? 0);
    return { nodeId: graph.nodeId, port: graph.port, columns, rows, totalRows, stats };
  } finally {
    session.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}
