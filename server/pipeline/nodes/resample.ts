import { z } from 'zod';
import { cast, col, type Expr, type IntervalUnit, type OrderItem, type Relation, type Select } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';
import { defineNode, unknownColumnIssue, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

const units = ['second', 'minute', 'hour', 'day', 'week'] as const satisfies readonly IntervalUnit[];
const functions = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last'] as const;
type ResampleFunction = (typeof functions)[number];
const functionLabels: Record<ResampleFunction, string> = { count: 'Count', sum: 'Sum', avg: 'Average', min: 'Minimum', max: 'Maximum', first: 'First in time', last: 'Last in time' };

export const ResampleAggregate = z.object({
  function: z.enum(functions, { error: 'Choose an aggregate function' }),
  /** Empty only for count, which then counts rows. */
  column: z.string().default(''),
  as: z.string().trim().min(1, 'Name the output column').max(255).refine((s) => !s.includes('\0'), 'The name contains a NUL character'),
  /** What a bucket without rows holds (gap filling only). */
  fill: z.enum(['null', 'zero', 'previous']).default('null'),
});
export type ResampleAggregate = z.infer<typeof ResampleAggregate>;

export const ResampleConfig = z.object({
  timeColumn: z.string().min(1, 'Choose the timestamp or date column'),
  every: z.number().int('Use a whole number').min(1, 'Use at least 1').max(1_000_000).default(1),
  unit: z.enum(units).default('hour'),
  partitionBy: z.array(z.string().min(1, 'Choose a column')).default([]),
  bucketAs: z.string().trim().min(1, 'Name the bucket column').max(255).default('bucket'),
  aggregates: z.array(ResampleAggregate).min(1, 'Add at least one aggregate'),
  fillGaps: z.boolean().default(true),
});
export type ResampleConfig = z.infer<typeof ResampleConfig>;

interface ResampleShape {
  partitions: Column[];
  bucket: Column;
  aggregates: { spec: ResampleAggregate; column: Column; inputType: ColumnType | undefined }[];
  uses: ColumnUse[];
  issues: NodeIssue[];
}

const numeric = (t: ColumnType) => t === 'integer' || t === 'float';

function resampleShape(config: ResampleConfig, available: Column[]): ResampleShape {
  const byName = new Map(available.map((c) => [c.name, c]));
  const issues: NodeIssue[] = [];
  const taken = new Map<string, string>();
  const claim = (name: string, holder: string, path: (string | number)[]): boolean => {
    const earlier = taken.get(name.toLowerCase());
    if (earlier !== undefined) {
      issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path, message: `The output name "${name}" is already used by ${earlier} (names are case-insensitive); enter another name` });
      return false;
    }
    taken.set(name.toLowerCase(), holder);
    return true;
  };

  const time = byName.get(config.timeColumn);
  let bucketType: ColumnType = 'timestamp';
  if (!time) issues.push(unknownColumnIssue(config.timeColumn, available, ['timeColumn']));
  else if (time.type === 'date') {
    if (config.unit === 'day' || config.unit === 'week') bucketType = 'date';
    else issues.push({ code: 'TYPE_MISMATCH', path: ['unit'], message: `"${time.name}" is a date, so buckets must be days or weeks, not ${config.unit}s` });
  } else if (time.type !== 'timestamp') issues.push({ code: 'TYPE_MISMATCH', path: ['timeColumn'], message: `Resampling needs a timestamp or date column, but "${time.name}" is ${time.type}` });

  const partitions: Column[] = [];
  config.partitionBy.forEach((name, i) => {
    const column = byName.get(name);
    if (!column) issues.push(unknownColumnIssue(name, available, ['partitionBy', i]));
    else if (claim(name, `the partition column "${name}"`, ['partitionBy', i])) partitions.push(column);
  });
  const bucket: Column = { name: config.bucketAs, type: bucketType };
  claim(bucket.name, 'the bucket column', ['bucketAs']);

  const aggregates: ResampleShape['aggregates'] = [];
  config.aggregates.forEach((spec, i) => {
    const at = (key: string) => ['aggregates', i, key];
    let inputType: ColumnType | undefined;
    if (spec.column === '') {
      if (spec.function !== 'count') return issues.push({ code: 'INVALID_CONFIG', path: at('column'), message: `Choose the column to ${functionLabels[spec.function].toLowerCase()}; only count may leave it empty` });
    } else {
      const column = byName.get(spec.column);
      if (!column) return issues.push(unknownColumnIssue(spec.column, available, at('column')));
      if ((spec.function === 'sum' || spec.function === 'avg') && !numeric(column.type)) {
        return issues.push({ code: 'TYPE_MISMATCH', path: at('function'), message: `${functionLabels[spec.function]} needs a numeric column, but "${column.name}" is ${column.type}` });
      }
      inputType = column.type;
    }
    if (spec.fill === 'zero' && spec.function !== 'count' && spec.function !== 'sum') {
      return issues.push({ code: 'INVALID_CONFIG', path: at('fill'), message: `Only counts and sums fill empty buckets with zero; ${functionLabels[spec.function].toLowerCase()} can fill with NULL or the previous value` });
    }
    const type: ColumnType = spec.function === 'count' ? 'integer' : spec.function === 'avg' ? 'float' : (inputType ?? 'integer');
    if (claim(spec.as, `aggregate ${i + 1}`, at('as'))) aggregates.push({ spec, column: { name: spec.as, type }, inputType });
  });
  if (!config.fillGaps && config.aggregates.some((a) => a.fill !== 'null')) {
    issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['fillGaps'], message: 'Fills only apply when gaps are filled; without gap filling empty buckets are simply absent' });
  }
  const uses: ColumnUse[] = time ? [{ port: 'input', column: time.name, how: 'order' }] : [];
  return { partitions, bucket, aggregates, uses, issues };
}

