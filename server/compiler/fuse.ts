// Stage fusion: a stage that only computes one table, read once by one other
// stage, becomes a subquery of that stage instead of a materialised table.
// Chains of transforms thus run as one SQL statement that DuckDB optimises as
// a whole (projection pruning, filter pushdown into scans and joins). Tables
// stay materialised where several consumers read them, at sources, at sinks
// and around operations that are not queries (JavaScript, loads). Pure.
import { inlineTables, tableReferences, type Select } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import type { Stage } from './compile';

type QueryOp = Extract<StageOp, { query: Select }>;
const isQueryOp = (op: StageOp): op is QueryOp => 'query' in op;

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
  for (const original of stages) {
    const producer = byId.get(original.id);
    const only = producer?.ops.length === 1 ? producer.ops[0] : undefined;
    const tables = producer ? Object.values(producer.outputTables) : [];
    // Sources stay stages of their own: their failures and the rows they read are theirs.
    if (!producer || producer.dependsOn.length === 0 || only?.op !== 'materialize' || tables.length !== 1 || tables[0] !== only.table || endsFusion(original)) continue;
    const table = only.table;
    const reader = readers.get(table);
    if (pinned.has(table) || reader?.length !== 1 || reader[0] === undefined) continue;
    const consumer = byId.get(reader[0]);
    if (!consumer || consumer.id === producer.id) continue;
    consumer.ops = consumer.ops.map((op) => (isQueryOp(op) ? { ...op, query: inlineTables(op.query, (name) => (name === table ? only.query : undefined)) } : op));
    consumer.nodeIds = [...producer.nodeIds, ...consumer.nodeIds];
    consumer.dependsOn = [...new Set([...producer.dependsOn, ...consumer.dependsOn.filter((id) => id !== producer.id)])];
    fused.add(producer.id);
  }
  return stages.filter((s) => !fused.has(s.id)).map((s) => byId.get(s.id) as Stage);
}
