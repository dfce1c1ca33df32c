// Deferred reads (ADR 010): a CSV source's table becomes a view over its file
// instead of a copy of every row when few queries read it. DuckDB parses the
// file again for each reader, which costs less than writing the rows into
// memory (and, under a memory budget, spilling them and reading them back),
// and keeps a run's memory independent of the file's size. Pure.
import { leafRelations, tableReferences, type Select } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import type { Stage } from './compile';

/**
 * Queries that may read a deferred table. Each parses the file again: on the
 * 2-core machine a 4M-row CSV takes ~0.4 s to parse for a query, against
 * ~1.2 s to materialise it once (bench/README.md).
 */
export const DEFERRED_READERS = 2;

/** Whether the query reads CSV files, recording their malformed lines, and nothing else. */
function readsOnlyCsv(query: Select): boolean {
  const leaves = leafRelations(query);
  return leaves.length > 0 && leaves.every((r) => r.t === 'readCsv' && r.lineErrors.t === 'record');
}

export function deferFileReads(stages: Stage[]): Stage[] {
  const readers = new Map<string, number>();
  const read = (table: string, times: number) => readers.set(table, (readers.get(table) ?? 0) + times);
  for (const stage of stages) {
    for (const op of stage.ops) {
      if ('query' in op) for (const table of tableReferences(op.query)) read(table, 1);
      // JavaScript reads its input a batch at a time: every batch would parse the file again.
      if (op.op === 'javascript') read(op.input, Infinity);
    }
  }
  const deferred = (op: StageOp): StageOp =>
    op.op === 'materialize' && !op.rejects && readsOnlyCsv(op.query) && (readers.get(op.table) ?? 0) <= DEFERRED_READERS ? { ...op, deferred: true } : op;
  return stages.map((stage) => ({ ...stage, ops: stage.ops.map(deferred) }));
}
