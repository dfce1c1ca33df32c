import { z } from 'zod';
import { cast, col, param, type Expr, type Select } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import { parsesAs, type Column, type ColumnType } from '../types';

export const PivotFunctions = {
  sum: { label: 'Sum', numeric: true },
  count: { label: 'Count', numeric: false },
  avg: { label: 'Average', numeric: true },
  min: { label: 'Minimum', numeric: false },
  max: { label: 'Maximum', numeric: false },
  first: { label: 'First', numeric: false },
} as const;
export type PivotFunction = keyof typeof PivotFunctions;
const functionNames = Object.keys(PivotFunctions) as [PivotFunction, ...PivotFunction[]];

export const PivotValue = z.object({
  /** As the user types it; read as a value of the pivot column's type. */
  value: z.string().refine((s) => !s.includes('\0'), 'The value contains a NUL character'),
  /** Output column name; empty means the value itself. */
  as: z.string().max(255).refine((s) => !s.includes('\0'), 'The name contains a NUL character').default(''),
});
export type PivotValue = z.infer<typeof PivotValue>;

export const PivotConfig = z.object({
  groupBy: z.array(z.string().min(1, 'Choose a column')).default([]),
  pivotColumn: z.string().min(1, 'Choose the column whose values become columns'),
  /** Empty only for count, which then counts rows. */
  valueColumn: z.string().default(''),
  function: z.enum(functionNames, { error: 'Choose an aggregate function' }).default('sum'),
  /** For first: which row comes first. */
  orderBy: z.string().default(''),
  values: z.array(PivotValue).min(1, 'List at least one pivot value: the output columns must be known before the data is read'),
});
export type PivotConfig = z.infer<typeof PivotConfig>;

/** The comparison value as it is bound: strings exactly as typed, other types trimmed. */
const boundValue = (v: PivotValue, type: ColumnType): string => (type === 'string' ? v.value : v.value.trim());

/** The output column's name: `as`, or else the value as it is compared. */
const outputName = (v: PivotValue, keyType: ColumnType): string => (v.as !== '' ? v.as : boundValue(v, keyType));

function outputType(fn: PivotFunction, valueType: ColumnType | undefined): ColumnType {
  if (fn === 'count') return 'integer';
  if (fn === 'avg') return 'float';
  return valueType ?? 'string';
}

interface PivotShape {
  groups: Column[];
  key: Column | undefined;
  value: Column | undefined;
  pivoted: { column: Column; value: PivotValue }[];
  uses: ColumnUse[];
  issues: NodeIssue[];
}

function pivotShape(config: PivotConfig, available: Column[]): PivotShape {
  const byName = new Map(available.map((c) => [c.name, c]));
  const issues: NodeIssue[] = [];
  const uses: ColumnUse[] = [];
  const taken = new Map<string, string>();
  const groups: Column[] = [];
  config.groupBy.forEach((name, i) => {
    const column = byName.get(name);
    if (!column) issues.push(unknownColumnIssue(name, available, ['groupBy', i]));
    else if (name === config.pivotColumn) issues.push({ code: 'INVALID_CONFIG', path: ['groupBy', i], message: `"${name}" is the pivot column; its values become columns, so it cannot also be grouped by` });
    else if (taken.has(name.toLowerCase())) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['groupBy', i], message: `Column "${name}" is grouped by twice` });
    else {
      groups.push(column);
      taken.set(name.toLowerCase(), `the group-by column "${name}"`);
    }
  });

  const key = byName.get(config.pivotColumn);
  if (!key) issues.push(unknownColumnIssue(config.pivotColumn, available, ['pivotColumn']));

  let value: Column | undefined;
  if (config.valueColumn === '') {
    if (config.function !== 'count') issues.push({ code: 'INVALID_CONFIG', path: ['valueColumn'], message: `Choose the value column to ${PivotFunctions[config.function].label.toLowerCase()}; only count may leave it empty (it then counts rows)` });
  } else {
    value = byName.get(config.valueColumn);
    if (!value) issues.push(unknownColumnIssue(config.valueColumn, available, ['valueColumn']));
    else if (PivotFunctions[config.function].numeric && value.type !== 'integer' && value.type !== 'float') {
      issues.push({ code: 'TYPE_MISMATCH', path: ['function'], message: `${PivotFunctions[config.function].label} needs a numeric value column, but "${value.name}" is ${value.type}` });
      value = undefined;
    }
  }
  if (config.orderBy !== '') {
    if (config.function !== 'first') issues.push({ code: 'INVALID_CONFIG', path: ['orderBy'], message: 'An order only matters for first; clear it or choose first' });
    else if (!byName.has(config.orderBy)) issues.push(unknownColumnIssue(config.orderBy, available, ['orderBy']));
    else uses.push({ port: 'input', column: config.orderBy, how: 'order' });
  }

  const pivoted: PivotShape['pivoted'] = [];
  const seenValues = new Map<string, number>();
  config.values.forEach((v, i) => {
    if (key) {
      if (!parsesAs(key.type, v.value)) {
        issues.push({ code: 'INVALID_VALUE', path: ['values', i, 'value'], message: `"${v.value}" is not a ${key.type} value, but the pivot column "${key.name}" is ${key.type}` });
        return;
      }
      const bound = boundValue(v, key.type);
      const earlier = seenValues.get(bound);
      if (earlier !== undefined) {
        issues.push({ code: 'INVALID_CONFIG', path: ['values', i, 'value'], message: `The value "${bound}" is already listed (value ${earlier + 1})` });
        return;
      }
      seenValues.set(bound, i);
    }
    const name = outputName(v, key?.type ?? 'string');
    if (name.trim() === '') {
      issues.push({ code: 'INVALID_VALUE', path: ['values', i, 'as'], message: 'Name the output column of this value' });
      return;
    }
    const holder = taken.get(name.toLowerCase());
    if (holder !== undefined) {
      issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['values', i, v.as === '' ? 'value' : 'as'], message: `The output name "${name}" is already used by ${holder} (names are case-insensitive); enter another name` });
      return;
    }
    taken.set(name.toLowerCase(), `pivot value ${i + 1}`);
    pivoted.push({ column: { name, type: outputType(config.function, value?.type) }, value: v });
  });
  return { groups, key, value, pivoted, uses, issues };
}

