import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import { defineNode, passThroughLineage, type NodeIssue } from '../define-node';

const count = (what: string) =>
  z
    .number(`Enter the ${what} as a number`)
    .min(0, `The ${what} cannot be negative`)
    .max(Number.MAX_SAFE_INTEGER, `The ${what} is too large`)
    .refine(Number.isInteger, `The ${what} must be a whole number`);

export const LimitConfig = z.object({
  rows: count('number of rows to keep'),
  offset: count('number of rows to skip').default(0),
});
export type LimitConfig = z.infer<typeof LimitConfig>;

export const limit = defineNode({
  kind: 'limit',
  version: 1,
  category: 'transform',
  columnReads: 'passThrough',
  label: 'Limit',
  icon: '⇥',
  description:
    'Keeps at most the given number of rows, optionally after skipping some. Rows are taken in the order they arrive: put a Sort before this node for a top-N, otherwise "first" means the order of the input (e.g. the lines of a CSV file).',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: LimitConfig,
  initialConfig: { rows: 100, offset: 0 },
  fields: [
    { key: 'rows', widget: 'number', label: 'Rows to keep', min: 0, integer: true, placeholder: '100' },
    { key: 'offset', widget: 'number', label: 'Rows to skip first', min: 0, integer: true, placeholder: '0' },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = config.rows === 0 ? [{ code: 'INVALID_VALUE', severity: 'warning', path: ['rows'], message: 'A limit of 0 keeps no rows' }] : [];
    return { outputs: { output: columns }, lineage: { output: passThroughLineage('input', columns) }, issues };
  },
  plan: ({ config, inputs, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('limit planned without an input');
    return [{ op: 'materialize', table: outputTable('output'), query: { ...selectAll(input), limit: config.rows, ...(config.offset > 0 ? { offset: config.offset } : {}) } }];
  },
});
