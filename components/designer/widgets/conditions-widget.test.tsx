// Server-renders the conditions widget to check its accessible names, issue
// marking, the mode switch and the selectors the e2e specs rely on.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import { FORMAT_VERSION } from '@/server/pipeline/model';
import type { Column } from '@/server/pipeline/types';
import { DesignerStoreProvider } from '../store-context';
import { ConditionsEditor } from './conditions-widget';
import type { FieldOf } from './widget-types';

const field: FieldOf<'conditions'> = { key: 'rules', label: 'Conditions', widget: 'conditions', port: 'input' };
const columns: Column[] = [
  { name: 'amount', type: 'float' },
  { name: 'customer', type: 'string' },
];
const issue = (...path: (string | number)[]): Diagnostic => ({ code: 'UNKNOWN_COLUMN', severity: 'error', message: `problem at ${path.join('.')}`, path });
const rule = (column: string, op = 'eq', value = '') => ({ column, op, value });
const group = (rules: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'group', combinator: 'and', not: false, rules, ...extra });

function render(config: Record<string, unknown>, { issues = [], sqlIssues = [] }: { issues?: Diagnostic[]; sqlIssues?: Diagnostic[] } = {}) {
  return renderToStaticMarkup(
    <DesignerStoreProvider initial={{ formatVersion: FORMAT_VERSION, nodes: [], edges: [] }}>
      <ConditionsEditor
        field={field}
        nodeId="keep"
        value={config.rules}
        config={config}
        onChange={() => undefined}
        onMerge={() => undefined}
        inputId="f"
        describedBy={undefined}
        issues={issues}
        columns={columns}
        sqlIssues={sqlIssues}
      />
    </DesignerStoreProvider>,
  );
}

/** Accessible names given by aria-label, in document order. */
const ariaLabels = (html: string) => [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);

describe('ConditionsWidget', () => {
  it('keeps the names the e2e specs use for a flat list saved before groups existed', () => {
    const html = render({ combinator: 'and', rules: [rule('amount', 'gt', '1')] });
    for (const name of ['Condition 1 column', 'Condition 1 operator', 'Condition 1 value', 'Remove condition 1', 'Combine conditions with', 'Negate all conditions (NOT)']) {
      expect(ariaLabels(html)).toContain(name);
    }
    // Exactly one button is named "Add condition" (Playwright's getByRole matches names by substring).
    expect(html.match(/>Add condition<\/button>/g)).toHaveLength(1);
    expect(ariaLabels(html).filter((n) => n?.includes('Add condition'))).toEqual([]);
    expect(html).toContain('name="f-mode" checked="" value="builder"');
  });

  it('names nested rules and groups by their place in the tree', () => {
    const html = render({ combinator: 'or', rules: [rule('amount', 'gt', '1'), group([rule('customer'), group([rule('amount', 'is_null')], { not: true })])] });
    expect(ariaLabels(html)).toEqual(
      expect.arrayContaining([
        'Condition 2.1 column',
        'Condition 2.2.1 operator',
        'Group 2',
        'Group 2 combinator',
        'Negate group 2 (NOT)',
        'Remove group 2',
        'Add condition to group 2',
        'Add group to group 2.2',
        'Group 2.2',
      ]),
    );
    // The nested NOT is checked; the top one is not.
    expect(html).toContain('aria-label="Negate group 2.2 (NOT)" checked=""');
    expect(html).toContain('aria-label="Negate group 2 (NOT)"/>');
    expect(html).toContain('aria-label="Negate all conditions (NOT)"/>');
    // The value input is hidden for "is null".
    expect(ariaLabels(html)).not.toContain('Condition 2.2.1 value');
  });

  it('marks the control a diagnostic points at, however deep, and a group reported as a whole', () => {
    const html = render(
      { rules: [rule('amount'), group([rule('custmer'), group([])])] },
      { issues: [issue('rules', 1, 'rules', 0, 'column'), issue('rules', 1, 'rules', 1, 'rules')] },
    );
    expect(html).toMatch(/aria-label="Condition 2.1 column" aria-invalid="true"/);
    expect(html).toMatch(/aria-label="Condition 1 column" aria-invalid="false"/);
    expect(html).toContain('custmer (missing)');
    expect(html).toMatch(/aria-label="Group 2.2" data-invalid="true"/);
    expect(html).toMatch(/aria-label="Group 2" class=/);
  });

  it('offers no deeper group at the nesting limit', () => {
    const html = render({ rules: [group([group([group([rule('amount')])])])] });
    expect(html).toMatch(/disabled="" title="Groups cannot be nested deeper" aria-label="Add group to group 1.1.1"/);
    expect(html).not.toMatch(/disabled="" title="Groups cannot be nested deeper" aria-label="Add group to group 1.1"/);
  });

  it('shows the SQL expression editor in SQL mode, with its diagnostics, instead of the tree', () => {
    const sqlIssue: Diagnostic = { code: 'TYPE_MISMATCH', severity: 'error', message: 'must be true or false', path: ['sql'] };
    const html = render({ mode: 'sql', sql: 'amount * 2', rules: [rule('amount')] }, { sqlIssues: [sqlIssue] });
    expect(html).toContain('name="f-mode" checked="" value="sql"');
    expect(html).toContain('<label for="f-sql" class="block text-xs font-medium text-neutral-300">SQL condition (DuckDB, true for the rows to keep)</label>');
    // The SQL is edited in the (client-only) Monaco expression editor; on the server it renders its placeholder.
    expect(html).toMatch(/id="f-sql"[^>]*data-field-control="expression"/);
    expect(html).toContain('id="f-sql-issues"');
    expect(html).toContain('<li class="text-xs text-red-300">must be true or false</li>');
    expect(ariaLabels(html)).not.toContain('Condition 1 column');
    expect(ariaLabels(html)).toContain('Condition mode');
  });
});
