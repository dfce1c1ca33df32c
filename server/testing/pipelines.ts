// Builders for pipeline documents used across tests.
import { FORMAT_VERSION, type PipelineEdge, type PipelineNode, type PipelineSettings, type VisualPipeline } from '../pipeline/model';
import type { Column } from '../pipeline/types';

export const ordersColumns: Column[] = [
  { name: 'order_id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'status', type: 'string' },
];

export const ordersCsv = [
  'order_id,customer,amount,status',
  '1,alice,10.5,paid',
  '2,bob,99.0,refunded',
  '3,"carol, jr",150.25,paid',
  '4,dan,5,paid',
  '5,émile,250,pending',
].join('\n');

/** A csv-source node reading `path` (comma-separated, double quotes, a header row) with the declared columns. */
export function csvSourceNode(id: string, path: string, columns: Column[], extra: { onMalformedRow?: 'fail' | 'skip' | 'deadLetter' } = {}): PipelineNode {
  return {
    id,
    kind: 'csv-source',
    version: 1,
    position: { x: 0, y: 0 },
    config: { path, delimiter: ',', quote: '"', escape: '"', header: true, columns, ...(extra.onMalformedRow ? { onMalformedRow: extra.onMalformedRow } : {}) },
  };
}

/** Edges e1, e2, … joining each node's output to the next one's input. */
export function chainEdges(ids: readonly string[]): PipelineEdge[] {
  return ids.slice(1).map((target, i) => ({ id: `e${i + 1}`, source: { node: ids[i] as string, port: 'output' }, target: { node: target, port: 'input' } }));
}

export interface LinearPipelineOptions {
  sourcePath?: string;
  columns?: Column[];
  rules?: { column: string; op: string; value?: string }[];
  keep?: string[];
  sink?: { format: 'csv' | 'parquet'; path: string };
  onMalformedRow?: 'fail' | 'skip' | 'deadLetter';
}

/** csv-source → filter → select-columns → file-sink, the walking skeleton's pipeline. */
export function linearPipeline(o: LinearPipelineOptions = {}): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      csvSourceNode('src', o.sourcePath ?? 'orders.csv', o.columns ?? ordersColumns, o.onMalformedRow ? { onMalformedRow: o.onMalformedRow } : {}),
      {
        id: 'keep_paid',
        kind: 'filter',
        version: 1,
        position: { x: 200, y: 0 },
        config: { combinator: 'and', rules: o.rules ?? [{ column: 'status', op: 'eq', value: 'paid' }, { column: 'amount', op: 'gte', value: '10' }] },
      },
      { id: 'cols', kind: 'select-columns', version: 1, position: { x: 400, y: 0 }, config: { columns: o.keep ?? ['order_id', 'customer', 'amount'] } },
      { id: 'out', kind: 'file-sink', version: 1, position: { x: 600, y: 0 }, config: o.sink ?? { format: 'csv', path: 'out/paid.csv' } },
    ],
    edges: chainEdges(['src', 'keep_paid', 'cols', 'out']),
  };
}

export interface CastPipelineOptions {
  sourcePath: string;
  columns: Column[];
  casts: { column: string; to: Column['type'] }[];
  onError: 'fail' | 'null' | 'reject';
  onMalformedRow?: 'fail' | 'skip' | 'deadLetter';
  sink?: { format: 'csv' | 'parquet'; path: string };
}

/** csv-source → cast-columns → file-sink: the pipeline whose nodes reject rows. */
export function castPipeline(o: CastPipelineOptions): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      csvSourceNode('src', o.sourcePath, o.columns, { onMalformedRow: o.onMalformedRow ?? 'fail' }),
      { id: 'typed', kind: 'cast-columns', version: 1, position: { x: 200, y: 0 }, config: { casts: o.casts, onError: o.onError } },
      { id: 'out', kind: 'file-sink', version: 1, position: { x: 400, y: 0 }, config: o.sink ?? { format: 'csv', path: 'out/typed.csv' } },
    ],
    edges: chainEdges(['src', 'typed', 'out']),
  };
}

/** big.csv for slowPipeline: `rows` orders, all with the same status. */
export const bigCsv = (rows: number): string => ['order_id,customer,amount,status', ...Array.from({ length: rows }, (_, i) => `${i},c,1,paid`)].join('\n');

/** big.csv (see bigCsv) self-joined on a constant key and counted: seconds of DuckDB work, for cancel and timeouts. */
export function slowPipeline(settings: Partial<PipelineSettings> = {}): VisualPipeline {
  const doc = linearPipeline({ sourcePath: 'big.csv' });
  doc.nodes = doc.nodes.filter((n) => n.id === 'src');
  doc.edges = [];
  doc.nodes.push(
    { id: 'self', kind: 'join', version: 1, position: { x: 0, y: 0 }, config: { kind: 'inner', keys: [{ left: 'status', right: 'status' }] } },
    { id: 'count', kind: 'aggregate', version: 1, position: { x: 0, y: 0 }, config: { groupBy: [], aggregates: [{ function: 'count', column: '', as: 'n' }] } },
    { id: 'out', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/count.csv' } },
  );
  doc.edges.push(
    { id: 'j1', source: { node: 'src', port: 'output' }, target: { node: 'self', port: 'left' } },
    { id: 'j2', source: { node: 'src', port: 'output' }, target: { node: 'self', port: 'right' } },
    { id: 'j3', source: { node: 'self', port: 'output' }, target: { node: 'count', port: 'input' } },
    { id: 'j4', source: { node: 'count', port: 'output' }, target: { node: 'out', port: 'input' } },
  );
  return { ...doc, settings };
}
