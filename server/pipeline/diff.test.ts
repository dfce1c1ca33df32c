import { describe, expect, it } from 'vitest';
import { linearPipeline } from '../testing/pipelines';
import { diffPipelines, isCosmeticOnly, isEmptyDiff, sameJson } from './diff';
import type { VisualPipeline } from './model';

const base = linearPipeline();
const edit = (change: (doc: VisualPipeline) => void): VisualPipeline => {
  const doc = structuredClone(base);
  change(doc);
  return doc;
};
const node = (doc: VisualPipeline, id: string) => {
  const found = doc.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};

describe('diffPipelines', () => {
  it('finds nothing between a document and its copy with keys in another order', () => {
    const reordered = edit((doc) => {
      const src = node(doc, 'src');
      src.config = Object.fromEntries(Object.entries(src.config).reverse());
    });
    const diff = diffPipelines(base, reordered);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff).toEqual({
      addedNodes: [],
      removedNodes: [],
      changedNodes: [],
      addedEdges: [],
      removedEdges: [],
      settingsChanged: false,
      parametersChanged: false,
      changedSettings: [],
      addedParameters: [],
      removedParameters: [],
      changedParameters: [],
    });
  });

  it('names the config keys that changed, were added or were removed', () => {
    const after = edit((doc) => {
      const keep = node(doc, 'keep_paid');
      keep.config = { ...keep.config, rules: [{ column: 'status', op: 'eq', value: 'refunded' }], extra: 1 };
    });
    const diff = diffPipelines(base, after);
    expect(diff.changedNodes).toEqual([{ id: 'keep_paid', kind: 'filter', configKeys: ['extra', 'rules'], kindVersionChanged: false, labelChanged: false, moved: false }]);
    expect(isCosmeticOnly(diff)).toBe(false);
    expect(diffPipelines(after, base).changedNodes[0]?.configKeys).toEqual(['extra', 'rules']);
  });

  it('keeps label and position changes apart from config changes', () => {
    const after = edit((doc) => {
      node(doc, 'src').label = 'Orders CSV';
      node(doc, 'out').position = { x: 999, y: 5 };
    });
    const diff = diffPipelines(base, after);
    expect(diff.changedNodes).toEqual([
      { id: 'src', kind: 'csv-source', label: 'Orders CSV', configKeys: [], kindVersionChanged: false, labelChanged: true, moved: false },
      { id: 'out', kind: 'file-sink', configKeys: [], kindVersionChanged: false, labelChanged: false, moved: true },
    ]);
    expect(isCosmeticOnly(diff)).toBe(true);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('reports added and removed nodes and edges, comparing edges by what they connect', () => {
    const after = edit((doc) => {
      doc.nodes = doc.nodes.filter((n) => n.id !== 'cols');
      doc.nodes.push({ id: 'dedupe', kind: 'deduplicate', version: 1, position: { x: 1, y: 1 }, config: {} });
      doc.edges = doc.edges.filter((e) => e.source.node !== 'cols' && e.target.node !== 'cols');
      doc.edges.push({ id: 'fresh-id', source: { node: 'keep_paid', port: 'output' }, target: { node: 'out', port: 'input' } });
    });
    const diff = diffPipelines(base, after);
    expect(diff.addedNodes).toEqual([{ id: 'dedupe', kind: 'deduplicate' }]);
    expect(diff.removedNodes).toEqual([{ id: 'cols', kind: 'select-columns' }]);
    expect(diff.addedEdges).toEqual([{ id: 'fresh-id', source: 'keep_paid.output', target: 'out.input' }]);
    expect(diff.removedEdges.map((e) => [e.source, e.target])).toEqual([
      ['keep_paid.output', 'cols.input'],
      ['cols.output', 'out.input'],
    ]);
    // Redrawing an existing connection under a new id is no change.
    const redrawn = edit((doc) => {
      doc.edges = doc.edges.map((e, i) => ({ ...e, id: `redrawn-${i}` }));
    });
    expect(isEmptyDiff(diffPipelines(base, redrawn))).toBe(true);
  });

  it('treats a node whose kind changed under the same id as removed and added', () => {
    const after = edit((doc) => {
      node(doc, 'cols').kind = 'deduplicate';
    });
    const diff = diffPipelines(base, after);
    expect(diff.removedNodes).toEqual([{ id: 'cols', kind: 'select-columns' }]);
    expect(diff.addedNodes).toEqual([{ id: 'cols', kind: 'deduplicate' }]);
    expect(diff.changedNodes).toEqual([]);
  });

  it('notices settings and parameter changes', () => {
    const after = edit((doc) => {
      doc.settings = { stageRetries: 5 };
      doc.parameters = [{ name: 'day', type: 'date' }];
    });
    const diff = diffPipelines(base, after);
    expect([diff.settingsChanged, diff.parametersChanged]).toEqual([true, true]);
    expect(isCosmeticOnly(diff)).toBe(false);
    // Absent and empty settings mean the same.
    expect(diffPipelines(base, edit((doc) => (doc.settings = {}))).settingsChanged).toBe(false);
  });

  it('names the settings that changed, with their values before and after (defaults where unset)', () => {
    const before = edit((doc) => (doc.settings = { stageRetries: 5, stageTimeoutSeconds: 60, maxConcurrentRuns: 2 }));
    const after = edit((doc) => (doc.settings = { stageRetries: 2, stageTimeoutSeconds: null, maxConcurrentRuns: 2, onBranchFailure: 'stopAll' }));
    expect(diffPipelines(before, after).changedSettings).toEqual([
      { key: 'stageRetries', before: 5, after: 2 },
      { key: 'stageTimeoutSeconds', before: 60, after: null },
      { key: 'onBranchFailure', before: 'continueOthers', after: 'stopAll' },
    ]);
    // Spelling out a default is no change of value.
    expect(diffPipelines(base, edit((doc) => (doc.settings = { stageRetries: 2 }))).changedSettings).toEqual([]);
  });

  it('names the parameters added, removed and changed, and what changed in them', () => {
    const before = edit((doc) => {
      doc.parameters = [
        { name: 'day', type: 'date' },
        { name: 'min', type: 'integer', default: 5 },
        { name: 'who', type: 'string', description: 'A name' },
      ];
    });
    const after = edit((doc) => {
      doc.parameters = [
        { name: 'day', type: 'timestamp' },
        { name: 'threshold', type: 'integer', default: 5 },
        { name: 'who', type: 'string', default: 'x', description: 'The name' },
      ];
    });
    const diff = diffPipelines(before, after);
    expect(diff.addedParameters).toEqual(['threshold']);
    expect(diff.removedParameters).toEqual(['min']);
    expect(diff.changedParameters).toEqual([
      { name: 'day', fields: ['type'] },
      { name: 'who', fields: ['default', 'description'] },
    ]);
  });
});

describe('sameJson', () => {
  it('compares structurally, ignoring key order and undefined members', () => {
    expect(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1, d: undefined })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
