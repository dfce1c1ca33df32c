import { z } from 'zod';
import { col, param, type Expr, type Select } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import { ColumnTypeSchema, type Column } from '../types';
import { fromJsonText, quoted } from './flatten-json';

const OutputName = z.string().trim().max(255).refine((s) => !s.includes('\0'), 'The name contains a NUL character');

export const UnnestArrayConfig = z.object({
  column: z.string().min(1, 'Choose the column holding JSON arrays'),
  as: OutputName.min(1, 'Name the element column').default('element'),
  type: ColumnTypeSchema.default('string'),
  /** Empty: no position column. */
  indexColumn: OutputName.default(''),
  /** Rows whose array is empty or NULL: one row with a NULL element, or none. */
  keepEmpty: z.boolean().default(false),
  keepSource: z.boolean().default(false),
  onInvalid: z.enum(['fail', 'null']).default('fail'),
});
export type UnnestArrayConfig = z.infer<typeof UnnestArrayConfig>;

interface UnnestShape {
  passed: Column[];
  added: Column[];
  issues: NodeIssue[];
}

function unnestShape(config: UnnestArrayConfig, available: Column[]): UnnestShape {
  const issues: NodeIssue[] = [];
  const source = available.find((c) => c.name === config.column);
  if (!source) issues.push(unknownColumnIssue(config.column, available, ['column']));
  else if (source.type !== 'string') issues.push({ code: 'TYPE_MISMATCH', path: ['column'], message: `Arrays are read from JSON text, but "${source.name}" is ${source.type}` });
  const passed = config.keepSource ? available : available.filter((c) => c.name !== config.column);
  const taken = new Map(passed.map((c) => [c.name.toLowerCase(), `the input column "${c.name}"`]));
  const added: Column[] = [];
  const outputs = [{ key: 'as', column: { name: config.as, type: config.type } }, ...(config.indexColumn === '' ? [] : [{ key: 'indexColumn', column: { name: config.indexColumn, type: 'integer' as const } }])];
  for (const { key, column } of outputs) {
    const holder = taken.get(column.name.toLowerCase());
    if (holder !== undefined) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: [key], message: `The output name "${column.name}" is already used by ${holder} (names are case-insensitive); enter another name` });
    taken.set(column.name.toLowerCase(), 'the element column');
    added.push(column);
  }
  return { passed, added, issues };
}

const call = (fn: 'json_extract_string' | 'json_valid' | 'json_type' | 'error' | 'concat' | 'len' | 'generate_series', ...args: Expr[]): Expr => ({ t: 'call', fn, args });

/** The array's elements as JSON value texts (a VARCHAR list); NULL, or a failure, when the text is not a JSON array. */
function elementTexts(config: UnnestArrayConfig): Expr {
  const source = col(config.column);
  const problem = (what: string): Expr => (config.onInvalid === 'null' ? { t: 'literal', value: null } : call('error', call('concat', param(`Column "${config.column}" holds ${what}: `), quoted(source))));
  return {
    t: 'case',
    when: [
      { condition: { t: 'not', expr: call('json_valid', source) }, then: problem('text that is not valid JSON') },
      { condition: { t: 'compare', op: '<>', left: call('json_type', source), right: { t: 'literal', value: 'ARRAY' } }, then: problem('JSON that is not an array') },
    ],
    else: call('json_extract_string', source, param('$[*]')),
  };
}

