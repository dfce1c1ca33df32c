import { z } from 'zod';
import { cast, col, param, selectAll, type Expr } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type NodeIssue } from '../define-node';
import { parsesAs, type Column, type ColumnType } from '../types';

export const FilterOperators = {
  eq: { label: '=', needsValue: true },
  neq: { label: '≠', needsValue: true },
  lt: { label: '<', needsValue: true },
  lte: { label: '≤', needsValue: true },
  gt: { label: '>', needsValue: true },
  gte: { label: '≥', needsValue: true },
  contains: { label: 'contains', needsValue: true },
  starts_with: { label: 'starts with', needsValue: true },
  is_null: { label: 'is null', needsValue: false },
  is_not_null: { label: 'is not null', needsValue: false },
} as const;
export type FilterOperator = keyof typeof FilterOperators;
const operatorNames = Object.keys(FilterOperators) as [FilterOperator, ...FilterOperator[]];

const textOnly = new Set<FilterOperator>(['contains', 'starts_with']);
const comparison = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

export const FilterRule = z.object({
  column: z.string().min(1, 'Choose a column'),
  op: z.enum(operatorNames),
  value: z.string().default(''),
});
export type FilterRule = z.infer<typeof FilterRule>;

export const FilterConfig = z.object({
  combinator: z.enum(['and', 'or']).default('and'),
  rules: z.array(FilterRule).min(1, 'Add at least one condition'),
});
export type FilterConfig = z.infer<typeof FilterConfig>;

function ruleIssues(rule: FilterRule, index: number, columns: Column[]): NodeIssue[] {
  const column = columns.find((c) => c.name === rule.column);
  if (!column) return [unknownColumnIssue(rule.column, columns, ['rules', index, 'column'])];
  if (textOnly.has(rule.op) && column.type !== 'string') {
    return [{ code: 'TYPE_MISMATCH', path: ['rules', index, 'op'], message: `"${FilterOperators[rule.op].label}" needs a text column, but "${column.name}" is ${column.type}` }];
  }
  if (FilterOperators[rule.op].needsValue && !parsesAs(column.type, rule.value)) {
    return [{ code: 'INVALID_VALUE', path: ['rules', index, 'value'], message: `"${rule.value}" is not a valid ${column.type} value for column "${column.name}"` }];
  }
  return [];
}

function ruleExpr(rule: FilterRule, type: ColumnType): Expr {
  const column = col(rule.column);
  const value = (): Expr => (type === 'string' ? param(rule.value) : cast(param(rule.value.trim()), type));
  switch (rule.op) {
    case 'is_null':
      return { t: 'isNull', expr: column, negated: false };
    case 'is_not_null':
      return { t: 'isNull', expr: column, negated: true };
    case 'contains':
    case 'starts_with':
      return { t: 'call', fn: rule.op, args: [column, value()] };
    default:
      return { t: 'compare', op: comparison[rule.op], left: column, right: value() };
  }
}

export const filter = defineNode({
  kind: 'filter',
  version: 1,
  category: 'transform',
  label: 'Filter',
  icon: '▽',
  description: 'Keeps the rows that match all (or any) of the conditions. Rows where a compared value is NULL do not match.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Kept rows' }] },
  config: FilterConfig,
  initialConfig: { combinator: 'and', rules: [] },
  fields: [
    {
      key: 'combinator',
      widget: 'select',
      label: 'Keep rows matching',
      options: [
        { value: 'and', label: 'all conditions' },
        { value: 'or', label: 'any condition' },
      ],
    },
    { key: 'rules', widget: 'conditions', label: 'Conditions', port: 'input' },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    return {
      outputs: { output: columns },
      lineage: { output: passThroughLineage('input', columns) },
      uses: config.rules.map((r) => ({ port: 'input', column: r.column, how: 'filter' as const })),
      issues: config.rules.flatMap((rule, i) => ruleIssues(rule, i, columns)),
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const types = new Map((inputColumns.input ?? []).map((c) => [c.name, c.type]));
    const items = config.rules.map((r) => ruleExpr(r, types.get(r.column) ?? 'string'));
    const where: Expr = { t: 'logical', op: config.combinator === 'and' ? 'AND' : 'OR', items };
    const input = inputs.input;
    if (!input) throw new Error('filter planned without an input');
    return [{ op: 'materialize', table: outputTable('output'), query: selectAll(input, where) }];
  },
});
