import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '@/server/pipeline/model';
import { toDocument } from './document';
import { parseClipboard, serializeClipboard } from './editing/clipboard';
import { createDesignerStore, selectCanRedo, selectCanUndo, selectSelectedNode } from './store';

const initial: VisualPipeline = {
  formatVersion: FORMAT_VERSION,
  nodes: [
    { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: {} },
    { id: 'keep', kind: 'filter', version: 1, position: { x: 200, y: 0 }, config: { rules: [] } },
  ],
  edges: [{ id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'keep', port: 'input' } }],
};

describe('designer store', () => {
  it('starts clean with the document’s nodes and edges', () => {
    const store = createDesignerStore(initial);
    const { nodes, edges, dirty } = store.getState();
    expect(dirty).toBe(false);
    expect(toDocument(nodes, edges)).toEqual(initial);
  });

  it('does not count selection or measuring as an edit', () => {
    const store = createDesignerStore(initial);
    store.getState().onNodesChange([{ type: 'select', id: 'src', selected: true }]);
    store.getState().onNodesChange([{ type: 'dimensions', id: 'src', dimensions: { width: 200, height: 60 } }]);
    expect(store.getState().dirty).toBe(false);
    expect(selectSelectedNode(store.getState())?.id).toBe('src');
  });

  it('counts moving, adding, configuring and removing as edits', () => {
    const store = createDesignerStore(initial);
    store.getState().onNodesChange([{ type: 'position', id: 'src', position: { x: 5, y: 5 } }]);
    expect(store.getState().dirty).toBe(true);

    const other = createDesignerStore(initial);
    const id = other.getState().addNode('file-sink', { x: 400, y: 0 });
    expect(id).toMatch(/^file-sink-[0-9a-z]{6}$/);
    expect(selectSelectedNode(other.getState())?.id).toBe(id);
    expect(other.getState().dirty).toBe(true);
    expect(other.getState().addNode('no-such-kind', { x: 0, y: 0 })).toBeNull();
  });

  it('merges config patches and removes a node with its edges', () => {
    const store = createDesignerStore(initial);
    store.getState().updateConfig('keep', { combinator: 'or' });
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.data.config).toEqual({ rules: [], combinator: 'or' });
    store.getState().setLabel('keep', 'Big orders');
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.data.label).toBe('Big orders');
    store.getState().setLabel('keep', '');
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.data).not.toHaveProperty('label');
    store.getState().removeNode('src');
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['keep']);
    expect(store.getState().edges).toEqual([]);
  });

  it('refuses connections that break the rules', () => {
    const store = createDesignerStore(initial);
    expect(store.getState().connect({ source: 'keep', sourceHandle: 'output', target: 'src', targetHandle: 'input' })).toBe(false);
    expect(store.getState().connect({ source: 'src', sourceHandle: 'output', target: 'keep', targetHandle: 'input' })).toBe(false);
    expect(store.getState().edges).toHaveLength(1);
    expect(store.getState().dirty).toBe(false);
  });

  it('stays dirty when edits happened while a save was in flight', () => {
    const store = createDesignerStore(initial);
    store.getState().updateConfig('keep', { combinator: 'or' });
    const savedRevision = store.getState().revision;
    store.getState().updateConfig('keep', { combinator: 'and' });
    store.getState().markSaved(savedRevision);
    expect(store.getState().dirty).toBe(true);
    store.getState().markSaved(store.getState().revision);
    expect(store.getState().dirty).toBe(false);
  });

  it('selects exactly one node, or none', () => {
    const store = createDesignerStore(initial);
    store.getState().selectNode('keep');
    expect(selectSelectedNode(store.getState())?.id).toBe('keep');
    store.getState().onNodesChange([{ type: 'select', id: 'src', selected: true }]);
    expect(selectSelectedNode(store.getState())).toBeUndefined();
    store.getState().selectNode(null);
    expect(store.getState().nodes.some((n) => n.selected)).toBe(false);
  });

  it('undoes and redoes edits, and typing in one field is one step', () => {
    const store = createDesignerStore(initial);
    expect(selectCanUndo(store.getState())).toBe(false);
    for (const text of ['a', 'am', 'amo']) store.getState().updateConfig('keep', { combinator: text });
    store.getState().setLabel('keep', 'Big');
    store.getState().undo();
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.data).not.toHaveProperty('label');
    store.getState().undo();
    expect(toDocument(store.getState().nodes, store.getState().edges)).toEqual(initial);
    expect(selectCanUndo(store.getState())).toBe(false);
    store.getState().redo();
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.data.config).toEqual({ rules: [], combinator: 'amo' });
    expect(selectCanRedo(store.getState())).toBe(true);
    expect(store.getState().dirty).toBe(true);
  });

  it('makes one drag one undo step, and the next drag another', () => {
    const store = createDesignerStore(initial);
    const drag = (x: number, dragging: boolean) => store.getState().onNodesChange([{ type: 'position', id: 'src', position: { x, y: 0 }, dragging }]);
    drag(10, true);
    drag(20, true);
    drag(30, false);
    drag(40, true);
    drag(50, false);
    store.getState().undo();
    expect(store.getState().nodes.find((n) => n.id === 'src')?.position).toEqual({ x: 30, y: 0 });
    store.getState().undo();
    expect(store.getState().nodes.find((n) => n.id === 'src')?.position).toEqual({ x: 0, y: 0 });
  });

  it('deletes the selection with its edges as one step', () => {
    const store = createDesignerStore(initial);
    store.getState().selectNode('keep');
    store.getState().deleteSelection();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['src']);
    expect(store.getState().edges).toEqual([]);
    store.getState().undo();
    expect(toDocument(store.getState().nodes, store.getState().edges)).toEqual(initial);
  });

  it('copies and pastes selected nodes with their edge, under fresh ids, cascading repeated pastes', () => {
    const store = createDesignerStore(initial);
    store.getState().selectAll();
    const payload = parseClipboard(serializeClipboard(store.getState().copySelection()!))!;
    // Into another pipeline, twice.
    const other = createDesignerStore({ ...initial, nodes: [], edges: [] });
    other.getState().paste(payload);
    other.getState().paste(payload);
    const { nodes, edges } = other.getState();
    expect(nodes).toHaveLength(4);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(4);
    expect(nodes.some((n) => n.id === 'src' || n.id === 'keep')).toBe(false);
    expect(nodes.map((n) => n.position.x)).toEqual([40, 240, 80, 280]);
    expect(nodes.filter((n) => n.selected)).toHaveLength(2);
    expect(edges).toHaveLength(2);
    for (const e of edges) expect(nodes.find((n) => n.id === e.source)?.data.kind).toBe('csv-source');
    other.getState().undo();
    expect(other.getState().nodes).toHaveLength(2);
  });

  it('duplicates the selection in place of the clipboard', () => {
    const store = createDesignerStore(initial);
    store.getState().selectNode('keep');
    store.getState().duplicateSelection();
    const copies = store.getState().nodes.filter((n) => n.selected);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.data).toEqual(store.getState().nodes.find((n) => n.id === 'keep')?.data);
    expect(copies[0]?.position).toEqual({ x: 240, y: 40 });
  });

  it('moves nodes for a layout and replaces the document on import, each undoable', () => {
    const store = createDesignerStore(initial);
    store.getState().moveNodes(new Map([['keep', { x: 500, y: 9 }]]));
    expect(store.getState().nodes.find((n) => n.id === 'keep')?.position).toEqual({ x: 500, y: 9 });
    const imported: VisualPipeline = { ...initial, nodes: [initial.nodes[0]!], edges: [] };
    store.getState().replaceDocument(imported);
    expect(toDocument(store.getState().nodes, store.getState().edges)).toEqual(imported);
    store.getState().undo();
    store.getState().undo();
    expect(toDocument(store.getState().nodes, store.getState().edges)).toEqual(initial);
  });
});
