import { z } from 'zod';
import { col, selectAll, type OrderItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type NodeIssue } from '../define-node';

export const SortKey = z.object({
  column: z.string().min(1, 'Choose a column'),
  descending: z.boolean().default(false),
  nullsFirst: z.boolean().default(false),
});
export type SortKey = z.infer<typeof SortKey>;

export const SortConfig = z.object({
  keys: z.array(SortKey).min(1, 'Add at least one sort key'),
});
export type SortConfig = z.infer<typeof SortConfig>;

export const sort = defineNode({
  kind: 'sort',
  version: 1,
  category: 'transform',
  columnReads: 'passThrough',
  label: 'Sort',
  icon: '⇅',
  description:
    'Orders rows by one or more columns; later keys break ties in earlier ones, and rows still tied keep no particular order. NULLs go last unless a key says otherwise. Text sorts by Unicode code point (binary), so "Z" comes before "a" and "é" after "z". A destination fed directly by this node writes rows in this order; nodes that combine rows (joins, aggregates) may not keep it, so sort last.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Sorted rows' }] },
  config: SortConfig,
  initialConfig: { keys: [] },
  fields: [
    {
      key: 'keys',
      widget: 'list',
      label: 'Sort by',
      itemLabel: 'Sort key',
      addLabel: 'Add sort key',
      newItem: { column: '', descending: false, nullsFirst: false },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'descending', label: 'Descending', widget: 'toggle' },
        { key: 'nullsFirst', label: 'NULLs first', widget: 'toggle' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const known = new Set(columns.map((c) => c.name));
    const issues: NodeIssue[] = [];
    const seen = new Set<string>();
    config.keys.forEach((key, i) => {
      if (!known.has(key.column)) issues.push(unknownColumnIssue(key.column, columns, ['keys', i, 'column']));
      else if (seen.has(key.column)) {
        issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['keys', i, 'column'], message: `Rows are already sorted by "${key.column}"; this key changes nothing` });
      }
      seen.add(key.column);
    });
    return {
      outputs: { output: columns },
      lineage: { output: passThroughLineage('input', columns) },
      uses: config.keys.map((k) => ({ port: 'input', column: k.column, how: 'order' as const })),
      issues,
    };
  },
  plan: ({ config, inputs, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('sort planned without an input');
    const orderBy: OrderItem[] = config.keys.map((k) => ({ expr: col(k.column), descending: k.descending, nullsFirst: k.nullsFirst }));
    return [{ op: 'materialize', table: outputTable('output'), query: { ...selectAll(input), orderBy } }];
  },
});
