import { z } from 'zod';
import { cast, col, param, type AggregateFunction, type Expr, type OrderItem, type Select } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

/** What each function accepts: any column, a numeric one, or a boolean one. */
export const AggregateFunctions = {
  count: { label: 'Count', accepts: 'any' },
  count_distinct: { label: 'Count distinct', accepts: 'any' },
  sum: { label: 'Sum', accepts: 'numeric' },
  avg: { label: 'Average', accepts: 'numeric' },
  min: { label: 'Minimum', accepts: 'any' },
  max: { label: 'Maximum', accepts: 'any' },
  median: { label: 'Median', accepts: 'numeric' },
  stddev: { label: 'Standard deviation (sample)', accepts: 'numeric' },
  variance: { label: 'Variance (sample)', accepts: 'numeric' },
  percentile: { label: 'Percentile', accepts: 'numeric' },
  first: { label: 'First', accepts: 'any' },
  last: { label: 'Last', accepts: 'any' },
  string_agg: { label: 'Join text', accepts: 'any' },
  any: { label: 'Any is true', accepts: 'boolean' },
  all: { label: 'All are true', accepts: 'boolean' },
} as const;
export type AggregateFunctionName = keyof typeof AggregateFunctions;
const functionNames = Object.keys(AggregateFunctions) as [AggregateFunctionName, ...AggregateFunctionName[]];

const OutputName = z
  .string()
  .max(255)
  .refine((s) => !s.includes('\0'), 'The name contains a NUL character')
  .default('');
const AggregatedColumn = z.string().min(1, 'Choose a column');
const OrderColumn = z.string().default('');

// One variant per shape of settings; keys a variant does not use are dropped.
export const AggregateSpec = z.discriminatedUnion(
  'function',
  [
    /** An empty column counts rows; a column counts its non-NULL values. */
    z.object({ function: z.literal('count'), column: z.string().default(''), as: OutputName }),
    z.object({
      function: z.enum(['count_distinct', 'sum', 'avg', 'min', 'max', 'median', 'stddev', 'variance', 'any', 'all']),
      column: AggregatedColumn,
      as: OutputName,
    }),
    z.object({
      function: z.literal('percentile'),
      column: AggregatedColumn,
      fraction: z.number().min(0, 'The fraction must be between 0 and 1').max(1, 'The fraction must be between 0 and 1').default(0.5),
      as: OutputName,
    }),
    z.object({ function: z.enum(['first', 'last']), column: AggregatedColumn, orderBy: OrderColumn, as: OutputName }),
    z.object({
      function: z.literal('string_agg'),
      column: AggregatedColumn,
      separator: z
        .string()
        .refine((s) => !s.includes('\0'), 'The separator contains a NUL character')
        .default(', '),
      orderBy: OrderColumn,
      as: OutputName,
    }),
  ],
  // Only the "no such function" issue names the discriminator; a non-object item keeps zod's message.
  { error: (issue) => (issue.discriminator === undefined ? undefined : 'Choose an aggregate function') },
);
export type AggregateSpec = z.infer<typeof AggregateSpec>;

export const AggregateConfig = z.object({
  groupBy: z.array(z.string().min(1, 'Choose a column')).default([]),
  aggregates: z.array(AggregateSpec).min(1, 'Add at least one aggregate'),
});
export type AggregateConfig = z.infer<typeof AggregateConfig>;

/** The output name used when `as` is empty: `sum_amount`, `count`, `p95_latency`. */
export function aggregateOutputName(a: AggregateSpec): string {
  if (a.as !== '') return a.as;
  if (a.function === 'count' && a.column === '') return 'count';
  if (a.function === 'percentile') return `p${String(Number((a.fraction * 100).toFixed(6))).replace('.', '_')}_${a.column}`;
  return `${a.function}_${a.column}`;
}

function outputType(fn: AggregateFunctionName, input: ColumnType): ColumnType {
  switch (fn) {
    case 'count':
    case 'count_distinct':
      return 'integer';
    case 'avg':
    case 'median':
    case 'stddev':
    case 'variance':
    case 'percentile':
      return 'float';
    case 'string_agg':
      return 'string';
    case 'any':
    case 'all':
      return 'boolean';
    case 'sum':
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      return input;
  }
}

