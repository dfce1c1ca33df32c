import { z } from 'zod';
import { cast, param, type Expr, type Relation, type Select, type SelectItem } from '../../sql/ast';
import { closestName, defineNode, passThroughLineage, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column } from '../types';
import { aliased, comparable } from './join';

// A lookup enriches each input row with columns of the reference row whose keys
// equal its keys. Unlike a join it never multiplies input rows: when an input
// row matches a key the reference holds more than once, either the run fails
// (naming the key), or the first such reference row by a chosen order is used.
// Duplicated keys no input row looks up are harmless and do not fail. Output: the input columns
// unchanged and in order, then the brought columns in the order listed. A NULL
// key never matches.

export const LookupKeyPair = z.object({
  input: z.string().min(1, 'Choose a column of the input'),
  reference: z.string().min(1, 'Choose a column of the reference'),
});

export const LookupColumn = z.object({
  column: z.string().min(1, 'Choose a reference column'),
  /** Output name; empty means prefix + the column's own name. */
  as: z.string().trim().max(255).default(''),
});

export const LookupConfig = z.object({
  keys: z.array(LookupKeyPair).min(1, 'Add at least one pair of key columns'),
  columns: z.array(LookupColumn).min(1, 'Choose at least one reference column to bring in'),
  /** Put before brought column names that are not renamed. */
  prefix: z.string().trim().max(200).default(''),
  onNoMatch: z.enum(['keep', 'drop']).default('keep'),
  onDuplicateKeys: z.enum(['fail', 'first']).default('fail'),
  /** With onDuplicateKeys 'first': the reference row that sorts first wins. */
  referenceOrder: z.array(z.object({ column: z.string().min(1, 'Choose a column'), descending: z.boolean().default(false) })).default([]),
});
export type LookupConfig = z.infer<typeof LookupConfig>;

const INPUT = 'i';
const REFERENCE = 'r';
const qualified = (relation: string, name: string): Expr => ({ t: 'column', name, table: relation });
const text = (value: string): Expr => ({ t: 'literal', value });

function unknownIn(port: 'input' | 'reference', column: string, available: Column[], path: (string | number)[]): NodeIssue {
  const suggestion = closestName(column, available.map((c) => c.name));
  return {
    code: 'UNKNOWN_COLUMN',
    path,
    message: `Column "${column}" does not exist in the ${port}${suggestion ? `; did you mean "${suggestion}"?` : ''} (available: ${available.map((c) => c.name).join(', ') || 'none'})`,
  };
}

interface LookupShape {
  pairs: { input: Column; reference: Column }[];
  brought: { source: Column; name: string }[];
  uses: ColumnUse[];
  issues: NodeIssue[];
}

function lookupShape(config: LookupConfig, input: Column[], reference: Column[]): LookupShape {
  const issues: NodeIssue[] = [];
  const uses: ColumnUse[] = [];
  const pairs: LookupShape['pairs'] = [];
  config.keys.forEach((pair, i) => {
    const left = input.find((c) => c.name === pair.input);
    const right = reference.find((c) => c.name === pair.reference);
    if (!left) issues.push(unknownIn('input', pair.input, input, ['keys', i, 'input']));
    else uses.push({ port: 'input', column: left.name, how: 'join' });
    if (!right) issues.push(unknownIn('reference', pair.reference, reference, ['keys', i, 'reference']));
    else uses.push({ port: 'reference', column: right.name, how: 'join' });
    if (!left || !right) return;
    if (!comparable(left.type, right.type)) {
      issues.push({ code: 'TYPE_MISMATCH', path: ['keys', i, 'reference'], message: `Key "${left.name}" (${left.type}) cannot be matched with "${right.name}" (${right.type}); both keys need the same type` });
      return;
    }
    pairs.push({ input: left, reference: right });
  });

  // Names compare case-insensitively, as DuckDB compares them; a clash is reported, never renamed away.
  const taken = new Map(input.map((c) => [c.name.toLowerCase(), `input column "${c.name}"`]));
  const brought: LookupShape['brought'] = [];
  config.columns.forEach((item, i) => {
    const source = reference.find((c) => c.name === item.column);
    if (!source) {
      issues.push(unknownIn('reference', item.column, reference, ['columns', i, 'column']));
      return;
    }
    const name = item.as !== '' ? item.as : `${config.prefix}${source.name}`;
    const clash = taken.get(name.toLowerCase());
    if (clash !== undefined) {
      issues.push({
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: item.as !== '' ? ['columns', i, 'as'] : ['columns', i, 'column'],
        message: `Reference column "${source.name}" would be output as "${name}", which clashes with the ${clash}; rename it or set a prefix`,
      });
      return;
    }
    taken.set(name.toLowerCase(), `brought column "${name}"`);
    brought.push({ source, name });
  });

  if (config.onDuplicateKeys === 'first') {
    if (config.referenceOrder.length === 0) {
      issues.push({ code: 'INVALID_CONFIG', path: ['referenceOrder'], message: 'Choose the reference order that decides which row is first for a duplicated key' });
    }
    config.referenceOrder.forEach((o, i) => {
      if (!reference.some((c) => c.name === o.column)) issues.push(unknownIn('reference', o.column, reference, ['referenceOrder', i, 'column']));
      else uses.push({ port: 'reference', column: o.column, how: 'order' });
    });
  }
  return { pairs, brought, uses, issues };
}

