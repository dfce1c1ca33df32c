import { z } from 'zod';
import { cast, col, param, type Expr, type OrderItem, type Relation, type SelectItem, type WindowFrame } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnUse, type NodeIssue } from '../define-node';
import { parsesAs, type Column, type ColumnType } from '../types';

const FillStrategies = {
  constant: 'a constant value',
  mean: 'the column mean',
  median: 'the column median',
  mode: 'the most frequent value',
  previous: 'the previous non-NULL value',
} as const;
export type FillStrategy = keyof typeof FillStrategies;
const strategyNames = Object.keys(FillStrategies) as [FillStrategy, ...FillStrategy[]];

export const FillRule = z.object({
  column: z.string().min(1, 'Choose a column'),
  strategy: z.enum(strategyNames),
  /** constant only; typed like a filter value. */
  value: z.string().default(''),
});
export type FillRule = z.infer<typeof FillRule>;

export const FillNullsConfig = z.object({
  /** The row order "previous value" follows. */
  orderBy: z.string().default(''),
  fills: z.array(FillRule).min(1, 'Add at least one column to fill'),
});
export type FillNullsConfig = z.infer<typeof FillNullsConfig>;

const isNumeric = (t: ColumnType) => t === 'integer' || t === 'float';

function fillIssues(rule: FillRule, i: number, columns: Column[], config: FillNullsConfig): NodeIssue[] {
  const column = columns.find((c) => c.name === rule.column);
  if (!column) return [unknownColumnIssue(rule.column, columns, ['fills', i, 'column'])];
  switch (rule.strategy) {
    case 'mean':
    case 'median':
      return isNumeric(column.type)
        ? []
        : [{ code: 'TYPE_MISMATCH', path: ['fills', i, 'strategy'], message: `Filling with ${FillStrategies[rule.strategy]} needs a numeric column, but "${column.name}" is ${column.type}` }];
    case 'constant':
      return parsesAs(column.type, rule.value)
        ? []
        : [{ code: 'INVALID_VALUE', path: ['fills', i, 'value'], message: `"${rule.value}" is not a valid ${column.type} value for column "${column.name}"` }];
    case 'previous':
      if (config.orderBy === '') return [{ code: 'INVALID_CONFIG', path: ['orderBy'], message: 'Filling with the previous value needs a column to order rows by' }];
      return [];
    case 'mode':
      return [];
  }
}

/** A name for a helper column that clashes with no input column. */
function helperName(base: string, taken: Set<string>): string {
  let name = base;
  while (taken.has(name.toLowerCase())) name = `_${name}`;
  taken.add(name.toLowerCase());
  return name;
}

const whole: WindowFrame = { unit: 'rows', preceding: 'unbounded', following: 'unbounded' };