function accepts(fn: AggregateFunctionName, type: ColumnType): boolean {
  switch (AggregateFunctions[fn].accepts) {
    case 'any':
      return true;
    case 'numeric':
      return type === 'integer' || type === 'float';
    case 'boolean':
      return type === 'boolean';
  }
}

interface AggregateOutput {
  column: Column;
  spec: AggregateSpec;
  /** Type of the aggregated column; undefined for count(*). */
  inputType: ColumnType | undefined;
}

interface AggregateShape {
  groups: Column[];
  aggregates: AggregateOutput[];
  uses: ColumnUse[];
  issues: NodeIssue[];
}

/** Decides the output; an aggregate or group column with an error is left out of it. */
function aggregateShape(config: AggregateConfig, available: Column[]): AggregateShape {
  const byName = new Map(available.map((c) => [c.name, c]));
  const issues: NodeIssue[] = [];
  const uses: ColumnUse[] = [];
  const groups: Column[] = [];
  // Lower-cased output name → what holds it (DuckDB names are case-insensitive).
  const taken = new Map<string, string>();

  config.groupBy.forEach((name, i) => {
    const column = byName.get(name);
    if (!column) issues.push(unknownColumnIssue(name, available, ['groupBy', i]));
    else if (taken.has(name.toLowerCase())) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['groupBy', i], message: `Column "${name}" is grouped by twice` });
    else {
      groups.push(column);
      taken.set(name.toLowerCase(), `the group-by column "${name}"`);
    }
  });

  const aggregates: AggregateOutput[] = [];
  config.aggregates.forEach((spec, i) => {
    const at = (key: string) => ['aggregates', i, key];
    let inputType: ColumnType | undefined;
    if (spec.column !== '') {
      const column = byName.get(spec.column);
      if (!column) {
        issues.push(unknownColumnIssue(spec.column, available, at('column')));
        return;
      }
      if (!accepts(spec.function, column.type)) {
        issues.push({
          code: 'TYPE_MISMATCH',
          path: at('function'),
          message: `${AggregateFunctions[spec.function].label} needs a ${AggregateFunctions[spec.function].accepts} column, but "${column.name}" is ${column.type}`,
        });
        return;
      }
      inputType = column.type;
    }
    if ('orderBy' in spec && spec.orderBy !== '') {
      if (!byName.has(spec.orderBy)) {
        issues.push(unknownColumnIssue(spec.orderBy, available, at('orderBy')));
        return;
      }
      uses.push({ port: 'input', column: spec.orderBy, how: 'order' });
    }
    const name = aggregateOutputName(spec);
    const holder = taken.get(name.toLowerCase());
    if (holder !== undefined) {
      issues.push({
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: at('as'),
        message: `The output name "${name}" is already used by ${holder} (names are case-insensitive); enter another name`,
      });
      return;
    }
    taken.set(name.toLowerCase(), `aggregate ${i + 1}`);
    aggregates.push({ column: { name, type: outputType(spec.function, inputType ?? 'integer') }, spec, inputType });
  });
  return { groups, aggregates, uses, issues };
}

const sqlFunction = {
  count: 'count',
  count_distinct: 'count',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  median: 'median',
  stddev: 'stddev_samp',
  variance: 'var_samp',
  percentile: 'quantile_cont',
  first: 'first',
  last: 'last',
  string_agg: 'string_agg',
  any: 'bool_or',
  all: 'bool_and',
} as const satisfies Record<AggregateFunctionName, AggregateFunction>;