/** A column name the reference does not have, for the per-key match count. */
function countColumnName(reference: Column[]): string {
  const names = new Set(reference.map((c) => c.name.toLowerCase()));
  let name = '__sluice_matches';
  while (names.has(name)) name = `_${name}`;
  return name;
}

/** The reference as the join reads it: one row per key ('first'), or every row with its key's row count ('fail'). */
function referenceRelation(config: LookupConfig, shape: LookupShape, reference: Relation, columns: Column[], countColumn: string): Relation {
  const partitionBy = shape.pairs.map((p): Expr => ({ t: 'column', name: p.reference.name }));
  if (config.onDuplicateKeys === 'first') {
    const orderBy = config.referenceOrder.map((o) => ({ expr: { t: 'column' as const, name: o.column }, descending: o.descending }));
    const first: Expr = { t: 'compare', op: '=', left: { t: 'window', fn: 'row_number', args: [], partitionBy, orderBy }, right: { t: 'literal', value: 1 } };
    return { t: 'subquery', query: { t: 'select', items: '*', from: reference, qualify: first }, alias: REFERENCE };
  }
  const items: SelectItem[] = [...columns.map((c) => ({ expr: { t: 'column' as const, name: c.name } })), { expr: { t: 'window', fn: 'count', args: [], partitionBy, orderBy: [] }, as: countColumn }];
  return { t: 'subquery', query: { t: 'select', items, from: reference }, alias: REFERENCE };
}

/** Fails the run when the matched key has several reference rows: "... 2 rows for the key "sku" = 'A1' ...". */
function duplicateKeyGuard(shape: LookupShape, countColumn: string, value: Expr): Expr {
  const key = shape.pairs.flatMap((p, i): Expr[] => [...(i === 0 ? [] : [text(', ')]), param(`"${p.input.name}" = '`), cast(qualified(INPUT, p.input.name), 'string'), text("'")]);
  const message: Expr = {
    t: 'call',
    fn: 'concat',
    args: [text('The reference has '), qualified(REFERENCE, countColumn), text(' rows for the key '), ...key, text('; remove the duplicates or choose to take the first row by an order')],
  };
  return { t: 'case', when: [{ condition: { t: 'compare', op: '>', left: qualified(REFERENCE, countColumn), right: { t: 'literal', value: 1 } }, then: { t: 'call', fn: 'error', args: [message] } }], else: value };
}

