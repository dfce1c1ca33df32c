import { z } from 'zod';
import { col, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column } from '../types';

export const DerivedColumn = z.object({
  name: z.string().trim().min(1, 'Name the new column').max(255),
  expression: z.string().trim().min(1, 'Write an expression').max(10_000),
});

export const DeriveColumnsConfig = z.object({
  columns: z.array(DerivedColumn).min(1, 'Add at least one column'),
});
export type DeriveColumnsConfig = z.infer<typeof DeriveColumnsConfig>;

const keyOf = (index: number) => `columns.${index}.expression`;

export const deriveColumns = defineNode({
  kind: 'derive-columns',
  version: 1,
  category: 'transform',
  failsOnData: () => true,
  label: 'Derive columns',
  icon: '∑',
  description:
    'Adds columns computed by DuckDB SQL expressions over the input columns, e.g. amount * 1.2 or lower(trim(email)). A column with an existing name is replaced in place. Each expression sees the input columns, not the other derived ones.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: DeriveColumnsConfig,
  initialConfig: { columns: [{ name: '', expression: '' }] },
  fields: [
    {
      key: 'columns',
      widget: 'list',
      label: 'Columns',
      itemLabel: 'Column',
      addLabel: 'Add column',
      newItem: { name: '', expression: '' },
      itemFields: [
        { key: 'name', label: 'name', widget: 'text' },
        { key: 'expression', label: 'expression', widget: 'expression', port: 'input', placeholder: 'amount * 1.2' },
      ],
    },
  ],
  expressions: (config) => config.columns.map((c, i) => ({ key: keyOf(i), sql: c.expression, port: 'input', path: ['columns', i, 'expression'] })),
  propagate: ({ config, inputs, expressions = {} }) => {
    const input = inputs.input ?? [];
    const issues: NodeIssue[] = [];
    const derived = new Map<string, { column: Column; lineage: ColumnLineage }>();
    config.columns.forEach((c, i) => {
      const answer = expressions[keyOf(i)];
      if (!answer) return;
      if ([...derived.keys()].some((n) => n.toLowerCase() === c.name.toLowerCase())) {
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['columns', i, 'name'], message: `Column "${c.name}" is derived twice` });
        return;
      }
      derived.set(c.name, { column: { name: c.name, type: answer.type }, lineage: { from: answer.references.map((column) => ({ port: 'input', column })), how: 'derived' } });
    });
    const outputs: Column[] = input.map((c) => derived.get(c.name)?.column ?? c);
    const lineage: Record<string, ColumnLineage> = passThroughLineage('input', input);
    for (const [name, d] of derived) {
      if (!input.some((c) => c.name === name)) outputs.push(d.column);
      lineage[name] = d.lineage;
    }
    return { outputs: { output: outputs }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('derive-columns planned without an input');
    const bySql = new Map(config.columns.map((c) => [c.name, c.expression]));
    const existing = inputColumns.input ?? [];
    const items: SelectItem[] = existing.map((c) => {
      const sql = bySql.get(c.name);
      return sql === undefined ? { expr: col(c.name) } : { expr: { t: 'checkedSql', sql }, as: c.name };
    });
    for (const c of config.columns) {
      if (!existing.some((e) => e.name === c.name)) items.push({ expr: { t: 'checkedSql', sql: c.expression }, as: c.name });
    }
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
