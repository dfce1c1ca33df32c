// Stage fusion: a stage that computes one table, read by one other stage,
// becomes a subquery of that stage instead of a materialised table. Chains of
// transforms thus run as one SQL statement that DuckDB optimises as a whole
// (projection pruning, filter pushdown into scans and joins). Tables stay
// materialised where several stages read them, at sources, at sinks and
// around operations that are not queries (JavaScript, loads). Pure.
//
// A stage whose last op makes its output but which first runs other ops (a
// cast that rejects rows writes them to a table of their own first) merges
// into its reader whole: those ops run first in the merged stage, and the
// output is inlined. A row-wise query (projection and filter over one
// relation, nothing order- or set-dependent) that one stage reads in several
// places is inlined into each: computing trim() twice costs less than
// writing and keeping a table of every row.
import { inlineTables, tableReferences, type Select } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import type { Stage } from './compile';

type QueryOp = Extract<StageOp, { query: Select }>;
const isQueryOp = (op: StageOp): op is QueryOp => 'query' in op;

/** AST node kinds whose result depends on other rows, their order or a user's text: such a query is never computed twice. */
const notRowWise = new Set(['aggregate', 'window', 'checkedSql', 'unnest', 'join', 'unionByName', 'checkedQuery', 'readCsv', 'readJson', 'readParquet']);

/** Whether `query` computes each output row from one input row alone, the same way every time it runs. */
export function isRowWise(query: Select): boolean {
  if (query.groupBy || query.qualify || query.orderBy || query.limit !== undefined || query.offset !== undefined || query.sample) return false;
  if (query.from.t === 'subquery') return isRowWise(query.from.query) && rowWiseExpressions({ ...query, from: { t: 'table', name: '' } });
  return query.from.t === 'table' && rowWiseExpressions(query);
}

function rowWiseExpressions(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(rowWiseExpressions);
  if (value === null || typeof value !== 'object') return true;
  const record = value as Record<string, unknown>;
  if (typeof record.t === 'string' && notRowWise.has(record.t)) return false;
  return Object.values(record).every(rowWiseExpressions);
}

/**
 * `stages` in data-flow order; returns the fused plan's stages, still in
 * data-flow order. A stage `endsFusion` says so is never inlined into another
 * (its failures must name it), though others may still be inlined into it.
 */
export function fuseStages(stages: readonly Stage[], endsFusion: (stage: Stage) => boolean = () => false): Stage[] {
  const producerOf = new Map<string, string>();
  for (const s of stages) for (const table of Object.values(s.outputTables)) producerOf.set(table, s.id);

  // Who reads each produced table, counting every reference; tables that an op
  // other than a query mentions (a JavaScript input, a load) are never inlined.
  const readers = new Map<string, string[]>();
  const pinned = new Set<string>();
  for (const s of stages) {
    for (const op of s.ops) {
      if (isQueryOp(op)) {
        for (const table of tableReferences(op.query)) if (producerOf.has(table)) readers.set(table, [...(readers.get(table) ?? []), s.id]);
      }
      if (!isQueryOp(op) || op.op !== 'materialize') {
        // Ops are plain data; a table name appearing anywhere in one is a reference the rewrite cannot follow.
        const text = JSON.stringify(isQueryOp(op) ? { ...op, query: undefined } : op);
        for (const table of producerOf.keys()) if (producerOf.get(table) !== s.id && text.includes(JSON.stringify(table))) pinned.add(table);
      }
    }
  }

  const byId = new Map(stages.map((s) => [s.id, { ...s, nodeIds: [...s.nodeIds], dependsOn: [...s.dependsOn], ops: [...s.ops] }]));
  const fused = new Set<string>();
  // Readers first: a stage merged into its reader is then itself read from there, so what it reads can follow it.
  for (const original of [...stages].reverse()) {
    const producer = byId.get(original.id);
    const last = producer?.ops.at(-1);
    const tables = producer ? Object.values(producer.outputTables) : [];
    // Sources stay stages of their own: their failures and the rows they read are theirs.
    if (!producer || producer.dependsOn.length === 0 || last?.op !== 'materialize' || last.rejects || tables.length !== 1 || tables[0] !== last.table || endsFusion(original)) continue;
    const table = last.table;
    const before = producer.ops.slice(0, -1);
    const reader = [...new Set(readers.get(table) ?? [])];
    if (pinned.has(table) || reader.length !== 1 || reader[0] === undefined) continue;
    const consumer = byId.get(reader[0]);
    if (!consumer || consumer.id === producer.id) continue;
    // Read in several places: inlined only if computing it again is cheap and gives the same rows; the stage's other ops run once.
    if ((readers.get(table)?.length ?? 0) > 1 && (before.length > 0 || !isRowWise(last.query))) continue;
    consumer.ops = [...before, ...consumer.ops.map((op) => (isQueryOp(op) ? { ...op, query: inlineTables(op.query, (name) => (name === table ? last.query : undefined)) } : op))];
    consumer.nodeIds = [...producer.nodeIds, ...consumer.nodeIds];
    consumer.dependsOn = [...new Set([...producer.dependsOn, ...consumer.dependsOn.filter((id) => id !== producer.id)])];
    // The tables the producer's queries read are now read by the consumer.
    for (const [name, ids] of readers) readers.set(name, ids.map((id) => (id === producer.id ? consumer.id : id)));
    fused.add(producer.id);
  }
  return stages.filter((s) => !fused.has(s.id)).map((s) => byId.get(s.id) as Stage);
}
