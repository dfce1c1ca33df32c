// Copy and paste of selected nodes as JSON text, so a selection can move
// between pipelines (and browser tabs) through the system clipboard. Only
// edges with both ends in the selection travel with it.
import { z } from 'zod';
import { PipelineEdgeSchema, PipelineNodeSchema, type PipelineEdge, type PipelineNode } from '@/server/pipeline/model';

export const CLIPBOARD_FORMAT = 'sluice.nodes/1';
/** How far each paste lands from the copied nodes. */
export const PASTE_OFFSET = 40;

const ClipboardSchema = z.object({
  format: z.literal(CLIPBOARD_FORMAT),
  nodes: z.array(PipelineNodeSchema).min(1).max(5000),
  edges: z.array(PipelineEdgeSchema).max(20000),
});
export type ClipboardPayload = z.infer<typeof ClipboardSchema>;

/** The selected nodes and the edges among them; null when nothing is selected. */
export function copyPayload(nodes: readonly (PipelineNode & { selected?: boolean })[], edges: readonly PipelineEdge[]): ClipboardPayload | null {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return null;
  const ids = new Set(picked.map((n) => n.id));
  return {
    format: CLIPBOARD_FORMAT,
    nodes: picked.map(({ selected: _selected, ...node }) => structuredClone(node)),
    edges: edges.filter((e) => ids.has(e.source.node) && ids.has(e.target.node)).map((e) => structuredClone(e)),
  };
}

export const serializeClipboard = (payload: ClipboardPayload): string => JSON.stringify(payload);

/** Reads clipboard text; null when it is not a Sluice selection (pasting ordinary text is not an error). */
export function parseClipboard(text: string): ClipboardPayload | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = ClipboardSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/**
 * The nodes and edges to add for a paste: fresh ids (so pasting twice, or into
 * the pipeline it came from, never collides), positions shifted by `offset`,
 * edges re-pointed at the new ids.
 */
export function instantiatePaste(
  payload: ClipboardPayload,
  offset: { x: number; y: number },
  newNodeId: (kind: string) => string,
  newEdgeId: () => string,
): { nodes: PipelineNode[]; edges: PipelineEdge[] } {
  const idMap = new Map<string, string>();
  const nodes = payload.nodes.map((node) => {
    const id = newNodeId(node.kind);
    idMap.set(node.id, id);
    return { ...structuredClone(node), id, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } };
  });
  const edges: PipelineEdge[] = [];
  for (const edge of payload.edges) {
    const source = idMap.get(edge.source.node);
    const target = idMap.get(edge.target.node);
    if (source === undefined || target === undefined) continue;
    edges.push({ id: newEdgeId(), source: { node: source, port: edge.source.port }, target: { node: target, port: edge.target.port } });
  }
  return { nodes, edges };
}
