import { z } from 'zod';
import { col, param, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column } from '../types';

// Output shape: the parts take the source column's place, in order; when the
// source is kept, they follow it. Part i is the i-th piece of the split: pieces
// past the last output column are dropped, and a missing piece is NULL (so
// "a,b" split into three columns gives 'a', 'b', NULL). A NULL source gives
// NULL parts. Consecutive delimiters give an empty piece, not a skipped one.

export const SplitColumnConfig = z
  .object({
    column: z.string().min(1, 'Choose the column to split'),
    /** 'delimiter': `separator` is literal text; 'regex': `separator` is an RE2 pattern. */
    mode: z.enum(['delimiter', 'regex']).default('delimiter'),
    separator: z.string().min(1, 'Enter the delimiter or pattern to split on').max(1000),
    /** 'names': one output column per name in `names`; 'count': `count` columns named `prefix`_1.._count. */
    naming: z.enum(['names', 'count']).default('names'),
    names: z.array(z.object({ name: z.string().trim().min(1, 'Name the output column').max(255) })).default([]),
    count: z.number().int().min(1).max(100).default(2),
    prefix: z.string().trim().max(200).default(''),
    keepOriginal: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.naming === 'names' && c.names.length === 0) ctx.addIssue({ code: 'custom', path: ['names'], message: 'Name at least one output column' });
    if (c.naming === 'count' && c.prefix === '') ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'Enter the prefix of the output columns' });
  });
export type SplitColumnConfig = z.infer<typeof SplitColumnConfig>;

export function partNames(config: SplitColumnConfig): string[] {
  return config.naming === 'names' ? config.names.map((n) => n.name) : Array.from({ length: config.count }, (_, i) => `${config.prefix}_${i + 1}`);
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

interface SplitShape {
  /** `part`: 1-based index of the piece this output column holds; absent for input columns. */
  columns: (Column & { part?: number })[];
  lineage: Record<string, ColumnLineage>;
  issues: NodeIssue[];
}

function splitShape(config: SplitColumnConfig, input: Column[]): SplitShape {
  const issues: NodeIssue[] = [];
  const source = input.find((c) => c.name === config.column);
  if (!source) return { columns: input, lineage: passThroughLineage('input', input), issues: [unknownColumnIssue(config.column, input, ['column'])] };
  if (source.type !== 'string') issues.push({ code: 'TYPE_MISMATCH', path: ['column'], message: `Splitting needs a text column, but "${source.name}" is ${source.type}` });
  if (config.mode === 'regex' && !isRegex(config.separator)) issues.push({ code: 'INVALID_VALUE', path: ['separator'], message: `"${config.separator}" is not a valid regular expression` });

  // Names compare case-insensitively, as DuckDB compares them.
  const taken = new Map(input.filter((c) => config.keepOriginal || c.name !== source.name).map((c) => [c.name.toLowerCase(), c.name]));
  const parts: (Column & { part: number })[] = [];
  partNames(config).forEach((name, i) => {
    const clash = taken.get(name.toLowerCase());
    if (clash !== undefined) {
      const path = config.naming === 'names' ? ['names', i, 'name'] : ['prefix'];
      issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path, message: `The output already has a column "${clash}"; choose another name for part ${i + 1} ("${name}")` });
      return;
    }
    taken.set(name.toLowerCase(), name);
    parts.push({ name, type: 'string', part: i + 1 });
  });

  const columns: SplitShape['columns'] = input.flatMap((c) => (c.name !== source.name ? [c] : config.keepOriginal ? [c, ...parts] : parts));
  const lineage = passThroughLineage('input', config.keepOriginal ? input : input.filter((c) => c !== source));
  for (const p of parts) lineage[p.name] = { from: [{ port: 'input', column: source.name }], how: 'derived' };
  return { columns, lineage, issues };
}

export const splitColumn = defineNode({
  kind: 'split-column',
  version: 1,
  category: 'transform',
  label: 'Split column',
  icon: '⫶',
  description:
    'Splits one text column into several text columns, on a literal delimiter or a regular expression (RE2). The parts are named one by one or numbered (prefix_1, prefix_2, …) and take the column’s place, after it when the original is kept. ' +
    'Pieces beyond the last output column are dropped; a missing piece is NULL, as are all parts of a NULL value. Two delimiters in a row give an empty piece.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: SplitColumnConfig,
  initialConfig: { column: '', mode: 'delimiter', separator: ',', naming: 'names', names: [], count: 2, prefix: '', keepOriginal: false },
  fields: [
    { key: 'column', widget: 'column', label: 'Column to split', port: 'input' },
    {
      key: 'mode',
      widget: 'select',
      label: 'Split on',
      options: [
        { value: 'delimiter', label: 'A delimiter (literal text)' },
        { value: 'regex', label: 'A regular expression' },
      ],
    },
    { key: 'separator', widget: 'text', label: 'Delimiter or pattern', placeholder: ',', help: 'Taken literally unless splitting on a regular expression (RE2 syntax)' },
    {
      key: 'naming',
      widget: 'select',
      label: 'Output columns',
      options: [
        { value: 'names', label: 'Named one by one' },
        { value: 'count', label: 'Numbered: prefix_1 … prefix_N' },
      ],
    },
    {
      key: 'names',
      widget: 'list',
      label: 'Names',
      itemLabel: 'Part',
      addLabel: 'Add part',
      itemFields: [{ key: 'name', label: 'Column name', widget: 'text' }],
      newItem: { name: '' },
      help: 'When named one by one: one output column per part, in order',
    },
    { key: 'count', widget: 'number', label: 'Number of parts (N)', integer: true, min: 1, max: 100, help: 'When numbered' },
    { key: 'prefix', widget: 'text', label: 'Prefix', placeholder: 'part', help: 'Numbered columns are called prefix_1, prefix_2, …' },
    { key: 'keepOriginal', widget: 'toggle', label: 'Keep the original column' },
  ],
  propagate: ({ config, inputs }) => {
    const { columns, lineage, issues } = splitShape(config, inputs.input ?? []);
    return { outputs: { output: columns.map((c) => ({ name: c.name, type: c.type })) }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('split-column planned without an input');
    const pieces: Expr = { t: 'call', fn: config.mode === 'regex' ? 'regexp_split_to_array' : 'string_split', args: [col(config.column), param(config.separator)] };
    const items: SelectItem[] = splitShape(config, inputColumns.input ?? []).columns.map((c) =>
      c.part === undefined ? { expr: col(c.name) } : { expr: { t: 'call', fn: 'list_extract', args: [pieces, { t: 'literal', value: c.part }] }, as: c.name },
    );
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
