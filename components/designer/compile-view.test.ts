import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import { buildCompileView, columnsFromEdge, emptyCompileView, fieldDiagnostics, findInputEdge } from './compile-view';

const diagnostics: Diagnostic[] = [
  { code: 'UNKNOWN_COLUMN', severity: 'error', message: 'no such column', nodeId: 'keep', path: ['rules', 0, 'column'] },
  { code: 'INVALID_CONFIG', severity: 'error', message: 'Enter a file path', nodeId: 'src', path: ['path'] },
  { code: 'OUTPUT_UNUSED', severity: 'warning', message: 'unused', nodeId: 'keep' },
  { code: 'NO_DESTINATION', severity: 'error', message: 'writes nowhere' },
];

const schemas = { src: { output: [{ name: 'id', type: 'integer' as const }] } };

describe('buildCompileView', () => {
  it('groups diagnostics by node and counts them', () => {
    const view = buildCompileView({ diagnostics, schemas });
    expect(view.errorCount).toBe(3);
    expect(view.warningCount).toBe(1);
    expect(view.byNode.get('keep')?.map((d) => d.code)).toEqual(['UNKNOWN_COLUMN', 'OUTPUT_UNUSED']);
    expect(view.byNode.get('src')).toHaveLength(1);
    expect(buildCompileView(undefined)).toBe(emptyCompileView);
  });

  it('picks the diagnostics of one field by the first path segment', () => {
    expect(fieldDiagnostics(diagnostics, 'rules').map((d) => d.code)).toEqual(['UNKNOWN_COLUMN']);
    expect(fieldDiagnostics(diagnostics, 'columns')).toEqual([]);
  });
});

describe('input columns', () => {
  const edges = [{ id: 'e1', source: 'src', sourceHandle: 'output', target: 'keep', targetHandle: 'input' }];

  it('are the propagated columns of the output feeding the port', () => {
    const edge = findInputEdge(edges, 'keep', 'input');
    expect(edge?.id).toBe('e1');
    expect(columnsFromEdge(schemas, edge)).toEqual([{ name: 'id', type: 'integer' }]);
  });

  it('are empty for an unconnected port or an unknown schema', () => {
    expect(columnsFromEdge(schemas, findInputEdge(edges, 'keep', 'other'))).toEqual([]);
    expect(columnsFromEdge({}, edges[0])).toEqual([]);
  });
});
