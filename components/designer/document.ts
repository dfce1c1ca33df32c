// The canvas's view of a pipeline and back. React Flow keeps nodes and edges in
// its own shape (handles, selection, measured size); the stored document keeps
// only what the pipeline means. These two functions are the only bridge.
import type { Edge, Node, XYPosition } from '@xyflow/react';
import type { NodeDefinition } from '@/server/pipeline/define-node';
import { FORMAT_VERSION, type PipelineEdge, type PipelineNode, type VisualPipeline } from '@/server/pipeline/model';
import { getNodeDefinition } from '@/server/pipeline/registry';

export const PIPELINE_NODE_TYPE = 'pipelineNode';

export type PipelineNodeData = {
  kind: string;
  version: number;
  config: Record<string, unknown>;
  label?: string;
};

export type DesignerNode = Node<PipelineNodeData, typeof PIPELINE_NODE_TYPE>;
export type DesignerEdge = Edge;

export function toFlowNode(node: PipelineNode): DesignerNode {
  const data: PipelineNodeData = { kind: node.kind, version: node.version, config: node.config };
  if (node.label !== undefined) data.label = node.label;
  return { id: node.id, type: PIPELINE_NODE_TYPE, position: { x: node.position.x, y: node.position.y }, data, ariaLabel: nodeAriaLabel(data) };
}

/** How assistive technology names a node on the canvas: its label, and its kind when the label is the user's own. */
export function nodeAriaLabel(data: PipelineNodeData): string {
  const label = nodeDisplayLabel(data);
  const kindLabel = getNodeDefinition(data.kind)?.label ?? data.kind;
  return label === kindLabel ? `${label} node` : `${label} (${kindLabel}) node`;
}

export function toFlowEdge(edge: PipelineEdge): DesignerEdge {
  return { id: edge.id, source: edge.source.node, sourceHandle: edge.source.port, target: edge.target.node, targetHandle: edge.target.port };
}

export function toFlow(document: VisualPipeline): { nodes: DesignerNode[]; edges: DesignerEdge[] } {
  return { nodes: document.nodes.map(toFlowNode), edges: document.edges.map(toFlowEdge) };
}

export function toPipelineNode(node: DesignerNode): PipelineNode {
  const result: PipelineNode = {
    id: node.id,
    kind: node.data.kind,
    version: node.data.version,
    position: { x: node.position.x, y: node.position.y },
    config: node.data.config,
  };
  const label = node.data.label?.trim();
  if (label) result.label = label;
  return result;
}

/** Edges without both handles cannot be stored (every port has a handle id); they are left out. */
export function toPipelineEdge(edge: DesignerEdge): PipelineEdge | null {
  if (!edge.sourceHandle || !edge.targetHandle) return null;
  return { id: edge.id, source: { node: edge.source, port: edge.sourceHandle }, target: { node: edge.target, port: edge.targetHandle } };
}

export function toDocument(nodes: readonly DesignerNode[], edges: readonly DesignerEdge[]): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: nodes.map(toPipelineNode),
    edges: edges.map(toPipelineEdge).filter((e): e is PipelineEdge => e !== null),
  };
}

/**
 * The document as the compiler sees it: positions do not change diagnostics or
 * schemas, so they are zeroed and dragging a node does not trigger a compile.
 */
export function toCompileDocument(nodes: readonly DesignerNode[], edges: readonly DesignerEdge[], parameters?: VisualPipeline['parameters']): VisualPipeline {
  const document = toDocument(nodes, edges);
  // Parameters travel along: the server checks placeholders with their defaults (or sample values).
  return { ...document, nodes: document.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })), ...(parameters ? { parameters } : {}) };
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => BASE36[b % 36]).join('');
}

export const newNodeId = (kind: string): string => `${kind}-${randomId(6)}`;
export const newEdgeId = (): string => `e-${randomId(8)}`;

export function createNode(definition: NodeDefinition, position: XYPosition, id: string = newNodeId(definition.kind)): DesignerNode {
  const data: PipelineNodeData = { kind: definition.kind, version: definition.version, config: structuredClone(definition.initialConfig) };
  return { id, type: PIPELINE_NODE_TYPE, position, data, ariaLabel: nodeAriaLabel(data) };
}

/** What people call a node: its own label, else its kind's label. */
export function nodeDisplayLabel(data: PipelineNodeData): string {
  return data.label?.trim() || getNodeDefinition(data.kind)?.label || data.kind;
}
