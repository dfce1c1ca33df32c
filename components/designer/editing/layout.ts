// Auto-layout with ELK's layered algorithm, left to right. These functions map
// the canvas to an ELK graph and the result back to positions; running ELK
// itself (in a web worker) is done by layout-runner.ts.
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** Port names in the order they appear down each side. */
  inputs: readonly string[];
  outputs: readonly string[];
}

export interface LayoutEdge {
  id: string;
  source: string;
  sourcePort: string | null | undefined;
  target: string;
  targetPort: string | null | undefined;
}

export const layoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '80',
  'elk.spacing.nodeNode': '40',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.semiInteractive': 'true',
} as const;

const portId = (node: string, side: 'in' | 'out', port: string) => `${node}\u0000${side}\u0000${port}`;

function ports(node: LayoutNode): ElkPort[] {
  // FIXED_ORDER keeps ports where the node draws them: inputs top to bottom on the left, outputs on the right.
  const side = (names: readonly string[], kind: 'in' | 'out'): ElkPort[] =>
    names.map((name, index) => ({
      id: portId(node.id, kind, name),
      width: 1,
      height: 1,
      layoutOptions: { 'elk.port.side': kind === 'in' ? 'WEST' : 'EAST', 'elk.port.index': String(kind === 'in' ? names.length - 1 - index : index) },
    }));
  return [...side(node.inputs, 'in'), ...side(node.outputs, 'out')];
}

/** The ELK graph for the canvas; edges whose ends are not laid out are left out. */
export function toElkGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): ElkNode {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const elkEdges: ElkExtendedEdge[] = [];
  for (const e of edges) {
    const source = byId.get(e.source);
    const target = byId.get(e.target);
    if (!source || !target) continue;
    const fromPort = e.sourcePort && source.outputs.includes(e.sourcePort) ? portId(e.source, 'out', e.sourcePort) : e.source;
    const toPort = e.targetPort && target.inputs.includes(e.targetPort) ? portId(e.target, 'in', e.targetPort) : e.target;
    elkEdges.push({ id: e.id, sources: [fromPort], targets: [toPort] });
  }
  return {
    id: 'root',
    layoutOptions: { ...layoutOptions },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.width,
      height: n.height,
      ports: ports(n),
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
    })),
    edges: elkEdges,
  };
}

/** Top-left positions of the laid-out nodes, shifted so the layout starts where the old one did. */
export function positionsFromElk(result: ElkNode, origin: { x: number; y: number }): Map<string, { x: number; y: number }> {
  const children = result.children ?? [];
  // ELK pads the graph; measure from its first node instead so the layout starts exactly at `origin`.
  const corner = topLeft(children.map((c) => ({ x: c.x ?? 0, y: c.y ?? 0 })));
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of children) {
    positions.set(child.id, { x: Math.round(origin.x + (child.x ?? 0) - corner.x), y: Math.round(origin.y + (child.y ?? 0) - corner.y) });
  }
  return positions;
}

/** The top-left corner of a set of positions (where a new layout is anchored). */
export function topLeft(positions: readonly { x: number; y: number }[]): { x: number; y: number } {
  if (positions.length === 0) return { x: 0, y: 0 };
  return { x: Math.min(...positions.map((p) => p.x)), y: Math.min(...positions.map((p) => p.y)) };
}
