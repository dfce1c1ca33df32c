import { z } from 'zod';
import type { Expr, JoinKind, Relation, Select } from '../../sql/ast';
import { closestName, defineNode, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

// Output shape, for every kind:
// - semi and anti joins output exactly the left input's columns, from the left.
// - inner, left, right and full joins output the left input's columns in order,
//   then the right input's non-key columns in order. A right column whose name
//   (case-insensitively, as DuckDB compares names) is already a left column is
//   renamed with `rightSuffix`.
// - Each key pair appears once, as one column with the LEFT key's name and
//   position. Its value comes from the side the join preserves: the left key for
//   inner and left joins (in an inner join both sides are equal anyway), the
//   right key for right joins, and COALESCE(left, right) for full joins, so that
//   unmatched rows of either side keep their key. The right key column is not
//   output separately. Lineage says which side(s) the value is taken from.
export const JoinKinds = {
  inner: { label: 'Inner: only rows that match' },
  left: { label: 'Left: every left row, matched or not' },
  right: { label: 'Right: every right row, matched or not' },
  full: { label: 'Full: every row of both sides' },
  semi: { label: 'Semi: left rows that have a match' },
  anti: { label: 'Anti: left rows that have no match' },
} as const satisfies Record<JoinKind, { label: string }>;
const joinKindNames = Object.keys(JoinKinds) as [JoinKind, ...JoinKind[]];

export const JoinKeyPair = z.object({
  left: z.string().min(1, 'Choose a column of the left input'),
  right: z.string().min(1, 'Choose a column of the right input'),
});
export type JoinKeyPair = z.infer<typeof JoinKeyPair>;

export const JoinConfig = z.object({
  kind: z.enum(joinKindNames).default('inner'),
  keys: z.array(JoinKeyPair).min(1, 'Add at least one pair of key columns'),
  rightSuffix: z
    .string()
    .min(1, 'Enter a suffix for right columns whose names clash')
    .max(64)
    .refine((s) => !s.includes('\0'), 'The suffix contains a NUL character')
    .default('_right'),
});
export type JoinConfig = z.infer<typeof JoinConfig>;

const LEFT = 'l';
const RIGHT = 'r';
type Side = 'left' | 'right';

const isNumeric = (t: ColumnType) => t === 'integer' || t === 'float';
/** Keys compare when their types are equal or both numeric (integer = float compares as float). */
export const comparable = (a: ColumnType, b: ColumnType) => a === b || (isNumeric(a) && isNumeric(b));
const common = (a: ColumnType, b: ColumnType): ColumnType => (a === b ? a : 'float');

const qualified = (table: string, name: string): Expr => ({ t: 'column', name, table });

interface OutputColumn {
  column: Column;
  expr: Expr;
  lineage: ColumnLineage;
}

interface JoinShape {
  columns: OutputColumn[];
  /** The key pairs that resolved, in order: the join condition. */
  pairs: { left: Column; right: Column }[];
  uses: ColumnUse[];
  issues: NodeIssue[];
}

function unknownKeyIssue(column: string, available: Column[], side: Side, path: (string | number)[]): NodeIssue {
  const suggestion = closestName(column, available.map((c) => c.name));
  return {
    code: 'UNKNOWN_COLUMN',
    path,
    message: `Column "${column}" does not exist in the ${side} input${suggestion ? `; did you mean "${suggestion}"?` : ''} (available: ${available.map((c) => c.name).join(', ') || 'none'})`,
  };
}

function lineageOf(name: string, from: { port: Side; column: string }[]): ColumnLineage {
  return { from, how: from.every((f) => f.column === name) ? 'copied' : 'renamed' };
}

/** The one place that decides the join's output; propagate reports it, plan renders it. */
function joinShape(config: JoinConfig, left: Column[], right: Column[]): JoinShape {
  const issues: NodeIssue[] = [];
  const uses: ColumnUse[] = [];
  const pairs: { left: Column; right: Column }[] = [];
  const seen: Record<Side, Map<string, number>> = { left: new Map(), right: new Map() };

  config.keys.forEach((pair, i) => {
    const resolved: Partial<Record<Side, Column>> = {};
    for (const side of ['left', 'right'] as const) {
      const available = side === 'left' ? left : right;
      const name = pair[side];
      const column = available.find((c) => c.name === name);
      if (!column) {
        issues.push(unknownKeyIssue(name, available, side, ['keys', i, side]));
        continue;
      }
      uses.push({ port: side, column: name, how: 'join' });
      const earlier = seen[side].get(name);
      if (earlier !== undefined) {
        issues.push({ code: 'INVALID_CONFIG', path: ['keys', i, side], message: `Column "${name}" is already a key in pair ${earlier + 1}; use each column in one pair only` });
        continue;
      }
      seen[side].set(name, i);
      resolved[side] = column;
    }
    const { left: l, right: r } = resolved;
    if (!l || !r) return;
    if (!comparable(l.type, r.type)) {
      issues.push({ code: 'TYPE_MISMATCH', path: ['keys', i, 'right'], message: `Key "${l.name}" (${l.type}) cannot be matched with "${r.name}" (${r.type}); both keys need the same type` });
      return;
    }
    pairs.push({ left: l, right: r });
  });

  const keyFor = new Map(pairs.map((p) => [p.left.name, p.right]));
  const columns: OutputColumn[] = left.map((c) => {
    const rightKey = keyFor.get(c.name);
    if (!rightKey || config.kind === 'inner' || config.kind === 'left' || config.kind === 'semi' || config.kind === 'anti') {
      return { column: c, expr: qualified(LEFT, c.name), lineage: lineageOf(c.name, [{ port: 'left', column: c.name }]) };
    }
    if (config.kind === 'right') {
      return { column: { name: c.name, type: rightKey.type }, expr: qualified(RIGHT, rightKey.name), lineage: lineageOf(c.name, [{ port: 'right', column: rightKey.name }]) };
    }
    return {
      column: { name: c.name, type: common(c.type, rightKey.type) },
      expr: { t: 'call', fn: 'coalesce', args: [qualified(LEFT, c.name), qualified(RIGHT, rightKey.name)] },
      lineage: lineageOf(c.name, [
        { port: 'left', column: c.name },
        { port: 'right', column: rightKey.name },
      ]),
    };
  });
  if (config.kind === 'semi' || config.kind === 'anti') return { columns, pairs, uses, issues };

  const leftNames = new Set(left.map((c) => c.name.toLowerCase()));
  const rightKeys = new Set(pairs.map((p) => p.right.name));
  const fromRight = right
    .filter((c) => !rightKeys.has(c.name))
    .map((c) => {
      const suffixed = leftNames.has(c.name.toLowerCase());
      const name = suffixed ? `${c.name}${config.rightSuffix}` : c.name;
      const out: OutputColumn = { column: { name, type: c.type }, expr: qualified(RIGHT, c.name), lineage: lineageOf(name, [{ port: 'right', column: c.name }]) };
      return { source: c.name, suffixed, out };
    });
  // A suffixed name can still clash: with a left column, or a right one, already called "x_right".
  const taken = new Map<string, string>();
  for (const c of [...columns, ...fromRight.filter((r) => !r.suffixed).map((r) => r.out)]) taken.set(c.column.name.toLowerCase(), c.column.name);
  for (const { source, suffixed, out } of fromRight) {
    const key = out.column.name.toLowerCase();
    const clash = taken.get(key);
    if (suffixed && clash !== undefined) {
      issues.push({
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: ['rightSuffix'],
        message: `Right column "${source}" would be renamed to "${out.column.name}", but the output already has a column "${clash}" (names are case-insensitive); choose another suffix`,
      });
      continue;
    }
    if (suffixed) taken.set(key, out.column.name);
    columns.push(out);
  }
  return { columns, pairs, uses, issues };
}

/** Gives an input relation the alias the join condition refers to. */
export function aliased(relation: Relation, alias: string): Relation {
  switch (relation.t) {
    case 'table':
    case 'subquery':
    case 'unionByName':
    case 'checkedQuery':
      return { ...relation, alias };
    case 'join':
    case 'readCsv':
    case 'readJson':
    case 'readParquet':
      return { t: 'subquery', query: { t: 'select', items: '*', from: relation }, alias };
  }
}

export const join = defineNode({
  kind: 'join',
  version: 1,
  category: 'transform',
  label: 'Join',
  icon: '⋈',
  description:
    'Combines rows of two inputs whose key columns are equal. A NULL key never matches, and a key that matches several rows repeats the row once per match. ' +
    'Each key appears once, under the left column’s name: from the left for inner and left joins, from the right for right joins, and from whichever side has it for full joins. ' +
    'Other right columns follow the left ones; a name both sides use gets the suffix on the right. Semi and anti joins keep only the left columns.',
  ports: {
    inputs: [
      { name: 'left', label: 'Left' },
      { name: 'right', label: 'Right', reference: true },
    ],
    outputs: [{ name: 'output', label: 'Joined rows' }],
  },
  config: JoinConfig,
  initialConfig: { kind: 'inner', keys: [], rightSuffix: '_right' },
  fields: [
    { key: 'kind', widget: 'select', label: 'Join type', options: joinKindNames.map((k) => ({ value: k, label: JoinKinds[k].label })) },
    {
      key: 'keys',
      widget: 'list',
      label: 'Match rows where',
      itemLabel: 'Key pair',
      addLabel: 'Add key pair',
      itemFields: [
        { key: 'left', label: 'Left column', widget: 'column', port: 'left' },
        { key: 'right', label: 'equals right column', widget: 'column', port: 'right' },
      ],
      newItem: { left: '', right: '' },
    },
    {
      key: 'rightSuffix',
      widget: 'text',
      label: 'Suffix for clashing right columns',
      help: 'Added to a right column whose name the left input already has.',
      placeholder: '_right',
    },
  ],
  propagate: ({ config, inputs }) => {
    const { columns, uses, issues } = joinShape(config, inputs.left ?? [], inputs.right ?? []);
    return {
      outputs: { output: columns.map((c) => c.column) },
      lineage: { output: Object.fromEntries(columns.map((c) => [c.column.name, c.lineage])) },
      uses,
      issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const left = inputs.left;
    const right = inputs.right;
    if (!left || !right) throw new Error('join planned without both inputs');
    const { columns, pairs } = joinShape(config, inputColumns.left ?? [], inputColumns.right ?? []);
    const on: Expr = {
      t: 'logical',
      op: 'AND',
      items: pairs.map((p) => ({ t: 'compare', op: '=', left: qualified(LEFT, p.left.name), right: qualified(RIGHT, p.right.name) })),
    };
    const query: Select = {
      t: 'select',
      items: columns.map((c) => ({ expr: c.expr, as: c.column.name })),
      from: { t: 'join', kind: config.kind, left: aliased(left, LEFT), right: aliased(right, RIGHT), on },
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
