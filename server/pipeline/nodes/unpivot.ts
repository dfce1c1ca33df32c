import { z } from 'zod';
import { cast, col, param, type Expr, type Select } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import { ColumnTypeSchema, type Column, type ColumnType } from '../types';

const OutputName = (fallback: string) =>
  z
    .string()
    .trim()
    .min(1, 'Name the column')
    .max(255)
    .refine((s) => !s.includes('\0'), 'The name contains a NUL character')
    .default(fallback);

export const UnpivotConfig = z.object({
  columns: z.array(z.string().min(1, 'Choose a column')).min(1, 'Choose the columns to turn into rows'),
  nameColumn: OutputName('name'),
  valueColumn: OutputName('value'),
  /** Empty: the columns must already share a type. */
  castTo: z.union([z.literal(''), ColumnTypeSchema]).default(''),
  keepNulls: z.boolean().default(false),
});
export type UnpivotConfig = z.infer<typeof UnpivotConfig>;

interface UnpivotShape {
  kept: Column[];
  unpivoted: Column[];
  valueType: ColumnType;
  issues: NodeIssue[];
}

function unpivotShape(config: UnpivotConfig, available: Column[]): UnpivotShape {
  const issues: NodeIssue[] = [];
  const byName = new Map(available.map((c) => [c.name, c]));
  const unpivoted: Column[] = [];
  config.columns.forEach((name, i) => {
    const column = byName.get(name);
    if (!column) issues.push(unknownColumnIssue(name, available, ['columns', i]));
    else if (unpivoted.includes(column)) issues.push({ code: 'INVALID_CONFIG', path: ['columns', i], message: `Column "${name}" is chosen twice` });
    else unpivoted.push(column);
  });
  const kept = available.filter((c) => !config.columns.includes(c.name));

  let valueType: ColumnType = config.castTo === '' ? (unpivoted[0]?.type ?? 'string') : config.castTo;
  if (config.castTo === '') {
    const types = new Set(unpivoted.map((c) => c.type));
    if (types.size > 1) {
      issues.push({
        code: 'TYPE_MISMATCH',
        path: ['castTo'],
        message: `The columns turned into rows must share a type, but ${unpivoted.map((c) => `"${c.name}" is ${c.type}`).join(', ')}; choose a common type to cast them to (text always works)`,
      });
      valueType = 'string';
    }
  }

  const taken = new Map(kept.map((c) => [c.name.toLowerCase(), `the input column "${c.name}"`]));
  for (const key of ['nameColumn', 'valueColumn'] as const) {
    const name = config[key];
    const holder = taken.get(name.toLowerCase());
    if (holder !== undefined) {
      issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: [key], message: `The output name "${name}" is already used by ${holder} (names are case-insensitive); enter another name` });
    }
    taken.set(name.toLowerCase(), 'the name column');
  }
  return { kept, unpivoted, valueType, issues };
}

export const unpivot = defineNode({
  kind: 'unpivot',
  version: 1,
  category: 'transform',
  // Converting to a chosen common type fails on values that do not convert.
  failsOnData: (config) => config.castTo !== '',
  label: 'Unpivot',
  icon: '⊟',
  description:
    'Turns columns into rows: each input row becomes one row per chosen column, in the order chosen, holding the other columns unchanged, the chosen column’s name in the name column and its value in the value column. ' +
    'The chosen columns must share a type, or be cast to a common type (a value that does not convert fails the run). Rows whose value is NULL are dropped unless “Keep NULL values” is on.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'One row per row and column' }] },
  config: UnpivotConfig,
  initialConfig: { columns: [], nameColumn: 'name', valueColumn: 'value', castTo: '', keepNulls: false },
  fields: [
    { key: 'columns', widget: 'columnList', port: 'input', label: 'Columns to turn into rows' },
    { key: 'nameColumn', widget: 'text', label: 'Name column', placeholder: 'name', help: 'Holds the name of the column each value came from.' },
    { key: 'valueColumn', widget: 'text', label: 'Value column', placeholder: 'value' },
    {
      key: 'castTo',
      widget: 'select',
      label: 'Common type',
      help: 'Cast every chosen column to this type; leave on “same type” when they already share one.',
      options: [{ value: '', label: 'same type (no cast)' }, ...ColumnTypeSchema.options.map((t) => ({ value: t, label: t }))],
    },
    { key: 'keepNulls', widget: 'toggle', label: 'Keep NULL values', help: 'Off: a NULL value produces no row.' },
  ],
  propagate: ({ config, inputs }) => {
    const { kept, unpivoted, valueType, issues } = unpivotShape(config, inputs.input ?? []);
    const sources = unpivoted.map((c) => ({ port: 'input', column: c.name }));
    const entries: [string, ColumnLineage][] = [
      ...kept.map((c): [string, ColumnLineage] => [c.name, { from: [{ port: 'input', column: c.name }], how: 'copied' }]),
      [config.nameColumn, { from: sources, how: 'derived' }],
      [config.valueColumn, { from: sources, how: 'derived' }],
    ];
    return {
      outputs: { output: [...kept, { name: config.nameColumn, type: 'string' }, { name: config.valueColumn, type: valueType }] },
      lineage: { output: Object.fromEntries(entries) },
      issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('unpivot planned without an input');
    const { kept, unpivoted, valueType } = unpivotShape(config, inputColumns.input ?? []);
    const values: Expr[] = unpivoted.map((c) => (c.type === valueType ? col(c.name) : cast(col(c.name), valueType)));
    // Two unnests in one SELECT are zipped: element i of the names pairs with element i of the values.
    const rows: Select = {
      t: 'select',
      items: [
        ...kept.map((c) => ({ expr: col(c.name) })),
        { expr: { t: 'unnest', list: { t: 'list', items: unpivoted.map((c) => param(c.name)) } }, as: config.nameColumn },
        { expr: { t: 'unnest', list: { t: 'list', items: values } }, as: config.valueColumn },
      ],
      from: input,
    };
    const query: Select = config.keepNulls ? rows : { t: 'select', items: '*', from: { t: 'subquery', query: rows, alias: 'unpivoted' }, where: { t: 'isNull', expr: col(config.valueColumn), negated: true } };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