export const unnestArray = defineNode({
  kind: 'unnest-array',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.onInvalid === 'fail',
  label: 'Unnest array',
  icon: '⋮',
  description:
    'Outputs one row per element of a JSON array held in a text column (Sluice has no list type, so lists arrive as JSON text), the other columns repeated, the element converted to the declared type (a nested object or array as its JSON text when the type is string) and, if named, its 1-based position. ' +
    'Rows whose array is empty or NULL are dropped, or kept with a NULL element and position when “Keep empty arrays” is on. ' +
    'Text that is not a JSON array, or an element that does not convert, fails the run quoting it (or, with “Invalid arrays” set to NULL, is treated as a NULL array or element).',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'One row per element' }] },
  config: UnnestArrayConfig,
  initialConfig: { column: '', as: 'element', type: 'string', indexColumn: '', keepEmpty: false, keepSource: false, onInvalid: 'fail' },
  fields: [
    { key: 'column', widget: 'column', port: 'input', label: 'Array column', help: 'Text holding a JSON array, like ["a", "b"].' },
    { key: 'as', widget: 'text', label: 'Element column', placeholder: 'element' },
    { key: 'type', widget: 'select', label: 'Element type', options: ColumnTypeSchema.options.map((t) => ({ value: t, label: t })) },
    { key: 'indexColumn', widget: 'text', label: 'Position column', placeholder: 'e.g. position', help: 'Leave empty for none; positions start at 1.' },
    { key: 'keepEmpty', widget: 'toggle', label: 'Keep empty arrays', help: 'On: a row whose array is empty or NULL stays, with a NULL element.' },
    { key: 'keepSource', widget: 'toggle', label: 'Keep the array column' },
    {
      key: 'onInvalid',
      widget: 'select',
      label: 'Invalid arrays or elements',
      options: [
        { value: 'fail', label: 'fail the run, quoting it' },
        { value: 'null', label: 'NULL' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const { passed, added, issues } = unnestShape(config, inputs.input ?? []);
    const entries: [string, ColumnLineage][] = added.map((c) => [c.name, { from: [{ port: 'input', column: config.column }], how: 'derived' }]);
    return { outputs: { output: [...passed, ...added] }, lineage: { output: { ...passThroughLineage('input', passed), ...Object.fromEntries(entries) } }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('unnest-array planned without an input');
    const { passed } = unnestShape(config, inputColumns.input ?? []);
    const keep = passed.map((c) => ({ expr: col(c.name) }));
    // 1. The element texts under the element column's name; 2. one row per element; 3. typed.
    const lists: Select = { t: 'select', items: [...keep, { expr: elementTexts(config), as: config.as }], from: input };
    const list = col(config.as);
    const nonEmpty: Expr = { t: 'compare', op: '>', left: call('len', list), right: { t: 'literal', value: 0 } };
    const orPlaceholder = (values: Expr): Expr => (config.keepEmpty ? { t: 'case', when: [{ condition: nonEmpty, then: values }], else: { t: 'list', items: [{ t: 'literal', value: null }] } } : values);
    const positions: Expr = config.keepEmpty
      ? { t: 'unnest', list: orPlaceholder(call('generate_series', { t: 'literal', value: 1 }, call('len', list))) }
      : { t: 'unnest', list, position: true };
    const rows: Select = {
      t: 'select',
      items: [
        ...keep,
        { expr: { t: 'unnest', list: orPlaceholder(list) }, as: config.as },
        ...(config.indexColumn === '' ? [] : [{ expr: positions, as: config.indexColumn }]),
      ],
      from: { t: 'subquery', query: lists, alias: 'arrays' },
    };
    const text = col(config.as);
    const value = fromJsonText(text, config.type);
    const typed: Expr =
      config.onInvalid === 'fail' && config.type !== 'string'
        ? {
            t: 'case',
            when: [
              {
                condition: { t: 'logical', op: 'AND', items: [{ t: 'isNull', expr: text, negated: true }, { t: 'isNull', expr: value, negated: false }] },
                then: call('error', call('concat', param(`An element of "${config.column}" does not convert to ${config.type}: `), quoted(text))),
              },
            ],
            else: value,
          }
        : value;
    const query: Select = {
      t: 'select',
      items: [...keep, { expr: typed, as: config.as }, ...(config.indexColumn === '' ? [] : [{ expr: col(config.indexColumn) }])],
      from: { t: 'subquery', query: rows, alias: 'elements' },
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
