// Canvas editing state only: nodes, edges, selection, the pipeline's settings
// and parameter declarations, the undo history and whether they differ from
// the last save. Server data (the loaded pipeline, compile results, runs)
// lives in react-query; live run status has its own store (runs/run-view-store).
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import type { PipelineSettings, VisualPipeline } from '@/server/pipeline/model';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { connectionProblem } from './connections';
import { createNode, newEdgeId, newNodeId, nodeAriaLabel, toDocument, toFlow, toFlowEdge, toFlowNode, type DesignerEdge, type DesignerNode } from './document';
import { copyPayload, instantiatePaste, PASTE_OFFSET, type ClipboardPayload } from './editing/clipboard';
import { breakCoalescing, emptyHistory, recordEdit, redo, undo, type History } from './editing/history';
import { renameParameterReferences } from './pipeline/parameter-edits';

/** What undo restores: the canvas's nodes and edges, and the pipeline's settings and parameters, as they were. */
export interface DocumentSnapshot {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  /** Only the settings the user set; the rest take their defaults. Absent in older documents. */
  settings: VisualPipeline['settings'];
  /** Absent in older documents (saving keeps it absent until one is declared). */
  parameters: VisualPipeline['parameters'];
}

type ParameterList = NonNullable<VisualPipeline['parameters']>;

export interface DesignerState {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  settings: VisualPipeline['settings'];
  parameters: VisualPipeline['parameters'];
  /** Bumped by every edit; saving records the revision it saved. */
  revision: number;
  dirty: boolean;
  history: History<DocumentSnapshot>;

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

  undo: () => void;
  redo: () => void;
  /** Removes the selected nodes and edges (and edges left without an end) as one step. */
  deleteSelection: () => void;
  /** The selected nodes and the edges among them, for the clipboard; null when nothing is selected. */
  copySelection: () => ClipboardPayload | null;
  /** Adds copies of the payload's nodes with fresh ids, offset from the originals, and selects them. */
  paste: (payload: ClipboardPayload) => void;
  duplicateSelection: () => void;
  selectAll: () => void;
  /** Moves nodes to new positions (auto-layout) as one step. */
  moveNodes: (positions: ReadonlyMap<string, XYPosition>) => void;
  /** Replaces the whole document (import); undo brings the old one back. */
  replaceDocument: (document: VisualPipeline) => void;
  /** Sets one pipeline setting; `undefined` removes it, so its default applies. */
  setSetting: <K extends keyof PipelineSettings>(key: K, value: PipelineSettings[K] | undefined) => void;
  /** Replaces the parameter declarations; edits with the same `coalesceKey` in quick succession are one undo step. */
  setParameters: (parameters: ParameterList, coalesceKey?: string | null) => void;
  /** Renames a declared parameter and rewrites the {{params.…}} placeholders that use it, as one step. */
  renameParameter: (from: string, to: string) => void;
}

const editingNodeChange = (c: NodeChange<DesignerNode>): boolean =>
  c.type === 'add' || c.type === 'remove' || c.type === 'replace' || (c.type === 'position' && c.position !== undefined);
const editingEdgeChange = (c: EdgeChange<DesignerEdge>): boolean => c.type === 'add' || c.type === 'remove' || c.type === 'replace';

/** Which edits merge into one undo step: a drag of the same nodes; a removal spread over the node and edge callbacks. */
function nodeChangesKey(changes: NodeChange<DesignerNode>[]): string | null {
  if (changes.every((c) => c.type === 'position' || c.type === 'dimensions' || c.type === 'select')) {
    const moved = changes.flatMap((c) => (c.type === 'position' ? [c.id] : [])).sort();
    return `move:${moved.join(',')}`;
  }
  return changes.every((c) => c.type === 'remove' || c.type === 'select') ? 'remove' : null;
}

const dragEnded = (changes: NodeChange<DesignerNode>[]): boolean => changes.some((c) => c.type === 'position' && c.dragging === false);

/** Restored nodes are neither mid-drag nor carrying a stale selection of edges. */
const restore = (snapshot: DocumentSnapshot): DocumentSnapshot => ({
  ...snapshot,
  nodes: snapshot.nodes.map((n) => (n.dragging ? { ...n, dragging: false } : n)),
});

const snapshotOf = (s: DocumentSnapshot): DocumentSnapshot => ({ nodes: s.nodes, edges: s.edges, settings: s.settings, parameters: s.parameters });

const deselectNodes = (nodes: DesignerNode[]) => nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
const deselectEdges = (edges: DesignerEdge[]) => edges.map((e) => (e.selected ? { ...e, selected: false } : e));

