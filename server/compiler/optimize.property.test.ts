// The optimised plan (fused stages, pruned columns) must give exactly the rows
// of the plain one-stage-per-node plan, and reject the same rows. Random DAGs —
// fan-outs, unions, aggregates, cleaning steps, rejecting casts, chains of
// filters and projections — run both ways on DuckDB.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { executePlan } from '../engine/execute';
import { FORMAT_VERSION, type PipelineEdge, type PipelineNode, type VisualPipeline } from '../pipeline/model';
import type { Column, ColumnType } from '../pipeline/types';
import { quoteString } from '../sql/ast';
import { compile } from './compile';

const sourceColumns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'day', type: 'date' },
  { name: 'ok', type: 'boolean' },
];
const names = ['ana', 'Bo', 'çé', '东京', 'ana', '', 'zed'];
const csv = [
  'id,name,amount,day,ok',
  ...Array.from({ length: 40 }, (_, i) =>
    [i % 7 === 3 ? '' : String(i % 13), names[i % names.length], i % 5 === 0 ? '' : ((i * 37) % 101) / 4, i % 6 === 1 ? '' : `2024-0${(i % 9) + 1}-1${i % 10}`, ['true', 'false', ''][i % 3]].join(','),
  ),
].join('\n');

const compareValue: Record<ColumnType, string> = { string: 'Bo', integer: '5', float: '12.5', boolean: 'true', date: '2024-05-12', timestamp: '2024-05-12 00:00:00' };
const ops: Record<ColumnType, string[]> = {
  string: ['eq', 'neq', 'contains', 'starts_with', 'is_null', 'gt'],
  integer: ['eq', 'lt', 'gte', 'is_not_null', 'neq'],
  float: ['lt', 'gt', 'is_null', 'lte'],
  boolean: ['eq', 'is_null', 'neq'],
  date: ['lt', 'gte', 'is_not_null'],
  timestamp: ['lt', 'is_null'],
};

type Step = { kind: number; input: number; a: number; b: number; c: number };
const stepArb: fc.Arbitrary<Step> = fc.record({ kind: fc.nat(), input: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() });

const pick = <T,>(items: readonly T[], n: number): T => items[n % items.length] as T;

/** A node config for `kind` over `columns`, or undefined when the input does not suit the kind. */
function configFor(kind: string, columns: Column[], s: Step): Record<string, unknown> | undefined {
  const a = pick(columns, s.a);
  const b = pick(columns, s.b);
  switch (kind) {
    case 'filter': {
      const rule = (c: Column, n: number) => ({ column: c.name, op: pick(ops[c.type], n), value: compareValue[c.type] });
      return { combinator: s.c % 2 ? 'and' : 'or', rules: [rule(a, s.c), ...(s.c % 3 ? [rule(b, s.c >> 2)] : [])] };
    }
    case 'select-columns':
      return { columns: [...new Set([a.name, b.name])] };
    case 'drop-columns':
      return columns.length > 1 ? { columns: [a.name] } : undefined;
    case 'rename-columns':
      return { renames: [{ from: a.name, to: `${a.name}_${s.c % 10}` }] };
    case 'sort':
      return { keys: [{ column: a.name, descending: s.c % 2 === 0, nullsFirst: s.c % 3 === 0 }] };
    case 'deduplicate':
      // Keyed on every column, so which duplicate survives cannot differ between plans.
      return { keys: columns.map((c) => c.name), keep: 'first', orderBy: '' };
    case 'aggregate': {
      const numeric = columns.find((c) => c.type === 'integer');
      return {
        groupBy: [a.name],
        aggregates: [
          { function: 'count', column: '', as: 'n' },
          { function: 'max', column: b.name, as: 'top' },
          ...(numeric && numeric.name !== a.name ? [{ function: 'sum', column: numeric.name, as: 'total' }] : []),
        ],
      };
    }
    case 'cast-columns': {
      // Half the time a text column to integers, rejecting what does not convert (a check that numbers the rows it reads).
      const text = columns.find((c) => c.type === 'string');
      if (text && s.c % 2 === 1) return { casts: [{ column: text.name, to: 'integer' }], onError: 'reject' };
      return { casts: [{ column: a.name, to: 'string' }], onError: 'null' };
    }
    case 'clean-text': {
      const text = columns.find((c) => c.type === 'string');
      return text ? { steps: [{ column: text.name, operation: 'trim' }, { column: text.name, operation: s.c % 2 ? 'lower' : 'upper' }] } : undefined;
    }
    default:
      return undefined;
  }
}

