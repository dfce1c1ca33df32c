import { z } from 'zod';
import { cast, col, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

/**
 * Parts are integers (weekday: ISO, 1 = Monday … 7 = Sunday; week: ISO week
 * number); truncations keep the column's type (weeks start on Monday).
 */
const DateParts = {
  year: { label: 'year', part: 'year' },
  quarter: { label: 'quarter (1–4)', part: 'quarter' },
  month: { label: 'month (1–12)', part: 'month' },
  day: { label: 'day of month', part: 'day' },
  weekday: { label: 'weekday (1 = Monday … 7 = Sunday)', part: 'isodow' },
  hour: { label: 'hour (timestamps only)', part: 'hour' },
  week: { label: 'ISO week number', part: 'week' },
  trunc_day: { label: 'truncated to day', trunc: 'day' },
  trunc_week: { label: 'truncated to week (Monday)', trunc: 'week' },
  trunc_month: { label: 'truncated to month', trunc: 'month' },
  trunc_quarter: { label: 'truncated to quarter', trunc: 'quarter' },
  trunc_year: { label: 'truncated to year', trunc: 'year' },
} as const satisfies Record<string, { label: string; part?: string; trunc?: string }>;
export type DatePart = keyof typeof DateParts;
const partNames = Object.keys(DateParts) as [DatePart, ...DatePart[]];

export const DatePartItem = z.object({
  part: z.enum(partNames),
  as: z.string().trim().min(1, 'Name the new column').max(255),
});
export type DatePartItem = z.infer<typeof DatePartItem>;

export const DatePartsConfig = z.object({
  column: z.string().min(1, 'Choose a date or timestamp column'),
  parts: z.array(DatePartItem).min(1, 'Add at least one part'),
});
export type DatePartsConfig = z.infer<typeof DatePartsConfig>;

const isTemporal = (t: ColumnType) => t === 'date' || t === 'timestamp';

function partType(part: DatePart, source: ColumnType): ColumnType {
  return 'trunc' in DateParts[part] ? source : 'integer';
}

function partExpr(part: DatePart, column: string, type: ColumnType): Expr {
  const spec = DateParts[part];
  if ('trunc' in spec) return cast({ t: 'call', fn: 'date_trunc', args: [{ t: 'literal', value: spec.trunc }, col(column)] }, type);
  return cast({ t: 'call', fn: 'date_part', args: [{ t: 'literal', value: spec.part }, col(column)] }, 'integer');
}

export const dateParts = defineNode({
  kind: 'date-parts',
  version: 1,
  category: 'transform',
  label: 'Date parts',
  icon: '◷',
  description:
    'Adds columns taken from one date or timestamp column: its year, quarter, month, day, ISO weekday (1 = Monday … 7 = Sunday), hour or ISO week number as integers, or the value truncated to the day, week (starting Monday), month, quarter or year with the column’s own type. NULL stays NULL.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: DatePartsConfig,
  initialConfig: { column: '', parts: [{ part: 'year', as: 'year' }] },
  fields: [
    { key: 'column', widget: 'column', port: 'input', label: 'Date column' },
    {
      key: 'parts',
      widget: 'list',
      label: 'New columns',
      itemLabel: 'Part',
      addLabel: 'Add part',
      newItem: { part: 'month', as: '' },
      itemFields: [
        { key: 'part', label: 'Part', widget: 'select', options: partNames.map((p) => ({ value: p, label: DateParts[p].label })) },
        { key: 'as', label: 'Name', widget: 'text' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = [];
    const source = columns.find((c) => c.name === config.column);
    if (!source) issues.push(unknownColumnIssue(config.column, columns, ['column']));
    else if (!isTemporal(source.type)) issues.push({ code: 'TYPE_MISMATCH', path: ['column'], message: `Date parts need a date or timestamp column, but "${source.name}" is ${source.type}` });
    const outputs: Column[] = [...columns];
    const lineage: Record<string, ColumnLineage> = passThroughLineage('input', columns);
    config.parts.forEach((p, i) => {
      if (p.part === 'hour' && source?.type === 'date') {
        issues.push({ code: 'TYPE_MISMATCH', path: ['parts', i, 'part'], message: `A date has no hour; "${source.name}" is a date, not a timestamp` });
      }
      if (outputs.some((o) => o.name.toLowerCase() === p.as.toLowerCase())) {
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['parts', i, 'as'], message: `A column named "${p.as}" already exists` });
        return;
      }
      outputs.push({ name: p.as, type: partType(p.part, source?.type ?? 'date') });
      lineage[p.as] = { from: [{ port: 'input', column: config.column }], how: 'derived' };
    });
    return { outputs: { output: outputs }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('date-parts planned without an input');
    const columns = inputColumns.input ?? [];
    const type = columns.find((c) => c.name === config.column)?.type ?? 'date';
    const items: SelectItem[] = [...columns.map((c) => ({ expr: col(c.name) })), ...config.parts.map((p) => ({ expr: partExpr(p.part, config.column, type), as: p.as }))];
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
