// Server-renders the list widget to check its accessible names and issue marking.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import { FORMAT_VERSION } from '@/server/pipeline/model';
import { DesignerStoreProvider } from '../store-context';
import { ListWidget } from './list-widget';
import type { FieldOf } from './widget-types';

const field: FieldOf<'list'> = {
  key: 'aggregates',
  label: 'Aggregates',
  widget: 'list',
  itemLabel: 'Aggregate',
  addLabel: 'Add aggregate',
  newItem: { fn: 'sum', column: '' },
  itemFields: [
    { key: 'fn', label: 'Function', widget: 'select', options: [{ value: 'sum', label: 'sum' }] },
    { key: 'column', label: 'Column', widget: 'column', port: 'input' },
    { key: 'limit', label: 'Limit', widget: 'number', integer: true, min: 1 },
    { key: 'distinct', label: 'Distinct', widget: 'toggle' },
    { key: 'filter', label: 'Filter', widget: 'expression', port: 'input', placeholder: 'e.g. "x" > 0' },
  ],
};

const issue = (...path: (string | number)[]): Diagnostic => ({ code: 'UNKNOWN_COLUMN', severity: 'error', message: 'x', path });

function render(value: unknown, issues: Diagnostic[] = []) {
  return renderToStaticMarkup(
    <DesignerStoreProvider initial={{ formatVersion: FORMAT_VERSION, nodes: [], edges: [] }}>
      <ListWidget field={field} nodeId="agg" value={value} config={{ aggregates: value }} onChange={() => undefined} onMerge={() => undefined} inputId="f" describedBy={undefined} issues={issues} />
    </DesignerStoreProvider>,
  );
}

describe('ListWidget', () => {
  it('names every control and button after its item', () => {
    const html = render([{ fn: 'sum', column: 'amount', limit: 3 }, { fn: 'sum' }]);
    for (const name of [
      'Aggregate 1 function',
      'Aggregate 1 column',
      'Aggregate 1 limit',
      'Aggregate 1 distinct',
      'Aggregate 2 function',
      'Move aggregate 1 down',
      'Move aggregate 2 up',
      'Remove aggregate 2',
    ]) {
      expect(html).toContain(`aria-label="${name}"`);
    }
    // The filter's editor loads in the browser only (it takes its accessible name from Monaco's options); the server renders its place.
    expect(html).toMatch(/<label for="([^"]+-0-filter)"[^>]*>Filter<\/label><div id="\1" data-field-control="expression">/);
    expect(html).toContain('data-testid="code-editor-loading"');
    expect(html).toContain('amount (missing)');
    expect(html).toContain('value="3"');
    expect(html).toContain('step="1"');
    expect(html).toContain('>Add aggregate</button>');
  });

  it('marks the control a diagnostic points at, and the item for item-level diagnostics', () => {
    const html = render([{ column: 'a' }, { column: 'b' }], [issue('aggregates', 1, 'column'), issue('aggregates', 0)]);
    expect(html).toMatch(/aria-label="Aggregate 2 column" aria-invalid="true"/);
    expect(html).toMatch(/aria-label="Aggregate 1 column" aria-invalid="false"/);
    expect(html.match(/data-invalid="true"/g)).toHaveLength(1);
  });

  it('treats a missing or non-array value as an empty list', () => {
    for (const value of [undefined, 'junk', { fn: 'sum' }]) {
      const html = render(value);
      expect(html).toContain('None yet.');
      expect(html).not.toContain('Aggregate 1');
    }
  });
});
