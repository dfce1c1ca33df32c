import { z } from 'zod';
import { cast, col, param, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column } from '../types';

// Output shape: the merged column replaces the first source column when the
// sources are dropped, and is appended after the input columns otherwise.
// Non-text sources are converted to text first (DuckDB CAST ... AS VARCHAR).

export const MergeNulls = {
  skip: 'Skip them (no separator either); NULL when every value is NULL',
  empty: 'Treat them as empty text (separators stay)',
  null: 'Make the result NULL',
} as const;
type MergeNullPolicy = keyof typeof MergeNulls;
const nullPolicies = Object.keys(MergeNulls) as [MergeNullPolicy, ...MergeNullPolicy[]];

export const MergeColumnsConfig = z.object({
  columns: z.array(z.string().min(1)).min(2, 'Choose at least two columns to merge'),
  separator: z.string().max(1000).default(' '),
  nulls: z.enum(nullPolicies).default('skip'),
  as: z.string().trim().min(1, 'Name the merged column').max(255),
  dropSources: z.boolean().default(false),
});
export type MergeColumnsConfig = z.infer<typeof MergeColumnsConfig>;

interface MergeShape {
  /** `merged`: this output column is the merge; others are input columns. */
  columns: (Column & { merged?: true })[];
  lineage: Record<string, ColumnLineage>;
  issues: NodeIssue[];
}

function mergeShape(config: MergeColumnsConfig, input: Column[]): MergeShape {
  const issues: NodeIssue[] = [];
  const seen = new Set<string>();
  config.columns.forEach((name, i) => {
    if (!input.some((c) => c.name === name)) issues.push(unknownColumnIssue(name, input, ['columns', i]));
    else if (seen.has(name)) issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['columns', i], message: `Column "${name}" is merged twice` });
    seen.add(name);
  });
  const sources = new Set(config.columns);
  const kept = config.dropSources ? input.filter((c) => !sources.has(c.name)) : input;
  const clash = kept.find((c) => c.name.toLowerCase() === config.as.toLowerCase());
  if (clash) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['as'], message: `The output already has a column "${clash.name}"; choose another name for the merged column` });

  const merged = { name: config.as, type: 'string' as const, merged: true as const };
  const firstSource = input.findIndex((c) => sources.has(c.name));
  const columns: MergeShape['columns'] = clash
    ? kept
    : config.dropSources && firstSource !== -1
      ? input.flatMap((c, i) => (i === firstSource ? [merged] : sources.has(c.name) ? [] : [c]))
      : [...kept, merged];
  const lineage = passThroughLineage('input', kept);
  if (!clash) lineage[config.as] = { from: [...sources].filter((s) => input.some((c) => c.name === s)).map((column) => ({ port: 'input', column })), how: 'derived' };
  return { columns, lineage, issues };
}

function mergeExpr(config: MergeColumnsConfig, input: Column[]): Expr {
  const asText = (name: string): Expr => (input.find((c) => c.name === name)?.type === 'string' ? col(name) : cast(col(name), 'string'));
  const values = config.columns.map(asText);
  switch (config.nulls) {
    case 'skip': {
      // concat_ws skips NULLs but gives '' when all are NULL; NULL says "nothing to merge" better.
      const allNull: Expr = { t: 'logical', op: 'AND', items: config.columns.map((name) => ({ t: 'isNull', expr: col(name), negated: false })) };
      return { t: 'case', when: [{ condition: allNull, then: { t: 'literal', value: null } }], else: { t: 'call', fn: 'concat_ws', args: [param(config.separator), ...values] } };
    }
    case 'empty':
      return { t: 'call', fn: 'concat_ws', args: [param(config.separator), ...values.map((v): Expr => ({ t: 'call', fn: 'coalesce', args: [v, { t: 'literal', value: '' }] }))] };
    case 'null': {
      const anyNull: Expr = { t: 'logical', op: 'OR', items: config.columns.map((name) => ({ t: 'isNull', expr: col(name), negated: false })) };
      return { t: 'case', when: [{ condition: anyNull, then: { t: 'literal', value: null } }], else: { t: 'call', fn: 'concat_ws', args: [param(config.separator), ...values] } };
    }
  }
}

export const mergeColumns = defineNode({
  kind: 'merge-columns',
  version: 1,
  category: 'transform',
  label: 'Merge columns',
  icon: '⊕',
  description:
    'Joins the text of several columns into one new text column, in the chosen order, with a separator between values. Non-text values are converted to text first. ' +
    'NULL values are skipped (the result is NULL only when all are NULL), treated as empty text, or make the result NULL. The sources can be dropped; the merged column then takes the place of the first one, otherwise it is added at the end.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: MergeColumnsConfig,
  initialConfig: { columns: [], separator: ' ', nulls: 'skip', as: '', dropSources: false },
  fields: [
    { key: 'columns', widget: 'columnList', label: 'Columns to merge, in order', port: 'input' },
    { key: 'separator', widget: 'text', label: 'Separator', placeholder: ' ', help: 'Put between values as written; may be empty' },
    { key: 'nulls', widget: 'select', label: 'NULL values', options: nullPolicies.map((p) => ({ value: p, label: MergeNulls[p] })) },
    { key: 'as', widget: 'text', label: 'Merged column name' },
    { key: 'dropSources', widget: 'toggle', label: 'Drop the merged columns' },
  ],
  propagate: ({ config, inputs }) => {
    const { columns, lineage, issues } = mergeShape(config, inputs.input ?? []);
    return { outputs: { output: columns.map((c) => ({ name: c.name, type: c.type })) }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('merge-columns planned without an input');
    const columns = inputColumns.input ?? [];
    const items: SelectItem[] = mergeShape(config, columns).columns.map((c) => (c.merged ? { expr: mergeExpr(config, columns), as: c.name } : { expr: col(c.name) }));
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
