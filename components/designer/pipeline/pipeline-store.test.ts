// The designer store's pipeline settings and parameters: undoable, dirty,
// part of the saved document, and renamed together with their placeholders.
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '@/server/pipeline/model';
import { createDesignerStore, selectCanUndo, selectDocument } from '../store';

const initial: VisualPipeline = {
  formatVersion: FORMAT_VERSION,
  nodes: [
    { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: 'in/{{params.day}}.csv' } },
    { id: 'keep', kind: 'filter', version: 1, position: { x: 200, y: 0 }, config: { rules: [{ column: 'amount', op: 'gt', value: '{{ params.min }}' }] } },
  ],
  edges: [],
};

describe('pipeline settings and parameters in the designer store', () => {
  it('leaves a document without settings or parameters as it was', () => {
    const store = createDesignerStore(initial);
    expect(selectDocument(store.getState())).toEqual(initial);
  });

  it('sets and clears a setting as an undoable edit; a cleared one is left out of the document', () => {
    const store = createDesignerStore(initial);
    store.getState().setSetting('stageRetries', 5);
    store.getState().setSetting('onBranchFailure', 'stopAll');
    expect(store.getState().dirty).toBe(true);
    expect(selectDocument(store.getState()).settings).toEqual({ stageRetries: 5, onBranchFailure: 'stopAll' });

    store.getState().undo();
    expect(selectDocument(store.getState()).settings).toEqual({ stageRetries: 5 });
    store.getState().setSetting('stageRetries', undefined);
    expect(selectDocument(store.getState())).not.toHaveProperty('settings');
    store.getState().undo();
    store.getState().undo();
    expect(selectCanUndo(store.getState())).toBe(false);
    store.getState().redo();
    expect(store.getState().settings).toEqual({ stageRetries: 5 });
  });

  it('makes typing into one setting one undo step', () => {
    const store = createDesignerStore({ ...initial, settings: { stageTimeoutSeconds: 60 } });
    for (const value of [1, 12, 120]) store.getState().setSetting('stageTimeoutSeconds', value);
    store.getState().undo();
    expect(store.getState().settings).toEqual({ stageTimeoutSeconds: 60 });
  });

  it('edits the parameter list and keeps an emptied list, so saving removes the last parameter', () => {
    const store = createDesignerStore({ ...initial, parameters: [{ name: 'day', type: 'date' }] });
    store.getState().setParameters([{ name: 'day', type: 'date', default: '2024-01-01' }], 'parameter:0:default');
    expect(selectDocument(store.getState()).parameters).toEqual([{ name: 'day', type: 'date', default: '2024-01-01' }]);
    store.getState().setParameters([]);
    expect(selectDocument(store.getState()).parameters).toEqual([]);
    store.getState().undo();
    store.getState().undo();
    expect(selectDocument(store.getState()).parameters).toEqual([{ name: 'day', type: 'date' }]);
  });

  it('renames a parameter and its placeholders in one step', () => {
    const store = createDesignerStore({ ...initial, parameters: [{ name: 'min', type: 'float' }, { name: 'day', type: 'date' }] });
    store.getState().renameParameter('min', 'threshold');
    const document = selectDocument(store.getState());
    expect(document.parameters?.map((p) => p.name)).toEqual(['threshold', 'day']);
    expect(document.nodes[1]?.config).toEqual({ rules: [{ column: 'amount', op: 'gt', value: '{{params.threshold}}' }] });
    // The other node is untouched, down to its config object.
    expect(store.getState().nodes[0]?.data.config).toBe(initial.nodes[0]?.config);
    store.getState().undo();
    expect(selectDocument(store.getState())).toEqual({ ...initial, parameters: [{ name: 'min', type: 'float' }, { name: 'day', type: 'date' }] });
  });

  it('ignores a rename of an undeclared parameter', () => {
    const store = createDesignerStore(initial);
    store.getState().renameParameter('min', 'x');
    expect(store.getState().dirty).toBe(false);
  });

  it('replaces settings and parameters with the document on import, and undo brings them back', () => {
    const store = createDesignerStore({ ...initial, settings: { stageRetries: 1 }, parameters: [{ name: 'day', type: 'date' }] });
    store.getState().replaceDocument({ formatVersion: FORMAT_VERSION, nodes: [], edges: [], settings: { maxConcurrentRuns: 3 } });
    expect(selectDocument(store.getState())).toEqual({ formatVersion: FORMAT_VERSION, nodes: [], edges: [], settings: { maxConcurrentRuns: 3 } });
    store.getState().undo();
    expect(store.getState().settings).toEqual({ stageRetries: 1 });
    expect(store.getState().parameters).toEqual([{ name: 'day', type: 'date' }]);
  });

  it('saving marks settings edits clean like any other', () => {
    const store = createDesignerStore(initial);
    store.getState().setSetting('maxConcurrentRuns', 2);
    store.getState().markSaved(store.getState().revision);
    expect(store.getState().dirty).toBe(false);
  });
});
