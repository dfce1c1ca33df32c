import { z } from 'zod';
import { cast, col, type SelectItem } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import { ColumnTypeSchema, type Column, type ColumnType } from '../types';

export const CastRule = z.object({
  column: z.string().min(1, 'Choose a column'),
  to: ColumnTypeSchema,
});
export type CastRule = z.infer<typeof CastRule>;

export const CastColumnsConfig = z.object({
  casts: z.array(CastRule).min(1, 'Add at least one column to convert'),
  /** What a value that does not convert does: fail the run (naming the value), or become NULL. */
  onError: z.enum(['fail', 'null']).default('fail'),
});
export type CastColumnsConfig = z.infer<typeof CastColumnsConfig>;

const typeLabels: Record<ColumnType, string> = {
  string: 'Text',
  integer: 'Integer',
  float: 'Decimal number',
  boolean: 'True/false',
  date: 'Date',
  timestamp: 'Timestamp',
};

/**
 * Conversions DuckDB implements between Sluice types. Text converts to
 * anything (value by value); numbers and booleans never become dates or
 * timestamps, nor the other way round — DuckDB only notices that once a row
 * arrives ("Unimplemented type for cast"), so it is checked here instead.
 */
const temporal = new Set<ColumnType>(['date', 'timestamp']);
export function canCast(from: ColumnType, to: ColumnType): boolean {
  return from === 'string' || to === 'string' || temporal.has(from) === temporal.has(to);
}

/** The first rule for each known column, and the problems with the rest. */
function resolveCasts(casts: CastRule[], columns: Column[]): { targets: Map<string, ColumnType>; issues: NodeIssue[] } {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const targets = new Map<string, ColumnType>();
  const issues: NodeIssue[] = [];
  casts.forEach((rule, i) => {
    const column = byName.get(rule.column);
    if (!column) {
      issues.push(unknownColumnIssue(rule.column, columns, ['casts', i, 'column']));
    } else if (targets.has(rule.column)) {
      issues.push({ code: 'INVALID_CONFIG', path: ['casts', i, 'column'], message: `Column "${rule.column}" is already converted by an earlier entry` });
    } else if (!canCast(column.type, rule.to)) {
      issues.push({ code: 'TYPE_MISMATCH', path: ['casts', i, 'to'], message: `"${column.name}" is ${column.type}, which cannot be converted to ${rule.to} (convert it to string first if the text form is what you need)` });
    } else {
      if (column.type === rule.to) {
        issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['casts', i, 'to'], message: `"${column.name}" is already ${rule.to}; this conversion does nothing` });
      }
      targets.set(rule.column, rule.to);
    }
  });
  return { targets, issues };
}

export const castColumns = defineNode({
  kind: 'cast-columns',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.onError === 'fail',
  label: 'Cast columns',
  icon: '⇌',
  description:
    'Converts columns to another type with DuckDB CAST, keeping names and order. Text is parsed (dates as YYYY-MM-DD, timestamps as YYYY-MM-DD hh:mm:ss, booleans as true/false/t/f/yes/no/1/0); decimals become integers by rounding; timestamps become dates by dropping the time. NULL stays NULL. A value that does not convert fails the run, naming the column and the value.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: CastColumnsConfig,
  initialConfig: { casts: [], onError: 'fail' },
  fields: [
    {
      key: 'casts',
      widget: 'list',
      label: 'Conversions',
      itemLabel: 'Conversion',
      addLabel: 'Add column',
      newItem: { column: '', to: 'string' },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'to', label: 'New type', widget: 'select', options: ColumnTypeSchema.options.map((t) => ({ value: t, label: typeLabels[t] })) },
      ],
    },
    {
      key: 'onError',
      widget: 'select',
      label: 'When a value does not convert',
      options: [
        { value: 'fail', label: 'Fail the run' },
        { value: 'null', label: 'Set it to NULL' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const { targets, issues } = resolveCasts(config.casts, columns);
    const outputs: Column[] = columns.map((c) => ({ name: c.name, type: targets.get(c.name) ?? c.type }));
    const lineage: Record<string, ColumnLineage> = Object.fromEntries(
      columns.map((c) => [c.name, { from: [{ port: 'input', column: c.name }], how: (targets.get(c.name) ?? c.type) === c.type ? 'copied' : 'derived' }]),
    );
    return { outputs: { output: outputs }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('cast-columns planned without an input');
    const columns = inputColumns.input ?? [];
    const { targets } = resolveCasts(config.casts, columns);
    const items: SelectItem[] = columns.map((c) => {
      const to = targets.get(c.name);
      return to === undefined || to === c.type ? { expr: col(c.name) } : { expr: config.onError === 'null' ? { ...cast(col(c.name), to), orNull: true } : cast(col(c.name), to), as: c.name };
    });
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
