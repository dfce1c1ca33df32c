import { z } from 'zod';
import { col, selectAll, type Expr } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnUse, type NodeIssue } from '../define-node';

export const DeduplicateConfig = z.object({
  keys: z.array(z.string().min(1)).min(1, 'Pick at least one key column'),
  keep: z.enum(['first', 'last']).default('first'),
  /** Column that decides which row of a key is first or last; '' keeps an arbitrary row. */
  orderBy: z.string().default(''),
});
export type DeduplicateConfig = z.infer<typeof DeduplicateConfig>;

/** row_number() OVER (PARTITION BY keys ORDER BY orderBy) = 1: one row per key. */
export function firstPerKey(config: DeduplicateConfig): Expr {
  const rowNumber: Expr = {
    t: 'window',
    fn: 'row_number',
    args: [],
    partitionBy: [...new Set(config.keys)].map(col),
    // NULLS LAST both ways: a row with an order value wins over one without.
    orderBy: config.orderBy === '' ? [] : [{ expr: col(config.orderBy), descending: config.keep === 'last', nullsFirst: false }],
  };
  return { t: 'compare', op: '=', left: rowNumber, right: { t: 'literal', value: 1 } };
}

export const deduplicate = defineNode({
  kind: 'deduplicate',
  version: 1,
  category: 'transform',
  columnReads: 'passThrough',
  label: 'Deduplicate',
  icon: '◎',
  description:
    'Keeps one row per combination of key values (NULL keys count as equal). With an order column it keeps the row with the lowest ("first") or highest ("last") value there, preferring rows where it is not NULL; rows tied on it, or any rows when no order column is set, are picked arbitrarily and may differ between runs. Columns are unchanged; rows come out in no particular order.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Unique rows' }] },
  config: DeduplicateConfig,
  initialConfig: { keys: [], keep: 'first', orderBy: '' },
  fields: [
    { key: 'keys', widget: 'columnList', label: 'Key columns', help: 'Rows with equal values in all of these are duplicates.', port: 'input' },
    {
      key: 'keep',
      widget: 'select',
      label: 'Keep',
      options: [
        { value: 'first', label: 'first row (lowest order value)' },
        { value: 'last', label: 'last row (highest order value)' },
      ],
    },
    { key: 'orderBy', widget: 'column', label: 'Order by', help: 'Optional. Without it an arbitrary row of each key is kept.', port: 'input' },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const known = new Set(columns.map((c) => c.name));
    const issues: NodeIssue[] = [];
    const seen = new Set<string>();
    config.keys.forEach((key, i) => {
      if (!known.has(key)) issues.push(unknownColumnIssue(key, columns, ['keys', i]));
      else if (seen.has(key)) issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['keys', i], message: `Key column "${key}" is listed twice` });
      seen.add(key);
    });
    if (config.orderBy !== '') {
      if (!known.has(config.orderBy)) issues.push(unknownColumnIssue(config.orderBy, columns, ['orderBy']));
      else if (seen.has(config.orderBy)) {
        issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['orderBy'], message: `"${config.orderBy}" is a key column, so it is the same within each key and cannot choose a row` });
      }
    } else if (config.keep === 'last') {
      issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['keep'], message: 'Without an order column, "last" keeps an arbitrary row per key, like "first"' });
    }
    const uses: ColumnUse[] = config.keys.map((column) => ({ port: 'input', column, how: 'filter' }));
    if (config.orderBy !== '') uses.push({ port: 'input', column: config.orderBy, how: 'order' });
    return { outputs: { output: columns }, lineage: { output: passThroughLineage('input', columns) }, uses, issues };
  },
  plan: ({ config, inputs, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('deduplicate planned without an input');
    return [{ op: 'materialize', table: outputTable('output'), query: { ...selectAll(input), qualify: firstPerKey(config) } }];
  },
});