export const lookup = defineNode({
  kind: 'lookup',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.onDuplicateKeys === 'fail',
  label: 'Lookup (enrich)',
  icon: '⌕',
  description:
    'Adds columns from a reference input to each row whose key columns equal a reference row’s keys, keeping the input rows and their order of columns. A NULL key never matches. ' +
    'Rows without a match are kept with NULLs or dropped. A row matching a key the reference holds more than once fails the run, naming the key, unless the first reference row by a chosen order is taken; input rows are never repeated. ' +
    'Brought columns can be renamed or prefixed; a name the output already has is an error, never renamed silently.',
  ports: {
    inputs: [
      { name: 'input', label: 'Rows' },
      { name: 'reference', label: 'Reference', reference: true },
    ],
    outputs: [{ name: 'output', label: 'Enriched rows' }],
  },
  config: LookupConfig,
  initialConfig: { keys: [{ input: '', reference: '' }], columns: [{ column: '', as: '' }], prefix: '', onNoMatch: 'keep', onDuplicateKeys: 'fail', referenceOrder: [] },
  fields: [
    {
      key: 'keys',
      widget: 'list',
      label: 'Match rows where',
      itemLabel: 'Key pair',
      addLabel: 'Add key pair',
      newItem: { input: '', reference: '' },
      itemFields: [
        { key: 'input', label: 'Input column', widget: 'column', port: 'input' },
        { key: 'reference', label: 'equals reference column', widget: 'column', port: 'reference' },
      ],
    },
    {
      key: 'columns',
      widget: 'list',
      label: 'Bring in',
      itemLabel: 'Column',
      addLabel: 'Add column',
      newItem: { column: '', as: '' },
      itemFields: [
        { key: 'column', label: 'Reference column', widget: 'column', port: 'reference' },
        { key: 'as', label: 'Output name', widget: 'text', help: 'Empty: the prefix plus the column’s name' },
      ],
    },
    { key: 'prefix', widget: 'text', label: 'Prefix for brought columns', placeholder: 'ref_', help: 'Added to brought columns that are not renamed' },
    {
      key: 'onNoMatch',
      widget: 'select',
      label: 'When a row has no match',
      options: [
        { value: 'keep', label: 'Keep it, with NULLs' },
        { value: 'drop', label: 'Drop it' },
      ],
    },
    {
      key: 'onDuplicateKeys',
      widget: 'select',
      label: 'When the reference repeats a key',
      options: [
        { value: 'fail', label: 'Fail the run, naming the key' },
        { value: 'first', label: 'Take the first reference row by an order' },
      ],
    },
    {
      key: 'referenceOrder',
      widget: 'list',
      label: 'Reference order',
      help: 'When taking the first row: which reference row comes first',
      itemLabel: 'Order key',
      addLabel: 'Add order key',
      newItem: { column: '', descending: false },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'reference' },
        { key: 'descending', label: 'Descending', widget: 'toggle' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const input = inputs.input ?? [];
    const { brought, uses, issues } = lookupShape(config, input, inputs.reference ?? []);
    const lineage: Record<string, ColumnLineage> = passThroughLineage('input', input);
    for (const b of brought) lineage[b.name] = { from: [{ port: 'reference', column: b.source.name }], how: b.name === b.source.name ? 'copied' : 'renamed' };
    return { outputs: { output: [...input, ...brought.map((b) => ({ name: b.name, type: b.source.type }))] }, lineage: { output: lineage }, uses, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    const reference = inputs.reference;
    if (!input || !reference) throw new Error('lookup planned without both inputs');
    const referenceColumns = inputColumns.reference ?? [];
    const shape = lookupShape(config, inputColumns.input ?? [], referenceColumns);
    const countColumn = countColumnName(referenceColumns);
    const items: SelectItem[] = [
      ...(inputColumns.input ?? []).map((c) => ({ expr: qualified(INPUT, c.name), as: c.name })),
      ...shape.brought.map((b, i) => {
        const value = qualified(REFERENCE, b.source.name);
        // One guarded column suffices: it is evaluated for every matched row.
        return { expr: config.onDuplicateKeys === 'fail' && i === 0 ? duplicateKeyGuard(shape, countColumn, value) : value, as: b.name };
      }),
    ];
    const on: Expr = { t: 'logical', op: 'AND', items: shape.pairs.map((p) => ({ t: 'compare', op: '=', left: qualified(INPUT, p.input.name), right: qualified(REFERENCE, p.reference.name) })) };
    const query: Select = {
      t: 'select',
      items,
      from: { t: 'join', kind: config.onNoMatch === 'keep' ? 'left' : 'inner', left: aliased(input, INPUT), right: referenceRelation(config, shape, reference, referenceColumns, countColumn), on },
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