export const fillNulls = defineNode({
  kind: 'fill-nulls',
  version: 1,
  category: 'transform',
  label: 'Fill nulls',
  icon: '◧',
  description:
    'Replaces NULLs in chosen columns with a constant, the column mean or median (numeric columns; rounded half away from zero for integer columns, so the type stays the same), the most frequent value (ties go to the smallest value), or the previous non-NULL value in the order of a chosen column. Rows before the first value stay NULL.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Filled rows' }] },
  config: FillNullsConfig,
  initialConfig: { orderBy: '', fills: [{ column: '', strategy: 'constant', value: '' }] },
  fields: [
    { key: 'orderBy', widget: 'column', port: 'input', label: 'Order rows by', help: 'Needed by "previous value"' },
    {
      key: 'fills',
      widget: 'list',
      label: 'Columns to fill',
      itemLabel: 'Fill',
      addLabel: 'Add column',
      newItem: { column: '', strategy: 'constant', value: '' },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'strategy', label: 'Fill with', widget: 'select', options: strategyNames.map((s) => ({ value: s, label: FillStrategies[s] })) },
        { key: 'value', label: 'Value', widget: 'text', help: 'Constant only' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = [];
    const needsOrder = config.fills.some((f) => f.strategy === 'previous');
    if (needsOrder && config.orderBy !== '' && !columns.some((c) => c.name === config.orderBy)) issues.push(unknownColumnIssue(config.orderBy, columns, ['orderBy']));
    const lineage = passThroughLineage('input', columns);
    const seen = new Set<string>();
    config.fills.forEach((f, i) => {
      issues.push(...fillIssues(f, i, columns, config));
      if (seen.has(f.column)) issues.push({ code: 'INVALID_CONFIG', path: ['fills', i, 'column'], message: `Column "${f.column}" is already filled by an earlier rule` });
      seen.add(f.column);
      if (lineage[f.column]) {
        const from = [f.column, ...(f.strategy === 'previous' && config.orderBy !== '' ? [config.orderBy] : [])];
        lineage[f.column] = { from: [...new Set(from)].map((column) => ({ port: 'input', column })), how: 'derived' };
      }
    });
    const uses: ColumnUse[] = needsOrder && config.orderBy !== '' ? [{ port: 'input', column: config.orderBy, how: 'order' }] : [];
    return { outputs: { output: columns }, lineage: { output: lineage }, uses, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('fill-nulls planned without an input');
    const columns = inputColumns.input ?? [];
    const taken = new Set(columns.map((c) => c.name.toLowerCase()));
    // Mode and previous value need a window over another window's result: helper columns in an inner SELECT.
    const helpers: SelectItem[] = [];
    const order: OrderItem[] = [{ expr: col(config.orderBy) }];
    const fills = new Map<string, Expr>();
    for (const rule of config.fills) {
      if (fills.has(rule.column)) continue;
      const type = columns.find((c) => c.name === rule.column)?.type ?? 'string';
      const column = col(rule.column);
      const overAll = (fn: 'avg' | 'median'): Expr => {
        const value: Expr = { t: 'window', fn, args: [column], partitionBy: [], orderBy: [] };
        return type === 'integer' ? cast({ t: 'call', fn: 'round', args: [value] }, 'integer') : value;
      };
      let fill: Expr;
      switch (rule.strategy) {
        case 'constant':
          fill = type === 'string' ? param(rule.value) : cast(param(rule.value.trim()), type);
          break;
        case 'mean':
          fill = overAll('avg');
          break;
        case 'median':
          fill = overAll('median');
          break;
        case 'mode': {
          // How often each row's value occurs (0 for NULL); the first value by frequency, then by value.
          const frequency = helperName(`__${rule.column}_frequency`, taken);
          helpers.push({ expr: { t: 'window', fn: 'count', args: [column], partitionBy: [column], orderBy: [] }, as: frequency });
          fill = { t: 'window', fn: 'first_value', args: [column], partitionBy: [], orderBy: [{ expr: col(frequency), descending: true }, { expr: column }], frame: whole };
          break;
        }
        case 'previous': {
          // Gaps and islands: a running count of non-NULLs numbers each value's run; the run's only non-NULL is its max.
          const run = helperName(`__${rule.column}_run`, taken);
          helpers.push({ expr: { t: 'window', fn: 'count', args: [column], partitionBy: [], orderBy: order, frame: { unit: 'rows', preceding: 'unbounded' } }, as: run });
          fill = { t: 'window', fn: 'max', args: [column], partitionBy: [col(run)], orderBy: [] };
          break;
        }
      }
      fills.set(rule.column, { t: 'call', fn: 'coalesce', args: [column, fill] });
    }
    const from: Relation = helpers.length === 0 ? input : { t: 'subquery', alias: 'filled', query: { t: 'select', items: [...columns.map((c) => ({ expr: col(c.name) })), ...helpers], from: input } };
    const items: SelectItem[] = columns.map((c) => {
      const fill = fills.get(c.name);
      return fill ? { expr: fill, as: c.name } : { expr: col(c.name) };
    });
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from } }];
  },
});
