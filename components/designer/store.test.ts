import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '@/server/pipeline/model';
import { toDocument } from './document';
import { createDesignerStore, selectSelectedNode } from './store';

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
});
