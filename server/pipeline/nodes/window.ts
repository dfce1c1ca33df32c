import { z } from 'zod';
import { col, param, type Expr, type SelectItem, type WindowFrame, type WindowFunction } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

/** What each window function needs and returns. */
const WindowFunctions = {
  row_number: { label: 'row number', needsColumn: false, type: () => 'integer' },
  rank: { label: 'rank', needsColumn: false, type: () => 'integer' },
  dense_rank: { label: 'dense rank', needsColumn: false, type: () => 'integer' },
  ntile: { label: 'bucket (ntile)', needsColumn: false, type: () => 'integer' },
  lag: { label: 'previous value (lag)', needsColumn: true, type: (t: ColumnType) => t },
  lead: { label: 'next value (lead)', needsColumn: true, type: (t: ColumnType) => t },
  first_value: { label: 'first value', needsColumn: true, type: (t: ColumnType) => t },
  last_value: { label: 'last value', needsColumn: true, type: (t: ColumnType) => t },
  running_count: { label: 'running count', needsColumn: false, type: () => 'integer' },
  running_sum: { label: 'running sum', needsColumn: true, numeric: true, type: (t: ColumnType) => (t === 'integer' ? 'integer' : 'float') },
  running_avg: { label: 'running average', needsColumn: true, numeric: true, type: () => 'float' },
  moving_avg: { label: 'moving average (last N rows or time span)', needsColumn: true, numeric: true, moving: true, type: () => 'float' },
  moving_sum: { label: 'moving sum (last N rows or time span)', needsColumn: true, numeric: true, moving: true, type: (t: ColumnType) => (t === 'integer' ? 'integer' : 'float') },
  moving_count: { label: 'moving count of rows (last N rows or time span)', needsColumn: false, moving: true, type: () => 'integer' },
  moving_min: { label: 'moving minimum (last N rows or time span)', needsColumn: true, moving: true, type: (t: ColumnType) => t },
  moving_max: { label: 'moving maximum (last N rows or time span)', needsColumn: true, moving: true, type: (t: ColumnType) => t },
} as const satisfies Record<string, { label: string; needsColumn: boolean; numeric?: boolean; moving?: boolean; type: (t: ColumnType) => ColumnType }>;
export type WindowFunctionName = keyof typeof WindowFunctions;
const functionNames = Object.keys(WindowFunctions) as [WindowFunctionName, ...WindowFunctionName[]];

/**
 * What a moving computation's N counts. 'rows': the current row and the N-1
 * before it. A time unit: every row whose order value lies within N units
 * before the current row's, both ends included (a RANGE frame over the one
 * date or timestamp order column; rows with equal times are all included).
 */
export const SpanUnits = { rows: 1, seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;
export type SpanUnit = keyof typeof SpanUnits;
const spanUnitNames = Object.keys(SpanUnits) as [SpanUnit, ...SpanUnit[]];

export const WindowComputation = z.object({
  function: z.enum(functionNames),
  column: z.string().default(''),
  /** lag/lead offset, ntile buckets, moving width (rows or time units, see `span`). */
  n: z.number().int().min(1).max(1_000_000).default(1),
  span: z.enum(spanUnitNames).default('rows'),
  as: z.string().trim().min(1, 'Name the new column').max(255),
});
export type WindowComputation = z.infer<typeof WindowComputation>;

export const WindowConfig = z.object({
  partitionBy: z.array(z.string().min(1)).default([]),
  orderBy: z.array(z.object({ column: z.string().min(1, 'Choose a column'), descending: z.boolean().default(false) })).default([]),
  computations: z.array(WindowComputation).min(1, 'Add at least one computation'),
});
export type WindowConfig = z.infer<typeof WindowConfig>;

const ORDERED: ReadonlySet<WindowFunctionName> = new Set(functionNames);

function computationIssues(c: WindowComputation, i: number, columns: Column[], config: WindowConfig): NodeIssue[] {
  const spec = WindowFunctions[c.function];
  const issues: NodeIssue[] = [];
  if (spec.needsColumn) {
    const column = columns.find((x) => x.name === c.column);
    if (!column) issues.push(unknownColumnIssue(c.column, columns, ['computations', i, 'column']));
    else if ('numeric' in spec && column.type !== 'integer' && column.type !== 'float') {
      issues.push({ code: 'TYPE_MISMATCH', path: ['computations', i, 'column'], message: `A ${spec.label} needs a numeric column, but "${column.name}" is ${column.type}` });
    }
  }
  if (c.span !== 'rows') {
    if (!('moving' in spec)) {
      issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['computations', i, 'span'], message: `A ${spec.label} does not use a span; only moving computations do` });
    } else {
      const order = config.orderBy[0];
      const orderColumn = columns.find((x) => x.name === order?.column);
      if (config.orderBy.length !== 1 || !order) {
        issues.push({ code: 'INVALID_CONFIG', path: ['orderBy'], message: `A ${spec.label} over ${c.span} needs exactly one order column, a date or timestamp` });
      } else if (orderColumn && orderColumn.type !== 'date' && orderColumn.type !== 'timestamp') {
        issues.push({ code: 'TYPE_MISMATCH', path: ['orderBy', 0, 'column'], message: `A ${spec.label} over ${c.span} needs a date or timestamp order column, but "${orderColumn.name}" is ${orderColumn.type}` });
      } else if (order.descending) {
        issues.push({ code: 'INVALID_CONFIG', path: ['orderBy', 0, 'descending'], message: `A ${spec.label} over ${c.span} looks back in time: order "${order.column}" ascending` });
      }
    }
  }
  if (ORDERED.has(c.function) && config.orderBy.length === 0 && c.span === 'rows') {
    issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['orderBy'], message: `Without an order, the ${spec.label} depends on the order rows happen to arrive in` });
  }
  return issues;
}

