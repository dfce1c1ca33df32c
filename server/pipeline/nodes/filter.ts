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
  /** Optional in stored configs: flat rule lists written before groups existed carry no tag. */
  type: z.literal('rule').default('rule'),
  column: z.string().min(1, 'Choose a column'),
  op: z.enum(operatorNames),
  value: z.string().default(''),
});
export type FilterRule = z.infer<typeof FilterRule>;

/**
 * A group of conditions. The config itself is the root group (its `combinator`,
 * `not` and `rules`), so flat rule lists saved before groups existed are still
 * valid version-1 configs, and every diagnostic path points into the stored
 * tree: ['rules', 2, 'rules', 0, 'column'].
 */
export interface FilterGroup {
  type: 'group';
  combinator: 'and' | 'or';
  /** Keeps the rows the group does not match; an unknown (NULL) result stays unknown and is not kept. */
  not: boolean;
  rules: FilterItem[];
}
export type FilterItem = FilterRule | FilterGroup;

/** The root counts as depth 1, so three levels of groups can sit inside it. */
export const MAX_GROUP_DEPTH = 4;

const combinator = z.enum(['and', 'or']).default('and');
const negated = z.boolean().default(false);

const itemsOf = <Group extends z.ZodObject<{ type: z.ZodLiteral<'group'> }>>(group: Group) =>
  z.array(z.discriminatedUnion('type', [FilterRule, group], { error: 'A condition is a rule (column, operator, value) or a group ({ "type": "group" })' })).min(1, 'Add at least one condition');

const groupOf = <Items extends z.ZodType>(rules: Items) => z.object({ type: z.literal('group'), combinator, not: negated, rules });

// The nesting limit is part of the schema: one level per depth (as many as
// MAX_GROUP_DEPTH; the tests check both sides of the limit), and a group below
// the last level is refused without parsing what it contains.
const tooDeepGroup = groupOf(z.array(z.unknown()).transform((): never[] => [])).refine(() => false, {
  message: `Groups can be nested at most ${MAX_GROUP_DEPTH} deep (counting the top level); move this group's conditions up a level`,
});
const groupAtDepth4 = groupOf(itemsOf(tooDeepGroup));
const groupAtDepth3 = groupOf(itemsOf(groupAtDepth4));
const groupAtDepth2 = groupOf(itemsOf(groupAtDepth3));

const BuilderFilterConfig = z.object({
  mode: z.literal('builder').default('builder'),
  combinator,
  not: negated,
  rules: itemsOf(groupAtDepth2),
  /** Kept, unchecked, so switching back to SQL restores it. */
  sql: z.string().default(''),
});

const SqlFilterConfig = z.object({
  mode: z.literal('sql'),
  sql: z.string().trim().min(1, 'Write a condition').max(10_000),
  /** Kept, unchecked, so switching back to the builder restores the tree. */
  rules: z.unknown().optional(),
});

export type FilterConfig =
  | { mode: 'builder'; combinator: 'and' | 'or'; not: boolean; rules: FilterItem[]; sql: string }
  | { mode: 'sql'; sql: string; rules?: unknown };

/** Either a condition tree (`mode: 'builder'`, the default) or a DuckDB boolean expression (`mode: 'sql'`). */
export const FilterConfig: z.ZodType<FilterConfig> = z.discriminatedUnion('mode', [BuilderFilterConfig, SqlFilterConfig], {
  error: 'The mode is "builder" (rules and groups) or "sql" (an SQL expression)',
});

type Path = (string | number)[];

