// Column liveness: for every output port, the columns some downstream node
// actually reads. The planner materialises only those (column pruning) and
// plans each node over just them. Pure.
import type { ColumnLineage, ColumnUse, NodeDefinition } from '../pipeline/define-node';
import type { Column } from '../pipeline/types';
import type { PipelineGraph } from './graph';

export interface NodeFacts {
  def: NodeDefinition;
  /** Propagated columns of each input port (connected ones only). */
  inputs: Record<string, Column[]>;
  outputs: Record<string, Column[]>;
  lineage: Record<string, Record<string, ColumnLineage>>;
  uses: ColumnUse[];
}

/** Live column names by `${nodeId}\0${port}`. */
export type Liveness = Map<string, Set<string>>;

export const portKey = (nodeId: string, port: string) => `${nodeId}\0${port}`;

/**
 * Walks the nodes in reverse data-flow order. An output port nobody consumes
 * keeps all its columns (nothing to gain, and its node still runs), and so do
 * sources; a port keeps at least one column, since a table cannot have none.
 */
export function computeLiveness(order: string[], graph: PipelineGraph, facts: ReadonlyMap<string, NodeFacts>): Liveness {
  const live: Liveness = new Map();
  // What each node reads from each of its input ports, filled as consumers are visited.
  const reads = new Map<string, Set<string>>();
  for (const nodeId of [...order].reverse()) {
    const node = graph.nodes.get(nodeId);
    const f = facts.get(nodeId);
    if (!node || !f) continue;
    for (const [port, columns] of Object.entries(f.outputs)) {
      const consumers = node.outputs.get(port) ?? [];
      const needed = new Set<string>();
      for (const edge of consumers) {
        for (const name of reads.get(portKey(edge.target.node, edge.target.port)) ?? columns.map((c) => c.name)) needed.add(name);
      }
      // A source reads every declared column: a value that does not fit its column rejects the
      // row even when nobody reads that column, so the contract does not depend on the pipeline.
      const keepAll = consumers.length === 0 || f.def.category === 'source';
      const kept = keepAll ? columns.map((c) => c.name) : columns.map((c) => c.name).filter((n) => needed.has(n));
      if (kept.length === 0 && columns[0]) kept.push(columns[0].name);
      live.set(portKey(nodeId, port), new Set(kept));
    }
    for (const [port, columns] of Object.entries(f.inputs)) {
      reads.set(portKey(nodeId, port), columnsRead(f, port, columns, live, nodeId));
    }
  }
  return live;
}

function columnsRead(f: NodeFacts, port: string, columns: Column[], live: Liveness, nodeId: string): Set<string> {
  const mode = f.def.columnReads ?? 'all';
  if (mode === 'all') return new Set(columns.map((c) => c.name));
  const read = new Set(f.uses.filter((u) => u.port === port).map((u) => u.column));
  if (mode === 'passThrough') {
    // Columns flow out under their own names on the node's one output.
    for (const [out] of Object.entries(f.outputs)) for (const name of live.get(portKey(nodeId, out)) ?? []) read.add(name);
    return read;
  }
  for (const byColumn of Object.values(f.lineage)) {
    for (const l of Object.values(byColumn)) for (const source of l.from) if (source.port === port) read.add(source.column);
  }
  return read;
}