function aggregateExpr(config: ResampleConfig, a: ResampleShape['aggregates'][number]): Expr {
  const args = a.spec.column === '' ? [] : [col(a.spec.column)];
  // first/last follow time; rows without a time never win (NULLS LAST for first, FIRST for last).
  const orderBy: OrderItem[] | undefined = a.spec.function === 'first' || a.spec.function === 'last' ? [{ expr: col(config.timeColumn), nullsFirst: a.spec.function === 'last' }] : undefined;
  const aggregate: Expr = { t: 'aggregate', fn: a.spec.function, args, ...(orderBy ? { orderBy } : {}) };
  return a.spec.function === 'sum' && a.inputType === 'integer' ? cast(aggregate, 'integer') : aggregate;
}

/** A helper column name that no output column uses. */
function helperName(base: string, shape: ResampleShape): string {
  const used = new Set([...shape.partitions.map((c) => c.name), shape.bucket.name, ...shape.aggregates.map((a) => a.column.name)].map((n) => n.toLowerCase()));
  let name = base;
  while (used.has(name.toLowerCase())) name = `_${name}`;
  return name;
}

function plan(config: ResampleConfig, input: Relation, available: Column[], outputTable: string): StageOp[] {
  const shape = resampleShape(config, available);
  const interval: Expr = { t: 'interval', amount: config.every, unit: config.unit };
  const bucketOf: Expr = { t: 'call', fn: 'time_bucket', args: [interval, col(config.timeColumn)] };
  const partitionCols = shape.partitions.map((c) => col(c.name));
  const buckets: Select = {
    t: 'select',
    items: [...partitionCols.map((expr) => ({ expr })), { expr: cast(bucketOf, shape.bucket.type), as: shape.bucket.name }, ...shape.aggregates.map((a) => ({ expr: aggregateExpr(config, a), as: a.column.name }))],
    from: input,
    groupBy: [...partitionCols, bucketOf],
  };
  if (!config.fillGaps) return [{ op: 'materialize', table: outputTable, query: buckets }];

  // Every bucket from the first to the last of each partition, joined to the aggregated ones.
  // A FULL join keeps the bucket of rows without a time (NULL), which no series contains.
  const bucketsTable = `${outputTable}_buckets`;
  const grid: Select = {
    t: 'select',
    items: [
      ...partitionCols.map((expr) => ({ expr })),
      { expr: { t: 'unnest', list: { t: 'call', fn: 'generate_series', args: [{ t: 'aggregate', fn: 'min', args: [col(shape.bucket.name)] }, { t: 'aggregate', fn: 'max', args: [col(shape.bucket.name)] }, interval] } }, as: shape.bucket.name },
    ],
    from: { t: 'table', name: bucketsTable },
    ...(partitionCols.length ? { groupBy: partitionCols } : {}),
  };
  const fromGrid = (name: string): Expr => ({ t: 'column', name, table: 'grid' });
  const fromBuckets = (name: string): Expr => ({ t: 'column', name, table: 'aggregated' });
  const on: Expr = {
    t: 'logical',
    op: 'AND',
    items: [...shape.partitions.map((c): Expr => ({ t: 'compare', op: 'IS NOT DISTINCT FROM', left: fromGrid(c.name), right: fromBuckets(c.name) })), { t: 'compare', op: '=', left: fromGrid(shape.bucket.name), right: fromBuckets(shape.bucket.name) }],
  };
  const gap = helperName('__gap', shape);
  const run = helperName('__run', shape);
  const both = (name: string): Expr => ({ t: 'call', fn: 'coalesce', args: [fromGrid(name), fromBuckets(name)] });
  const isGap: Expr = { t: 'logical', op: 'AND', items: [{ t: 'isNull', expr: fromGrid(shape.bucket.name), negated: true }, { t: 'isNull', expr: fromBuckets(shape.bucket.name), negated: false }] };
  const joined: Select = {
    t: 'select',
    items: [
      ...shape.partitions.map((c) => ({ expr: both(c.name), as: c.name })),
      { expr: cast(both(shape.bucket.name), shape.bucket.type), as: shape.bucket.name },
      ...shape.aggregates.map((a) => ({ expr: fromBuckets(a.column.name), as: a.column.name })),
      { expr: isGap, as: gap },
      {
        // Numbers each aggregated bucket in time order; the gaps after it share its number.
        expr: { t: 'window', fn: 'count', args: [fromBuckets(shape.bucket.name)], partitionBy: shape.partitions.map((c) => both(c.name)), orderBy: [{ expr: both(shape.bucket.name) }], frame: { unit: 'rows', preceding: 'unbounded' } },
        as: run,
      },
    ],
    from: { t: 'join', kind: 'full', left: { t: 'subquery', query: grid, alias: 'grid' }, right: { t: 'table', name: bucketsTable, alias: 'aggregated' }, on },
  };
  const filled = (a: ResampleShape['aggregates'][number]): Expr => {
    const value = col(a.column.name);
    if (a.spec.fill === 'null') return value;
    const fill: Expr =
      a.spec.fill === 'zero'
        ? { t: 'literal', value: 0 }
        : { t: 'window', fn: 'first_value', args: [value], partitionBy: [...partitionCols, col(run)], orderBy: [{ expr: col(shape.bucket.name) }] };
    return { t: 'case', when: [{ condition: col(gap), then: fill }], else: value };
  };
  const query: Select = {
    t: 'select',
    items: [...partitionCols.map((expr) => ({ expr })), { expr: col(shape.bucket.name) }, ...shape.aggregates.map((a) => ({ expr: filled(a), as: a.column.name }))],
    from: { t: 'subquery', query: joined, alias: 'filled' },
  };
  return [
    { op: 'materialize', table: bucketsTable, query: buckets },
    { op: 'materialize', table: outputTable, query },
  ];
}

