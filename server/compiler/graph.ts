// The compiler's own graph, built from (never mutating) the stored document:
// nodes by id, and each node's incoming and outgoing edges by port.
import type { PipelineEdge, PipelineNode, VisualPipeline } from '../pipeline/model';

export interface GraphNode {
  node: PipelineNode;
  /** Incoming edges by target port; several only when the document is invalid. */
  inputs: Map<string, PipelineEdge[]>;
  outputs: Map<string, PipelineEdge[]>;
}

export interface PipelineGraph {
  nodes: Map<string, GraphNode>;
  /** Edges whose endpoints both exist. */
  edges: PipelineEdge[];
}

export function buildGraph(doc: VisualPipeline): PipelineGraph {
  const nodes = new Map<string, GraphNode>();
  for (const node of doc.nodes) {
    if (!nodes.has(node.id)) nodes.set(node.id, { node, inputs: new Map(), outputs: new Map() });
  }
  const edges: PipelineEdge[] = [];
  for (const edge of doc.edges) {
    const source = nodes.get(edge.source.node);
    const target = nodes.get(edge.target.node);
    if (!source || !target) continue;
    edges.push(edge);
    push(source.outputs, edge.source.port, edge);
    push(target.inputs, edge.target.port, edge);
  }
  return { nodes, edges };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Kahn's algorithm. Returns the nodes in dependency order; nodes on or behind a
 * cycle are returned separately, in document order.
 */
export function topologicalOrder(graph: PipelineGraph): { order: string[]; blocked: string[] } {
  const indegree = new Map<string, number>();
  for (const id of graph.nodes.keys()) indegree.set(id, 0);
  for (const e of graph.edges) indegree.set(e.target.node, (indegree.get(e.target.node) ?? 0) + 1);

  const ready = [...graph.nodes.keys()].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const edges of graph.nodes.get(id)?.outputs.values() ?? []) {
      for (const e of edges) {
        const left = (indegree.get(e.target.node) ?? 0) - 1;
        indegree.set(e.target.node, left);
        if (left === 0) ready.push(e.target.node);
      }
    }
  }
  const placed = new Set(order);
  return { order, blocked: [...graph.nodes.keys()].filter((id) => !placed.has(id)) };
}

/** One cycle among `blocked` nodes, as a closed walk of node ids, for the message. */
export function findCycle(graph: PipelineGraph, blocked: string[]): string[] {
  const inBlocked = new Set(blocked);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const edges of graph.nodes.get(id)?.outputs.values() ?? []) {
      for (const e of edges) {
        const next = e.target.node;
        if (!inBlocked.has(next)) continue;
        if (state.get(next) === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
        if (!state.has(next)) {
          const found = visit(next);
          if (found) return found;
        }
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of blocked) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return [];
}
