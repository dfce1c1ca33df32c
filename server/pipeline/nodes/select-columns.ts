import { z } from 'zod';
import { selectColumns as selectColumnsQuery } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type NodeIssue } from '../define-node';
import type { Column } from '../types';

export const SelectColumnsConfig = z.object({
  columns: z.array(z.string().min(1)).min(1, 'Pick at least one column'),
});
export type SelectColumnsConfig = z.infer<typeof SelectColumnsConfig>;

export const selectColumns = defineNode({
  kind: 'select-columns',
  version: 1,
  category: 'transform',
  columnReads: 'lineage',
  label: 'Select columns',
  icon: '▥',
  description: 'Keeps only the chosen columns, in the chosen order.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: SelectColumnsConfig,
  initialConfig: { columns: [] },
  fields: [{ key: 'columns', widget: 'columnList', label: 'Columns to keep', port: 'input' }],
  propagate: ({ config, inputs }) => {
    const available = inputs.input ?? [];
    const byName = new Map(available.map((c) => [c.name, c]));
    const issues: NodeIssue[] = [];
    const outputs: Column[] = [];
    const seen = new Set<string>();
    config.columns.forEach((name, i) => {
      const column = byName.get(name);
      if (!column) issues.push(unknownColumnIssue(name, available, ['columns', i]));
      else if (seen.has(name)) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['columns', i], message: `Column "${name}" is selected twice` });
      else outputs.push(column);
      seen.add(name);
    });
    return {
      outputs: { output: outputs },
      lineage: { output: Object.fromEntries(outputs.map((c) => [c.name, { from: [{ port: 'input', column: c.name }], how: 'copied' as const }])) },
      issues,
    };
  },
  plan: ({ config, inputs, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('select-columns planned without an input');
    return [{ op: 'materialize', table: outputTable('output'), query: selectColumnsQuery(config.columns, input) }];
  },
});