function ruleIssues(rule: FilterRule, path: Path, columns: Column[]): NodeIssue[] {
  const column = columns.find((c) => c.name === rule.column);
  if (!column) return [unknownColumnIssue(rule.column, columns, [...path, 'column'])];
  if (textOnly.has(rule.op) && column.type !== 'string') {
    return [{ code: 'TYPE_MISMATCH', path: [...path, 'op'], message: `"${FilterOperators[rule.op].label}" needs a text column, but "${column.name}" is ${column.type}` }];
  }
  if (!FilterOperators[rule.op].needsValue) return [];
  const values = ruleValues(rule);
  const at = [...path, 'value'];
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

/** Every rule of the tree with its config path, depth first in the order written. */
function rulesWithPaths(items: readonly FilterItem[], path: Path = []): { rule: FilterRule; path: Path }[] {
  return items.flatMap((item, i) => {
    const at = [...path, 'rules', i];
    return item.type === 'group' ? rulesWithPaths(item.rules, at) : [{ rule: item, path: at }];
  });
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

function groupExpr(group: Omit<FilterGroup, 'type'>, types: ReadonlyMap<string, ColumnType>): Expr {
  const items = group.rules.map((item) => (item.type === 'group' ? groupExpr(item, types) : ruleExpr(item, types.get(item.column) ?? 'string')));
  const combined: Expr = { t: 'logical', op: group.combinator === 'and' ? 'AND' : 'OR', items };
  return group.not ? { t: 'not', expr: combined } : combined;
}

/** The key of the one expression DuckDB is asked about in SQL mode. */
const SQL_KEY = 'sql';

export const filter = defineNode<FilterConfig>({
  kind: 'filter',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.mode === 'sql',
  columnReads: 'passThrough',
  label: 'Filter',
  icon: '▽',
  description:
    'Keeps the rows that match a condition: rules (column, operator, value) combined with AND or OR, in groups that nest up to ' +
    `${MAX_GROUP_DEPTH} deep and can be negated with NOT (the top group is \`combinator\`, \`not\` and \`rules\`; a nested one is \`{ "type": "group", combinator, not, rules }\`); ` +
    'or, with `mode: "sql"`, a DuckDB boolean expression over the input columns in `sql`. ' +
    'Rows where a compared value is NULL do not match, and NOT does not change that: NOT of an unknown result is still unknown (use "is null" to keep such rows).',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Kept rows' }] },
  config: FilterConfig,
  initialConfig: { mode: 'builder', combinator: 'and', not: false, rules: [] },
  fields: [
    {
      key: 'rules',
      widget: 'conditions',
      label: 'Conditions',
      port: 'input',
      help: 'Rules and groups with AND / OR and NOT; or switch to SQL and write one expression that is true for the rows to keep.',
    },
  ],
  expressions: (config) => (config.mode === 'sql' ? [{ key: SQL_KEY, sql: config.sql, port: 'input', path: ['sql'] }] : []),
  propagate: ({ config, inputs, expressions = {} }) => {
    const columns = inputs.input ?? [];
    const passThrough = { outputs: { output: columns }, lineage: { output: passThroughLineage('input', columns) } };
    if (config.mode === 'sql') {
      const answer = expressions[SQL_KEY];
      if (!answer) return passThrough;
      const issues: NodeIssue[] =
        answer.type === 'boolean' ? [] : [{ code: 'TYPE_MISMATCH', path: ['sql'], message: `The condition must be true or false for each row, but this expression gives ${answer.type} values` }];
      return { ...passThrough, uses: answer.references.map((column) => ({ port: 'input', column, how: 'filter' as const })), issues };
    }
    const rules = rulesWithPaths(config.rules);
    const used = [...new Set(rules.map(({ rule }) => rule.column))];
    return {
      ...passThrough,
      uses: used.map((column) => ({ port: 'input', column, how: 'filter' as const })),
      issues: rules.flatMap(({ rule, path }) => ruleIssues(rule, path, columns)),
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('filter planned without an input');
    const types = new Map((inputColumns.input ?? []).map((c) => [c.name, c.type]));
    // Only planned once DuckDB has checked this very text (the compiler compares it with the answer's).
    const where: Expr = config.mode === 'sql' ? { t: 'checkedSql', sql: config.sql } : groupExpr(config, types);
    return [{ op: 'materialize', table: outputTable('output'), query: selectAll(input, where) }];
  },
});