function pivotExpr(config: PivotConfig, shape: PivotShape, v: PivotValue): Expr {
  const key = shape.key;
  if (!key) throw new Error('pivot planned without its pivot column');
  const bound = param(boundValue(v, key.type));
  const filter: Expr = { t: 'compare', op: '=', left: col(key.name), right: key.type === 'string' ? bound : cast(bound, key.type) };
  const args = config.valueColumn === '' ? [] : [col(config.valueColumn)];
  const orderBy = config.function === 'first' && config.orderBy !== '' ? { orderBy: [{ expr: col(config.orderBy) }] } : {};
  const aggregate: Expr = { t: 'aggregate', fn: config.function, args, filter, ...orderBy };
  // DuckDB sums BIGINT into HUGEINT; the declared output stays BIGINT.
  return config.function === 'sum' && shape.value?.type === 'integer' ? cast(aggregate, 'integer') : aggregate;
}

export const pivot = defineNode({
  kind: 'pivot',
  version: 1,
  category: 'transform',
  label: 'Pivot',
  icon: '⊞',
  description:
    'Turns rows into columns: one output row per group of the group-by columns (NULL is a group of its own), with one column per listed value of the pivot column holding the aggregate of the value column over that group’s rows with that value. ' +
    'The values are listed by hand so the output columns are known without reading the data; rows whose pivot value is not listed (or is NULL) are ignored, and a group whose rows have none of the listed values still appears, with NULLs (count: 0). ' +
    'Without group-by columns the output is exactly one row. Sum of integers stays an integer, average is a float, count is an integer; first without an order picks any row.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'One row per group' }] },
  config: PivotConfig,
  initialConfig: { groupBy: [], pivotColumn: '', valueColumn: '', function: 'sum', orderBy: '', values: [{ value: '', as: '' }] },
  fields: [
    { key: 'groupBy', widget: 'columnList', port: 'input', label: 'Group by', help: 'One output row per distinct combination; leave empty for one row.' },
    { key: 'pivotColumn', widget: 'column', port: 'input', label: 'Pivot column', help: 'Its listed values become output columns.' },
    { key: 'valueColumn', widget: 'column', port: 'input', label: 'Value column', help: 'Aggregated into the new columns. For count, leave empty to count rows.' },
    { key: 'function', widget: 'select', label: 'Aggregate', options: functionNames.map((f) => ({ value: f, label: PivotFunctions[f].label })) },
    { key: 'orderBy', widget: 'column', port: 'input', label: 'First by', help: 'First only: the row with the lowest value of this column wins (NULLs last).' },
    {
      key: 'values',
      widget: 'list',
      label: 'Pivot values',
      itemLabel: 'Value',
      addLabel: 'Add value',
      newItem: { value: '', as: '' },
      itemFields: [
        { key: 'value', label: 'Value', widget: 'text', help: 'A value of the pivot column, typed as in a filter (dates as 2024-01-31). Values not listed here are ignored.' },
        { key: 'as', label: 'Column name', widget: 'text', help: 'Leave empty to name the column after the value.' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const shape = pivotShape(config, inputs.input ?? []);
    const valueSources = [...(config.valueColumn === '' ? [] : [{ port: 'input', column: config.valueColumn }]), { port: 'input', column: config.pivotColumn }];
    const entries: [string, ColumnLineage][] = [
      ...shape.groups.map((c): [string, ColumnLineage] => [c.name, { from: [{ port: 'input', column: c.name }], how: 'copied' }]),
      ...shape.pivoted.map((p): [string, ColumnLineage] => [p.column.name, { from: valueSources, how: 'aggregated' }]),
    ];
    return {
      outputs: { output: [...shape.groups, ...shape.pivoted.map((p) => p.column)] },
      lineage: { output: Object.fromEntries(entries) },
      uses: shape.uses,
      issues: shape.issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('pivot planned without an input');
    const shape = pivotShape(config, inputColumns.input ?? []);
    const query: Select = {
      t: 'select',
      items: [...shape.groups.map((c) => ({ expr: col(c.name) })), ...shape.pivoted.map((p) => ({ expr: pivotExpr(config, shape, p.value), as: p.column.name }))],
      from: input,
      ...(shape.groups.length ? { groupBy: shape.groups.map((c) => col(c.name)) } : {}),
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