// Weighted towards the kinds that narrow, so pruning has something to do.
const kinds = ['filter', 'filter', 'select-columns', 'select-columns', 'drop-columns', 'drop-columns', 'rename-columns', 'sort', 'deduplicate', 'aggregate', 'aggregate', 'cast-columns', 'union', 'clean-text', 'cast-columns'];

/** Grows a valid DAG from the steps, asking the compiler for each new node's schema. */
function buildPipeline(steps: Step[], sinkOnSource: boolean): { doc: VisualPipeline; sinks: string[] } {
  const nodes: PipelineNode[] = [
    { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: 'in.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns: sourceColumns } },
  ];
  const edges: PipelineEdge[] = [];
  const schemas = new Map<string, Column[]>([['src', sourceColumns]]);
  steps.forEach((s, i) => {
    const id = `n${i}`;
    const kind = pick(kinds, s.kind);
    const ids = [...schemas.keys()];
    // Mostly one of the last few nodes: long chains, and fan-outs from transforms (where pruning happens).
    const first = s.input % 5 === 0 ? pick(ids, s.input) : (ids[Math.max(0, ids.length - 1 - (s.input % 3))] ?? 'src');
    const inputs: [string, string][] = kind === 'union' ? [['first', first], ['second', pick(ids, s.a)]] : [['input', first]];
    const config = kind === 'union' ? {} : configFor(kind, schemas.get(first) ?? [], s);
    if (!config) return;
    const candidate = {
      nodes: [...nodes, { id, kind, version: 1, position: { x: 0, y: 0 }, config }],
      edges: [...edges, ...inputs.map(([port, from]) => ({ id: `${id}_${port}`, source: { node: from, port: 'output' }, target: { node: id, port } }))],
    };
    const result = compile({ formatVersion: FORMAT_VERSION, ...candidate });
    const output = result.schemas[id]?.output;
    if (!output || result.diagnostics.some((d) => d.severity === 'error' && d.nodeId === id)) return;
    nodes.splice(0, nodes.length, ...candidate.nodes);
    edges.splice(0, edges.length, ...candidate.edges);
    schemas.set(id, output);
  });
  // A sink on every output nobody reads; sometimes one on the source too (fan-out, but nothing to prune there).
  const consumed = new Set(edges.map((e) => e.source.node));
  const sinks = [...schemas.keys()].filter((id) => !consumed.has(id) || (id === 'src' && sinkOnSource));
  sinks.forEach((id, i) => {
    // Every other sink writes only the first column, so that what feeds it can be pruned.
    let from = id;
    const first = schemas.get(id)?.[0];
    if (i % 2 === 1 && first) {
      from = `narrow_${id}`;
      nodes.push({ id: from, kind: 'select-columns', version: 1, position: { x: 0, y: 0 }, config: { columns: [first.name] } });
      edges.push({ id: `to_${from}`, source: { node: id, port: 'output' }, target: { node: from, port: 'input' } });
    }
    nodes.push({ id: `sink_${id}`, kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'parquet', path: `out/${id}.parquet` } });
    edges.push({ id: `to_sink_${id}`, source: { node: from, port: 'output' }, target: { node: `sink_${id}`, port: 'input' } });
  });
  return { doc: { formatVersion: FORMAT_VERSION, nodes, edges }, sinks };
}

