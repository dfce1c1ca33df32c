import { z } from 'zod';
import { col, param, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import { ColumnTypeSchema, type Column, type ColumnType } from '../types';

/** `$` then `.key`, `."any key"` or `[index]` steps; a path without `$` is read as `$.` + path. */
const JSON_PATH = /^\$(\.[^.[\]"\s]+|\."[^"]*"|\[\d+\])*$/;

export function jsonPath(path: string): string {
  const p = path.trim();
  return p.startsWith('$') ? p : `$.${p}`;
}

export const JsonField = z.object({
  path: z
    .string()
    .trim()
    .min(1, 'Enter a path, like customer.address.city')
    .refine((p) => JSON_PATH.test(jsonPath(p)), 'Not a JSON path: use dotted keys like customer.address.city, "$.key", $."key with spaces" or [0] for an array element'),
  as: z.string().trim().min(1, 'Name the new column').max(255).refine((s) => !s.includes('\0'), 'The name contains a NUL character'),
  type: ColumnTypeSchema.default('string'),
});
export type JsonField = z.infer<typeof JsonField>;

export const FlattenJsonConfig = z.object({
  column: z.string().min(1, 'Choose the column holding JSON'),
  fields: z.array(JsonField).min(1, 'Declare at least one field to extract'),
  /** 'fail': a document that is not JSON, or a value that does not convert, fails the run naming it. */
  onInvalid: z.enum(['fail', 'null']).default('fail'),
  keepSource: z.boolean().default(true),
});
export type FlattenJsonConfig = z.infer<typeof FlattenJsonConfig>;

/** How much of a bad document or value an error message quotes. */
const QUOTED_CHARACTERS = 200;
/** Timestamp text that ends in a UTC offset (Z, +02, +02:00, -0530). */
const UTC_OFFSET = '(Z|z|[+-]\\d{2}(:?\\d{2})?)$';

const call = (fn: 'json_extract_string' | 'json_valid' | 'error' | 'concat' | 'left' | 'regexp_matches' | 'timezone', ...args: Expr[]): Expr => ({ t: 'call', fn, args });
export const quoted = (e: Expr): Expr => call('left', e, { t: 'literal', value: QUOTED_CHARACTERS });

/** JSON value text as `type`, NULL when it does not convert; offsets in timestamp text are honoured. */
export function fromJsonText(text: Expr, type: ColumnType): Expr {
  if (type === 'string') return text;
  if (type !== 'timestamp') return { t: 'cast', expr: text, to: type, orNull: true };
  // A plain TIMESTAMP cast drops the offset ('10:00+02:00' would stay 10:00); TIMESTAMPTZ reads it.
  // Only text with an offset goes that way: text without one would be read in the session's time zone.
  return {
    t: 'case',
    when: [{ condition: call('regexp_matches', text, param(UTC_OFFSET)), then: call('timezone', { t: 'literal', value: 'UTC' }, { t: 'cast', expr: text, to: 'timestamptz', orNull: true }) }],
    else: { t: 'cast', expr: text, to: 'timestamp', orNull: true },
  };
}

function fieldExpr(config: FlattenJsonConfig, field: JsonField): Expr {
  const source = col(config.column);
  const text = call('json_extract_string', source, param(jsonPath(field.path)));
  const value = fromJsonText(text, field.type);
  const valid = call('json_valid', source);
  if (config.onInvalid === 'null') return { t: 'case', when: [{ condition: valid, then: value }] };
  const when = [{ condition: { t: 'not', expr: valid } as Expr, then: call('error', call('concat', param(`Column "${config.column}" holds text that is not valid JSON: `), quoted(source))) }];
  if (field.type !== 'string') {
    when.push({
      condition: { t: 'logical', op: 'AND', items: [{ t: 'isNull', expr: text, negated: true }, { t: 'isNull', expr: value, negated: false }] },
      then: call('error', call('concat', param(`Field "${field.as}" (${jsonPath(field.path)}) does not convert to ${field.type}: `), quoted(text), param(', in the document '), quoted(source))),
    });
  }
  return { t: 'case', when, else: value };
}

interface FlattenShape {
  passed: Column[];
  fields: { field: JsonField; column: Column }[];
  issues: NodeIssue[];
}

function flattenShape(config: FlattenJsonConfig, available: Column[]): FlattenShape {
  const issues: NodeIssue[] = [];
  const source = available.find((c) => c.name === config.column);
  if (!source) issues.push(unknownColumnIssue(config.column, available, ['column']));
  else if (source.type !== 'string') issues.push({ code: 'TYPE_MISMATCH', path: ['column'], message: `JSON is read from text, but "${source.name}" is ${source.type}` });
  const passed = config.keepSource ? available : available.filter((c) => c.name !== config.column);
  const taken = new Map(passed.map((c) => [c.name.toLowerCase(), `the input column "${c.name}"`]));
  const fields: FlattenShape['fields'] = [];
  config.fields.forEach((field, i) => {
    const holder = taken.get(field.as.toLowerCase());
    if (holder !== undefined) {
      issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['fields', i, 'as'], message: `The output name "${field.as}" is already used by ${holder} (names are case-insensitive); enter another name` });
      return;
    }
    taken.set(field.as.toLowerCase(), `field ${i + 1}`);
    fields.push({ field, column: { name: field.as, type: field.type } });
  });
  return { passed, fields, issues };
}

export const flattenJson = defineNode({
  kind: 'flatten-json',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.onInvalid === 'fail',
  label: 'Flatten JSON',
  icon: '{}',
  description:
    'Extracts declared fields from a text column holding JSON objects into typed columns, so the output columns are known without reading the data. A path is dotted keys (customer.address.city) or a JSON path ($.customer.address.city, $."key with spaces", $.items[0]). ' +
    'A missing key, a JSON null, a NULL document or a document that is not an object gives NULL; a nested object or array extracted as text gives its JSON. ' +
    'Timestamps with a UTC offset (Z, +02:00) are converted to UTC; without one they are taken as UTC. Integers given with decimals are rounded. ' +
    'When a document is not valid JSON or a value does not convert to the declared type, the run fails quoting it (or, with “Invalid JSON” set to NULL, the field becomes NULL).',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows with the fields' }] },
  config: FlattenJsonConfig,
  initialConfig: { column: '', fields: [{ path: '', as: '', type: 'string' }], onInvalid: 'fail', keepSource: true },
  fields: [
    { key: 'column', widget: 'column', port: 'input', label: 'JSON column' },
    {
      key: 'fields',
      widget: 'list',
      label: 'Fields',
      itemLabel: 'Field',
      addLabel: 'Add field',
      newItem: { path: '', as: '', type: 'string' },
      itemFields: [
        { key: 'path', label: 'Path', widget: 'text', placeholder: 'customer.address.city', help: 'Dotted keys or a JSON path starting with $.' },
        { key: 'as', label: 'Column name', widget: 'text' },
        { key: 'type', label: 'Type', widget: 'select', options: ColumnTypeSchema.options.map((t) => ({ value: t, label: t })) },
      ],
    },
    {
      key: 'onInvalid',
      widget: 'select',
      label: 'Invalid JSON or value',
      options: [
        { value: 'fail', label: 'fail the run, quoting it' },
        { value: 'null', label: 'NULL' },
      ],
    },
    { key: 'keepSource', widget: 'toggle', label: 'Keep the JSON column' },
  ],
  propagate: ({ config, inputs }) => {
    const { passed, fields, issues } = flattenShape(config, inputs.input ?? []);
    const entries: [string, ColumnLineage][] = fields.map((f) => [f.column.name, { from: [{ port: 'input', column: config.column }], how: 'derived' }]);
    return {
      outputs: { output: [...passed, ...fields.map((f) => f.column)] },
      lineage: { output: { ...passThroughLineage('input', passed), ...Object.fromEntries(entries) } },
      issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('flatten-json planned without an input');
    const { passed, fields } = flattenShape(config, inputColumns.input ?? []);
    const items: SelectItem[] = [...passed.map((c) => ({ expr: col(c.name) })), ...fields.map((f) => ({ expr: fieldExpr(config, f.field), as: f.column.name }))];
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
