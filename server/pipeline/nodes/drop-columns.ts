import { z } from 'zod';
import { selectColumns as selectColumnsQuery } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type NodeIssue } from '../define-node';
import type { Column } from '../types';

export const DropColumnsConfig = z.object({
  columns: z.array(z.string().min(1)).min(1, 'Pick at least one column to drop'),
});
export type DropColumnsConfig = z.infer<typeof DropColumnsConfig>;

const remaining = (columns: Column[], dropped: string[]): Column[] => {
  const drop = new Set(dropped);
  return columns.filter((c) => !drop.has(c.name));
};

export const dropColumns = defineNode({
  kind: 'drop-columns',
  version: 1,
  category: 'transform',
  columnReads: 'lineage',
  label: 'Drop columns',
  icon: '◫',
  description: 'Removes the chosen columns and keeps all the others in their order, including columns added upstream later.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: DropColumnsConfig,
  initialConfig: { columns: [] },
  fields: [{ key: 'columns', widget: 'columnList', label: 'Columns to drop', port: 'input' }],
  propagate: ({ config, inputs }) => {
    const available = inputs.input ?? [];
    const known = new Set(available.map((c) => c.name));
    const issues: NodeIssue[] = [];
    const seen = new Set<string>();
    config.columns.forEach((name, i) => {
      if (!known.has(name)) issues.push(unknownColumnIssue(name, available, ['columns', i]));
      else if (seen.has(name)) issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['columns', i], message: `Column "${name}" is listed twice` });
      seen.add(name);
    });
    const outputs = remaining(available, config.columns);
    if (available.length > 0 && outputs.length === 0) {
      issues.push({ code: 'INVALID_CONFIG', path: ['columns'], message: 'Every column would be dropped; keep at least one' });
    }
    return { outputs: { output: outputs }, lineage: { output: passThroughLineage('input', outputs) }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('drop-columns planned without an input');
    const keep = remaining(inputColumns.input ?? [], config.columns).map((c) => c.name);
    return [{ op: 'materialize', table: outputTable('output'), query: selectColumnsQuery(keep, input) }];
  },
});