export const resample = defineNode({
  kind: 'resample',
  version: 1,
  category: 'transform',
  label: 'Resample',
  icon: '⏱',
  description:
    'Buckets a timestamp or date column into fixed intervals of N seconds, minutes, hours, days or weeks and aggregates per bucket (and per partition). Buckets are aligned to Monday 2000-01-03 00:00, so weeks start on Monday; a date column takes day or week buckets and keeps the date type. ' +
    'Timestamps are naive UTC: buckets are pure clock arithmetic, unaffected by time zones or daylight saving. ' +
    'With gap filling, every bucket between the first and the last of each partition is output; an empty bucket holds NULL, zero (counts and sums) or the value of the previous bucket with rows, as chosen per aggregate. ' +
    'Rows whose time is NULL form a bucket of their own (NULL), never filled. First and last go by time.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'One row per bucket' }] },
  config: ResampleConfig,
  initialConfig: { timeColumn: '', every: 1, unit: 'hour', partitionBy: [], bucketAs: 'bucket', aggregates: [{ function: 'count', column: '', as: 'count', fill: 'zero' }], fillGaps: true },
  fields: [
    { key: 'timeColumn', widget: 'column', port: 'input', label: 'Time column' },
    { key: 'every', widget: 'number', label: 'Every', min: 1, integer: true },
    { key: 'unit', widget: 'select', label: 'Unit', options: units.map((u) => ({ value: u, label: `${u}s` })) },
    { key: 'partitionBy', widget: 'columnList', port: 'input', label: 'Per', help: 'Resample each combination of these columns separately (e.g. per sensor).' },
    { key: 'bucketAs', widget: 'text', label: 'Bucket column', placeholder: 'bucket', help: 'Holds the start of each bucket.' },
    {
      key: 'aggregates',
      widget: 'list',
      label: 'Aggregates',
      itemLabel: 'Aggregate',
      addLabel: 'Add aggregate',
      newItem: { function: 'avg', column: '', as: '', fill: 'null' },
      itemFields: [
        { key: 'function', label: 'Function', widget: 'select', options: functions.map((f) => ({ value: f, label: functionLabels[f] })) },
        { key: 'column', label: 'Column', widget: 'column', port: 'input', help: 'For count, leave empty to count rows.' },
        { key: 'as', label: 'Output name', widget: 'text' },
        {
          key: 'fill',
          label: 'Empty buckets',
          widget: 'select',
          options: [
            { value: 'null', label: 'NULL' },
            { value: 'zero', label: 'zero (counts, sums)' },
            { value: 'previous', label: 'previous value' },
          ],
        },
      ],
    },
    { key: 'fillGaps', widget: 'toggle', label: 'Fill gaps', help: 'Output every bucket between the first and the last, not only those with rows.' },
  ],
  propagate: ({ config, inputs }) => {
    const shape = resampleShape(config, inputs.input ?? []);
    const time = [{ port: 'input', column: config.timeColumn }];
    const entries: [string, ColumnLineage][] = [
      ...shape.partitions.map((c): [string, ColumnLineage] => [c.name, { from: [{ port: 'input', column: c.name }], how: 'copied' }]),
      [shape.bucket.name, { from: time, how: 'derived' }],
      ...shape.aggregates.map((a): [string, ColumnLineage] => [a.column.name, { from: a.spec.column === '' ? [] : [{ port: 'input', column: a.spec.column }], how: 'aggregated' }]),
    ];
    return {
      outputs: { output: [...shape.partitions, shape.bucket, ...shape.aggregates.map((a) => a.column)] },
      lineage: { output: Object.fromEntries(entries) },
      uses: shape.uses,
      issues: shape.issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('resample planned without an input');
    return plan(config, input, inputColumns.input ?? [], outputTable('output'));
  },
});
