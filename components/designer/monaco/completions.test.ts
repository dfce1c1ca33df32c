import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import { completionEntries, jsColumnReference, markersFor, sqlColumnReference } from './completions';

describe('editor completions', () => {
  it('inserts SQL columns bare only when that names the same column', () => {
    expect(sqlColumnReference('amount')).toBe('amount');
    expect(sqlColumnReference('order_id2')).toBe('order_id2');
    expect(sqlColumnReference('Amount')).toBe('"Amount"');
    expect(sqlColumnReference('unit price')).toBe('"unit price"');
    expect(sqlColumnReference('select')).toBe('"select"');
    expect(sqlColumnReference('say "hi"')).toBe('"say ""hi"""');
    expect(sqlColumnReference('café')).toBe('"café"');
  });

  it('inserts JavaScript columns as identifiers or string keys', () => {
    expect(jsColumnReference('amount')).toBe('amount');
    expect(jsColumnReference('$x_1')).toBe('$x_1');
    expect(jsColumnReference('unit price')).toBe('"unit price"');
    expect(jsColumnReference('2nd')).toBe('"2nd"');
  });

  it('lists inputs then each column once, with its type', () => {
    const entries = completionEntries({
      language: 'sql',
      tables: ['input_1'],
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'Total', type: 'float' },
        { name: 'id', type: 'integer' },
      ],
    });
    expect(entries).toEqual([
      { label: 'input_1', insertText: 'input_1', detail: 'input', kind: 'table' },
      { label: 'id', insertText: 'id', detail: 'integer', kind: 'column' },
      { label: 'Total', insertText: '"Total"', detail: 'float', kind: 'column' },
    ]);
  });
});

describe('editor markers', () => {
  const d = (severity: Diagnostic['severity'], message: string): Diagnostic => ({ code: 'UNKNOWN_COLUMN', severity, message, path: ['expression'] });

  it('underlines the whole text for each diagnostic of the field', () => {
    expect(markersFor([d('error', 'no column amont'), d('warning', 'slow')], 'amont *\n  2')).toEqual([
      { severity: 'error', message: 'no column amont', startLineNumber: 1, startColumn: 1, endLineNumber: 2, endColumn: 4 },
      { severity: 'warning', message: 'slow', startLineNumber: 1, startColumn: 1, endLineNumber: 2, endColumn: 4 },
    ]);
  });

  it('marks the start of an empty text', () => {
    expect(markersFor([d('error', 'required')], '')).toEqual([
      { severity: 'error', message: 'required', startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 2 },
    ]);
  });
});