function aggregateExpr({ spec, inputType, column }: AggregateOutput): Expr {
  const fn = sqlFunction[spec.function];
  const value = col(spec.column);
  switch (spec.function) {
    case 'count':
      return { t: 'aggregate', fn, args: spec.column === '' ? [] : [value] };
    case 'count_distinct':
      return { t: 'aggregate', fn, args: [value], distinct: true };
    case 'sum':
      // DuckDB sums BIGINT into HUGEINT; the output stays BIGINT (overflow fails the run).
      return inputType === 'integer' ? cast({ t: 'aggregate', fn, args: [value] }, column.type) : { t: 'aggregate', fn, args: [value] };
    case 'percentile':
      return { t: 'aggregate', fn, args: [value, param(spec.fraction)] };
    case 'first':
    case 'last':
    case 'string_agg': {
      // Order NULLs so that neither first nor last picks a row without an order value
      // while another row has one.
      const orderBy: OrderItem[] = spec.orderBy === '' ? [] : [{ expr: col(spec.orderBy), nullsFirst: spec.function === 'last' }];
      const args = spec.function === 'string_agg' ? [inputType === 'string' ? value : cast(value, 'string'), param(spec.separator)] : [value];
      return { t: 'aggregate', fn, args, ...(orderBy.length ? { orderBy } : {}) };
    }
    default:
      return { t: 'aggregate', fn, args: [value] };
  }
}

export const aggregate = defineNode({
  kind: 'aggregate',
  version: 1,
  category: 'transform',
  columnReads: 'lineage',
  label: 'Aggregate',
  icon: 'Σ',
  description:
    'Groups rows that share the group-by values (NULL is a group of its own) and outputs one row per group: the group-by columns, then one column per aggregate. ' +
    'Without group-by columns it outputs exactly one row, even for no input (count 0, other aggregates NULL). Aggregates skip NULL values; count without a column counts rows.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'One row per group' }] },
  config: AggregateConfig,
  initialConfig: { groupBy: [], aggregates: [{ function: 'count', column: '', as: '' }] },
  fields: [
    { key: 'groupBy', widget: 'columnList', label: 'Group by', port: 'input', help: 'Leave empty to aggregate all rows into one.' },
    {
      key: 'aggregates',
      widget: 'list',
      label: 'Aggregates',
      itemLabel: 'Aggregate',
      addLabel: 'Add aggregate',
      itemFields: [
        { key: 'function', label: 'Function', widget: 'select', options: functionNames.map((f) => ({ value: f, label: AggregateFunctions[f].label })) },
        { key: 'column', label: 'Column', widget: 'column', port: 'input', help: 'For count, leave empty to count rows.' },
        { key: 'fraction', label: 'Fraction', widget: 'number', min: 0, max: 1, placeholder: '0.5', help: 'Percentile only: 0.5 is the median, 0.95 the 95th percentile (interpolated).' },
        { key: 'separator', label: 'Separator', widget: 'text', placeholder: ', ', help: 'Join text only.' },
        {
          key: 'orderBy',
          label: 'Ordered by',
          widget: 'column',
          port: 'input',
          help: 'First, last and join text: the order of rows (ascending; rows whose value is NULL come last for first, first for last). Without it the order is arbitrary.',
        },
        { key: 'as', label: 'Output name', widget: 'text', placeholder: 'e.g. sum_amount', help: 'Leave empty for function_column, like sum_amount.' },
      ],
      newItem: { function: 'count', column: '', as: '' },
    },
  ],
  propagate: ({ config, inputs }) => {
    const { groups, aggregates, uses, issues } = aggregateShape(config, inputs.input ?? []);
    // Object.fromEntries, not assignment: a column may be called "__proto__".
    const entries: [string, ColumnLineage][] = [
      ...groups.map((c): [string, ColumnLineage] => [c.name, { from: [{ port: 'input', column: c.name }], how: 'copied' }]),
      ...aggregates.map((a): [string, ColumnLineage] => [a.column.name, { from: a.spec.column === '' ? [] : [{ port: 'input', column: a.spec.column }], how: 'aggregated' }]),
    ];
    const lineage = Object.fromEntries(entries);
    return { outputs: { output: [...groups, ...aggregates.map((a) => a.column)] }, lineage: { output: lineage }, uses, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('aggregate planned without an input');
    const { groups, aggregates } = aggregateShape(config, inputColumns.input ?? []);
    const query: Select = {
      t: 'select',
      items: [...groups.map((c) => ({ expr: col(c.name) })), ...aggregates.map((a) => ({ expr: aggregateExpr(a), as: a.column.name }))],
      from: input,
      ...(groups.length ? { groupBy: groups.map((c) => col(c.name)) } : {}),
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