function windowExpr(c: WindowComputation, config: WindowConfig): Expr {
  const partitionBy = config.partitionBy.map((name) => col(name));
  const orderBy = config.orderBy.map((o) => ({ expr: col(o.column), descending: o.descending }));
  const w = (fn: WindowFunction, args: Expr[], frame?: WindowFrame): Expr => ({ t: 'window', fn, args, partitionBy, orderBy, ...(frame ? { frame } : {}) });
  const running: WindowFrame = { unit: 'rows', preceding: 'unbounded' };
  // first/last over the whole partition, not only up to the current row.
  const whole: WindowFrame = { unit: 'rows', preceding: 'unbounded', following: 'unbounded' };
  const moving: WindowFrame = c.span === 'rows' ? { unit: 'rows', preceding: c.n - 1 } : { unit: 'range', precedingSeconds: c.n * SpanUnits[c.span] };
  switch (c.function) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
      return w(c.function, []);
    case 'ntile':
      return w('ntile', [param(c.n)]);
    case 'lag':
    case 'lead':
      return w(c.function, [col(c.column), param(c.n)]);
    case 'first_value':
    case 'last_value':
      return w(c.function, [col(c.column)], whole);
    case 'running_count':
      return w('count', [], running);
    case 'running_sum':
      return w('sum', [col(c.column)], running);
    case 'running_avg':
      return w('avg', [col(c.column)], running);
    case 'moving_avg':
      return w('avg', [col(c.column)], moving);
    case 'moving_sum':
      return w('sum', [col(c.column)], moving);
    case 'moving_count':
      return w('count', [], moving);
    case 'moving_min':
      return w('min', [col(c.column)], moving);
    case 'moving_max':
      return w('max', [col(c.column)], moving);
  }
}

export const windowNode = defineNode({
  kind: 'window',
  version: 1,
  category: 'transform',
  label: 'Window',
  icon: '⧉',
  description:
    'Adds columns computed over a window of related rows without collapsing them: row numbers and ranks, previous/next values, first/last values, running counts, sums and averages, and moving averages, sums, counts, minimums and maximums — within each partition, in the given order. ' +
    'A moving computation covers the current row and the N-1 rows before it, or, with a time span, every row whose date or timestamp (the one order column, ascending) lies within N seconds, minutes, hours or days before the current row’s, both ends included.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: WindowConfig,
  initialConfig: { partitionBy: [], orderBy: [], computations: [{ function: 'row_number', column: '', n: 1, span: 'rows', as: 'row_number' }] },
  fields: [
    { key: 'partitionBy', widget: 'columnList', label: 'Partition by', port: 'input' },
    {
      key: 'orderBy',
      widget: 'list',
      label: 'Order by',
      itemLabel: 'Order key',
      addLabel: 'Add order key',
      newItem: { column: '', descending: false },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'descending', label: 'Descending', widget: 'toggle' },
      ],
    },
    {
      key: 'computations',
      widget: 'list',
      label: 'Computations',
      itemLabel: 'Computation',
      addLabel: 'Add computation',
      newItem: { function: 'row_number', column: '', n: 1, span: 'rows', as: '' },
      itemFields: [
        { key: 'function', label: 'Function', widget: 'select', options: functionNames.map((f) => ({ value: f, label: WindowFunctions[f].label })) },
        { key: 'column', label: 'Column', widget: 'column', port: 'input', help: 'Not used by row number, rank, bucket and running count' },
        { key: 'n', label: 'N', widget: 'number', integer: true, min: 1, help: 'Offset for lag/lead, buckets for ntile, the width of a moving computation' },
        {
          key: 'span',
          label: 'N counts',
          widget: 'select',
          help: 'Moving computations only; a time span needs one date or timestamp order column',
          options: [
            { value: 'rows', label: 'rows' },
            { value: 'seconds', label: 'seconds' },
            { value: 'minutes', label: 'minutes' },
            { value: 'hours', label: 'hours' },
            { value: 'days', label: 'days' },
          ],
        },
        { key: 'as', label: 'Name', widget: 'text' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = [];
    config.partitionBy.forEach((name, i) => {
      if (!columns.some((c) => c.name === name)) issues.push(unknownColumnIssue(name, columns, ['partitionBy', i]));
    });
    config.orderBy.forEach((o, i) => {
      if (!columns.some((c) => c.name === o.column)) issues.push(unknownColumnIssue(o.column, columns, ['orderBy', i, 'column']));
    });
    const outputs: Column[] = [...columns];
    const lineage: Record<string, ColumnLineage> = passThroughLineage('input', columns);
    config.computations.forEach((c, i) => {
      issues.push(...computationIssues(c, i, columns, config));
      if (outputs.some((o) => o.name.toLowerCase() === c.as.toLowerCase())) {
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['computations', i, 'as'], message: `A column named "${c.as}" already exists` });
        return;
      }
      const source = columns.find((x) => x.name === c.column);
      const spec = WindowFunctions[c.function];
      outputs.push({ name: c.as, type: spec.type(source?.type ?? 'integer') });
      const from = [...(spec.needsColumn && source ? [source.name] : []), ...config.partitionBy, ...config.orderBy.map((o) => o.column)];
      lineage[c.as] = { from: [...new Set(from)].map((column) => ({ port: 'input', column })), how: 'derived' };
    });
    return { outputs: { output: outputs }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('window planned without an input');
    const items: SelectItem[] = [
      ...(inputColumns.input ?? []).map((c) => ({ expr: col(c.name) })),
      ...config.computations.map((c) => ({ expr: windowExpr(c, config), as: c.as })),
    ];
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
