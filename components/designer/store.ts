// Canvas editing state only: nodes, edges, selection and whether they differ
// from the last save. Server data (the loaded pipeline, compile results, runs)
// lives in react-query; live run status has its own store (runs/run-view-store).
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import type { VisualPipeline } from '@/server/pipeline/model';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { connectionProblem } from './connections';
import { createNode, newEdgeId, toFlow, type DesignerEdge, type DesignerNode } from './document';

export interface DesignerState {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  /** Bumped by every edit; saving records the revision it saved. */
  revision: number;
  dirty: boolean;

  onNodesChange: (changes: NodeChange<DesignerNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<DesignerEdge>[]) => void;
  /** Adds an edge if the connection rules allow it; returns whether it did. */
  connect: (connection: Connection) => boolean;
  /** Adds a node of `kind` and selects it; returns its id, or null for an unknown kind. */
  addNode: (kind: string, position: XYPosition) => string | null;
  updateConfig: (nodeId: string, patch: Record<string, unknown>) => void;
  setLabel: (nodeId: string, label: string) => void;
  removeNode: (nodeId: string) => void;
  /** Selects exactly this node (or nothing). */
  selectNode: (nodeId: string | null) => void;
  /** Called after a save of `revision` succeeded; edits made meanwhile stay dirty. */
  markSaved: (revision: number) => void;
}

const editingNodeChange = (c: NodeChange<DesignerNode>): boolean =>
  c.type === 'add' || c.type === 'remove' || c.type === 'replace' || (c.type === 'position' && c.position !== undefined);
const editingEdgeChange = (c: EdgeChange<DesignerEdge>): boolean => c.type === 'add' || c.type === 'remove' || c.type === 'replace';

export function createDesignerStore(initial: VisualPipeline) {
  const flow = toFlow(initial);
  return createStore<DesignerState>()((set, get) => {
    /** Applies an edit and marks the document dirty. */
    const edit = (patch: Partial<Pick<DesignerState, 'nodes' | 'edges'>>) =>
      set((s) => ({ ...patch, revision: s.revision + 1, dirty: true }));

    const updateNodeData = (nodeId: string, update: (node: DesignerNode) => DesignerNode) =>
      edit({ nodes: get().nodes.map((n) => (n.id === nodeId ? update(n) : n)) });

    return {
      nodes: flow.nodes,
      edges: flow.edges,
      revision: 0,
      dirty: false,

      onNodesChange: (changes) => {
        const nodes = applyNodeChanges(changes, get().nodes);
        if (changes.some(editingNodeChange)) edit({ nodes });
        else set({ nodes });
      },

      onEdgesChange: (changes) => {
        const edges = applyEdgeChanges(changes, get().edges);
        if (changes.some(editingEdgeChange)) edit({ edges });
        else set({ edges });
      },

      connect: (connection) => {
        const { edges } = get();
        if (connectionProblem(edges, connection) !== null) return false;
        const edge: DesignerEdge = {
          id: newEdgeId(),
          source: connection.source,
          sourceHandle: connection.sourceHandle,
          target: connection.target,
          targetHandle: connection.targetHandle,
        };
        edit({ edges: [...edges, edge] });
        return true;
      },

      addNode: (kind, position) => {
        const definition = getNodeDefinition(kind);
        if (!definition) return null;
        const node: DesignerNode = { ...createNode(definition, position), selected: true };
        edit({
          nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
        return node.id;
      },

      updateConfig: (nodeId, patch) => {
        updateNodeData(nodeId, (n) => ({ ...n, data: { ...n.data, config: { ...n.data.config, ...patch } } }));
      },

      setLabel: (nodeId, label) => {
        updateNodeData(nodeId, (n) => {
          const data = { ...n.data };
          if (label === '') delete data.label;
          else data.label = label;
          return { ...n, data };
        });
      },

      removeNode: (nodeId) => {
        edit({
          nodes: get().nodes.filter((n) => n.id !== nodeId),
          edges: get().edges.filter((e) => e.source !== nodeId && e.target !== nodeId),
        });
      },

      selectNode: (nodeId) => {
        set((s) => ({
          nodes: s.nodes.map((n) => (Boolean(n.selected) === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
          edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }));
      },

      markSaved: (revision) => {
        set((s) => ({ dirty: s.revision !== revision }));
      },
    };
  });
}

export type DesignerStore = ReturnType<typeof createDesignerStore>;

/** The one selected node, if exactly one is selected. Returns a node already in state, so it is stable. */
export function selectSelectedNode(state: DesignerState): DesignerNode | undefined {
  let found: DesignerNode | undefined;
  for (const n of state.nodes) {
    if (!n.selected) continue;
    if (found) return undefined;
    found = n;
  }
  return found;
}