let root: string;
let reader: DuckDBInstance;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-optimize-'));
  reader = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  reader.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function runAll(doc: VisualPipeline, optimize: boolean, sinks: string[], dir: string): Promise<Record<string, string[]>> {
  const plan = compile(doc, { optimize }).plan;
  if (!plan) throw new Error('no plan');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'in.csv'), csv);
  const rejected: string[] = [];
  await executePlan(plan, {
    workspaceRoot: dir,
    tempDir: `${dir}-tmp`,
    onRejects: (batch) => void rejected.push(...batch.rows.map((r) => JSON.stringify([batch.nodeId, r.row]))),
  });
  const conn = await reader.connect();
  try {
    // The rows each check rejected; their numbers depend on the order rows reach the check, which only a sort defines.
    const out: Record<string, string[]> = { rejected: rejected.sort() };
    for (const id of sinks) {
      const result = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(path.join(dir, 'out', `${id}.parquet`))})`);
      // Row order is only defined where a sort says so; compare as multisets, columns in order.
      out[id] = [JSON.stringify(result.columnNames()), ...result.getRowsJson().map((r) => JSON.stringify(r)).sort()];
    }
    return out;
  } finally {
    conn.closeSync();
  }
}

it('fused and pruned plans give the same rows as one stage per node', async () => {
  let runs = 0;
  let fusedStages = 0;
  let plainStages = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), fc.boolean(), async (steps, sinkOnSource) => {
      const { doc, sinks } = buildPipeline(steps, sinkOnSource);
      const dir = path.join(root, String(runs++));
      fusedStages += compile(doc).plan?.stages.length ?? 0;
      plainStages += compile(doc, { optimize: false }).plan?.stages.length ?? 0;
      const plain = await runAll(doc, false, sinks, path.join(dir, 'plain'));
      const optimised = await runAll(doc, true, sinks, path.join(dir, 'optimised'));
      expect(optimised).toEqual(plain);
    }),
    { numRuns: 40 },
  );
  // The property is only interesting if fusion actually happened.
  expect(fusedStages).toBeLessThan(plainStages * 0.8);
});

it('prunes a fan-out table to the columns its readers use, with the same rows as the plain plan', async () => {
  // src → filter → { select(id), aggregate(name: max amount) }: the filter's table, read twice, needs id, name and amount only.
  const node = (id: string, kind: string, config: Record<string, unknown>): PipelineNode => ({ id, kind, version: 1, position: { x: 0, y: 0 }, config });
  const edge = (from: string, to: string): PipelineEdge => ({ id: `${from}-${to}`, source: { node: from, port: 'output' }, target: { node: to, port: 'input' } });
  const doc: VisualPipeline = {
    formatVersion: FORMAT_VERSION,
    nodes: [
      node('src', 'csv-source', { path: 'in.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns: sourceColumns }),
      node('f', 'filter', { combinator: 'and', rules: [{ column: 'ok', op: 'is_not_null', value: '' }] }),
      node('ids', 'select-columns', { columns: ['id'] }),
      node('top', 'aggregate', { groupBy: ['name'], aggregates: [{ function: 'max', column: 'amount', as: 'top' }] }),
      node('sink_ids', 'file-sink', { format: 'parquet', path: 'out/ids.parquet' }),
      node('sink_top', 'file-sink', { format: 'parquet', path: 'out/top.parquet' }),
    ],
    edges: [edge('src', 'f'), edge('f', 'ids'), edge('f', 'top'), edge('ids', 'sink_ids'), edge('top', 'sink_top')],
  };
  const plan = compile(doc).plan;
  const filterStage = plan?.stages.find((s) => s.id === 'f');
  const op = filterStage?.ops[0];
  if (op?.op !== 'materialize') throw new Error('expected the filter to materialise its shared table');
  expect(op.query.items === '*' ? '*' : op.query.items.map((i) => (i.expr.t === 'column' ? i.expr.name : '?'))).toEqual(['id', 'name', 'amount']);
  const dir = path.join(root, 'fan-out');
  expect(await runAll(doc, true, ['ids', 'top'], path.join(dir, 'optimised'))).toEqual(await runAll(doc, false, ['ids', 'top'], path.join(dir, 'plain')));
});
