import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '@/server/pipeline/model';
import { exportFileName, exportPipeline, parseImportedPipeline } from './import-export';

const document: VisualPipeline = {
  formatVersion: FORMAT_VERSION,
  nodes: [
    { id: 'src', kind: 'csv-source', version: 1, label: 'Orders', position: { x: 0, y: 0 }, config: { path: 'a.csv' } },
    { id: 'keep', kind: 'filter', version: 1, position: { x: 200, y: 0 }, config: { rules: [] } },
  ],
  edges: [{ id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'keep', port: 'input' } }],
};

describe('pipeline import and export', () => {
  it('round-trips a document', () => {
    expect(parseImportedPipeline(exportPipeline(document))).toEqual({ ok: true, document });
  });

  it('names the file after the pipeline', () => {
    expect(exportFileName('Paid orders (EU) — v2')).toBe('paid-orders-eu-v2.sluice.json');
    expect(exportFileName('Café')).toBe('cafe.sluice.json');
    expect(exportFileName('!!!')).toBe('pipeline.sluice.json');
  });

  it('explains text that is not JSON', () => {
    const result = parseImportedPipeline('{"nodes": [');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(/^The file is not JSON: /);
  });

  it('explains another format version', () => {
    expect(parseImportedPipeline('{"formatVersion": 7, "nodes": [], "edges": []}')).toEqual({
      ok: false,
      errors: ['The file is format version 7; this Sluice reads version 1.'],
    });
  });

  it('points at each field the model rejects', () => {
    const bad = { ...document, nodes: [{ ...document.nodes[0], id: 'has space', position: { x: 'left', y: 0 } }, document.nodes[1]] };
    const result = parseImportedPipeline(JSON.stringify(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContain('nodes[0].id: Node ids are 1–64 letters, digits, - or _');
    expect(result.errors.some((e) => e.startsWith('nodes[0].position.x: '))).toBe(true);
    expect(parseImportedPipeline('[]')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^the document: /)] });
  });

  it('refuses duplicate ids and edges to missing nodes', () => {
    const bad: VisualPipeline = {
      ...document,
      nodes: [...document.nodes, { ...document.nodes[1]! }],
      edges: [...document.edges, { id: 'e1', source: { node: 'gone', port: 'output' }, target: { node: 'keep', port: 'input' } }],
    };
    expect(parseImportedPipeline(JSON.stringify(bad))).toEqual({
      ok: false,
      errors: ['nodes[2].id: the id "keep" is used by another node', 'edges[1].id: the id "e1" is used by another edge', 'edges[1].source.node: no node has the id "gone"'],
    });
  });
});
