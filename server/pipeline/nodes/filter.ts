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
  matches: { label: 'matches regex', needsValue: true },
  in: { label: 'is one of', needsValue: true },
  not_in: { label: 'is none of', needsValue: true },
  between: { label: 'is between', needsValue: true },
  is_null: { label: 'is null', needsValue: false },
  is_not_null: { label: 'is not null', needsValue: false },
} as const;
export type FilterOperator = keyof typeof FilterOperators;
const operatorNames = Object.keys(FilterOperators) as [FilterOperator, ...FilterOperator[]];

const textOnly = new Set<FilterOperator>(['contains', 'starts_with', 'matches']);

/**
 * The values a rule compares with: one, a comma-separated list (is one of / is
 * none of), or exactly two (is between, inclusive). Commas inside a value are
 * not supported in lists; use a regex for those.
 */
export function ruleValues(rule: Pick<FilterRule, 'op' | 'value'>): string[] {
  if (rule.op === 'in' || rule.op === 'not_in' || rule.op === 'between') return rule.value.split(',').map((v) => v.trim());
  return [rule.value];
}
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
  if (!FilterOperators[rule.op].needsValue) return [];
  const values = ruleValues(rule);
  const at = ['rules', index, 'value'];
  if (rule.op === 'between' && values.length !== 2) {
    return [{ code: 'INVALID_VALUE', path: at, message: 'Write the two bounds separated by a comma, e.g. "10, 20"' }];
  }
  if ((rule.op === 'in' || rule.op === 'not_in') && values.some((v) => v === '')) {
    return [{ code: 'INVALID_VALUE', path: at, message: 'Write the values separated by commas, e.g. "paid, refunded"' }];
  }
  if (rule.op === 'matches' && !isRegex(rule.value)) {
    return [{ code: 'INVALID_VALUE', path: at, message: `"${rule.value}" is not a valid regular expression` }];
  }
  const bad = values.find((v) => !parsesAs(column.type, v));
  if (bad !== undefined) {
    return [{ code: 'INVALID_VALUE', path: at, message: `"${bad}" is not a valid ${column.type} value for column "${column.name}"` }];
  }
  return [];
}

function isRegex(pattern: string): boolean {
  // DuckDB uses RE2; JavaScript's parser accepts a superset, so this catches typos, not every RE2 limit.
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function ruleExpr(rule: FilterRule, type: ColumnType): Expr {
  const column = col(rule.column);
  const typed = (v: string): Expr => (type === 'string' ? param(v) : cast(param(v.trim()), type));
  const value = (): Expr => typed(rule.value);
  const values = () => ruleValues(rule).map(typed);
  switch (rule.op) {
    case 'matches':
      return { t: 'call', fn: 'regexp_matches', args: [column, param(rule.value)] };
    case 'in':
    case 'not_in':
      return { t: 'in', expr: column, list: values(), negated: rule.op === 'not_in' };
    case 'between': {
      const [low, high] = values();
      if (!low || !high) throw new Error('between planned without two bounds');
      return { t: 'between', expr: column, low, high };
    }
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
  columnReads: 'passThrough',
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