export function createDesignerStore(initial: VisualPipeline) {
  const flow = toFlow(initial);
  return createStore<DesignerState>()((set, get) => {
    /**
     * Applies an edit, records the document before it for undo and marks the
     * document dirty. Edits with the same `coalesceKey` in quick succession
     * become one undo step.
     */
    const edit = (patch: Partial<DocumentSnapshot>, coalesceKey: string | null = null) =>
      set((s) => ({
        ...patch,
        history: recordEdit(s.history, snapshotOf(s), coalesceKey, Date.now()),
        revision: s.revision + 1,
        dirty: true,
      }));

    const updateNodeData = (nodeId: string, update: (node: DesignerNode) => DesignerNode, coalesceKey: string) =>
      edit({ nodes: get().nodes.map((n) => (n.id === nodeId ? update(n) : n)) }, coalesceKey);

    /** Pastes of the same payload cascade instead of stacking on one spot. */
    let lastPaste: { payload: ClipboardPayload; count: number } | null = null;

    const addCopies = (payload: ClipboardPayload) => {
      const count = lastPaste && JSON.stringify(lastPaste.payload) === JSON.stringify(payload) ? lastPaste.count + 1 : 1;
      lastPaste = { payload, count };
      const offset = PASTE_OFFSET * count;
      const pasted = instantiatePaste(payload, { x: offset, y: offset }, newNodeId, newEdgeId);
      const { nodes, edges } = get();
      edit({
        nodes: [...deselectNodes(nodes), ...pasted.nodes.map((n) => ({ ...toFlowNode(n), selected: true }))],
        edges: [...deselectEdges(edges), ...pasted.edges.map(toFlowEdge)],
      });
    };

    return {
      nodes: flow.nodes,
      edges: flow.edges,
      settings: initial.settings,
      parameters: initial.parameters,
      revision: 0,
      dirty: false,
      history: emptyHistory(),

      onNodesChange: (changes) => {
        const nodes = applyNodeChanges(changes, get().nodes);
        if (!changes.some(editingNodeChange)) {
          set({ nodes });
          return;
        }
        edit({ nodes }, nodeChangesKey(changes));
        // The next drag, even of the same nodes, is its own undo step.
        if (dragEnded(changes)) set((s) => ({ history: breakCoalescing(s.history) }));
      },

      onEdgesChange: (changes) => {
        const edges = applyEdgeChanges(changes, get().edges);
        if (!changes.some(editingEdgeChange)) {
          set({ edges });
          return;
        }
        edit({ edges }, changes.every((c) => c.type === 'remove' || c.type === 'select') ? 'remove' : null);
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
        edit({ nodes: [...deselectNodes(get().nodes), node], edges: deselectEdges(get().edges) });
        return node.id;
      },

      updateConfig: (nodeId, patch) => {
        updateNodeData(
          nodeId,
          (n) => ({ ...n, data: { ...n.data, config: { ...n.data.config, ...patch } } }),
          `config:${nodeId}:${Object.keys(patch).sort().join(',')}`,
        );
      },

      setLabel: (nodeId, label) => {
        updateNodeData(
          nodeId,
          (n) => {
            const data = { ...n.data };
            if (label === '') delete data.label;
            else data.label = label;
            return { ...n, data, ariaLabel: nodeAriaLabel(data) };
          },
          `label:${nodeId}`,
        );
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

      undo: () => {
        const state = get();
        const step = undo(state.history, snapshotOf(state));
        if (step) set((s) => ({ ...restore(step.document), history: step.history, revision: s.revision + 1, dirty: true }));
      },

      redo: () => {
        const state = get();
        const step = redo(state.history, snapshotOf(state));
        if (step) set((s) => ({ ...restore(step.document), history: step.history, revision: s.revision + 1, dirty: true }));
      },

      deleteSelection: () => {
        const { nodes, edges } = get();
        const removed = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const keptEdges = edges.filter((e) => !e.selected && !removed.has(e.source) && !removed.has(e.target));
        if (removed.size === 0 && keptEdges.length === edges.length) return;
        edit({ nodes: nodes.filter((n) => !removed.has(n.id)), edges: keptEdges });
      },

      copySelection: () => {
        const { nodes, edges } = get();
        const document = toDocument(nodes, edges);
        const selected = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        return copyPayload(
          document.nodes.map((n) => ({ ...n, selected: selected.has(n.id) })),
          document.edges,
        );
      },

      paste: addCopies,

      duplicateSelection: () => {
        const payload = get().copySelection();
        if (payload) addCopies(payload);
      },

      selectAll: () => {
        set((s) => ({
          nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
          edges: s.edges.map((e) => (e.selected ? e : { ...e, selected: true })),
        }));
      },

      moveNodes: (positions) => {
        const nodes = get().nodes;
        if (!nodes.some((n) => positions.has(n.id))) return;
        edit({ nodes: nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
      },

      replaceDocument: (document) => {
        lastPaste = null;
        edit({ ...toFlow(document), settings: document.settings, parameters: document.parameters });
      },

      setSetting: (key, value) => {
        const settings: Partial<PipelineSettings> = { ...get().settings };
        if (value === undefined) Reflect.deleteProperty(settings, key);
        else settings[key] = value;
        edit({ settings }, `setting:${key}`);
      },

      setParameters: (parameters, coalesceKey = null) => {
        edit({ parameters }, coalesceKey);
      },

      renameParameter: (from, to) => {
        const { parameters = [], nodes } = get();
        if (from === to || !parameters.some((p) => p.name === from)) return;
        edit({
          parameters: parameters.map((p) => (p.name === from ? { ...p, name: to } : p)),
          nodes: nodes.map((n) => {
            const config = renameParameterReferences(n.data.config, from, to);
            return config === n.data.config ? n : { ...n, data: { ...n.data, config } };
          }),
        });
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

/**
 * The document to save, export or keep as a draft. Settings left empty are
 * omitted, so setting and clearing one is no change.
 */
export function selectDocument(state: DesignerState): VisualPipeline {
  const document = toDocument(state.nodes, state.edges);
  if (state.settings && Object.keys(state.settings).length > 0) document.settings = state.settings;
  if (state.parameters) document.parameters = state.parameters;
  return document;
}

export const selectCanUndo = (state: DesignerState): boolean => state.history.past.length > 0;
export const selectCanRedo = (state: DesignerState): boolean => state.history.future.length > 0;
