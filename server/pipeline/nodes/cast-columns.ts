import { z } from 'zod';
import { cast, col, type Expr, type Relation, type Select, type SelectItem } from '../../sql/ast';
import type { RejectAction, StageOp } from '../../sql/ops';
import { defineNode, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import { ColumnTypeSchema, type Column, type ColumnType } from '../types';

export const CastRule = z.object({
  column: z.string().min(1, 'Choose a column'),
  to: ColumnTypeSchema,
});
export type CastRule = z.infer<typeof CastRule>;

export const CastColumnsConfig = z.object({
  casts: z.array(CastRule).min(1, 'Add at least one column to convert'),
  /**
   * What a value that does not convert does: fail the run (naming the row, the
   * column and the value), become NULL, or reject its row into the run's dead
   * letters while the other rows continue.
   */
  onError: z.enum(['fail', 'null', 'reject']).default('fail'),
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
    'Converts columns to another type with DuckDB CAST, keeping names and order. Text is parsed (dates as YYYY-MM-DD, timestamps as YYYY-MM-DD hh:mm:ss, booleans as true/false/t/f/yes/no/1/0); decimals become integers by rounding; timestamps become dates by dropping the time. NULL stays NULL. A value that does not convert fails the run, naming the row, the column and the value; or becomes NULL; or rejects its whole row into the run\'s rejected rows (dead letters) while the other rows continue.',
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
        { value: 'reject', label: 'Reject the row (kept as a dead letter)' },
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
  plan: ({ nodeId, config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('cast-columns planned without an input');
    const columns = inputColumns.input ?? [];
    const { targets } = resolveCasts(config.casts, columns);
    const changed = columns.flatMap((c) => {
      const to = targets.get(c.name);
      return to === undefined || to === c.type ? [] : [{ name: c.name, to }];
    });
    const convert = (orNull: boolean): SelectItem[] =>
      columns.map((c) => {
        const to = targets.get(c.name);
        return to === undefined || to === c.type ? { expr: col(c.name) } : { expr: orNull ? tryCast(col(c.name), to) : cast(col(c.name), to), as: c.name };
      });
    const output = (query: Select): StageOp => ({ op: 'materialize', table: outputTable('output'), query });
    if (config.onError === 'null' || changed.length === 0) return [output({ t: 'select', items: convert(config.onError === 'null'), from: input })];

    // The rows where some value does not convert are found first, from the same input: the run
    // fails on the first of them, or they become dead letters and the others continue.
    const rejects = rejectedRowsOp(nodeId, input, columns, changed, `${outputTable('output')}_rejects`, config.onError === 'fail' ? 'fail' : 'deadLetter');
    if (config.onError === 'fail') return [rejects, output({ t: 'select', items: convert(false), from: input })];
    // TRY_CAST: the kept rows all convert, and CAST could be evaluated before the filter.
    return [rejects, output({ t: 'select', items: convert(true), from: input, where: { t: 'not', expr: anyCastFails(changed) } })];
  },
});

type Conversion = { name: string; to: ColumnType };

const tryCast = (expr: Expr, to: ColumnType): Expr => ({ t: 'cast', expr, to, orNull: true });

/** The value is there, but does not convert. */
const castFails = ({ name, to }: Conversion): Expr => ({
  t: 'logical',
  op: 'AND',
  items: [
    { t: 'isNull', expr: col(name), negated: true },
    { t: 'isNull', expr: tryCast(col(name), to), negated: false },
  ],
});

const anyCastFails = (changed: Conversion[]): Expr => ({ t: 'logical', op: 'OR', items: changed.map(castFails) });

/** A name for a bookkeeping column that no input column has (DuckDB names are case-insensitive). */
function freshName(base: string, columns: Column[]): string {
  const taken = new Set(columns.map((c) => c.name.toLowerCase()));
  let name = base;
  while (taken.has(name.toLowerCase())) name = `_${name}`;
  return name;
}

const text = (value: string): Expr => ({ t: 'literal', value });
const concat = (...args: Expr[]): Expr => ({ t: 'call', fn: 'concat', args });

/**
 * Materialises the input rows where a conversion fails, in input order, with
 * a message naming the row (1-based, in the node's input), and for each
 * failing column its name, value and target type.
 */
function rejectedRowsOp(nodeId: string, input: Relation, columns: Column[], changed: Conversion[], table: string, action: RejectAction): StageOp {
  const rowNumber = freshName('reject_row', columns);
  const message = freshName('reject_message', columns);
  // Each failing column adds "column "x" value 'v' does not convert to integer; "; the last "; " is cut.
  const parts = changed.map(
    (c): Expr => ({
      t: 'case',
      when: [{ condition: castFails(c), then: concat(text('column "'), { t: 'param', value: c.name }, text(`" value '`), cast(col(c.name), 'string'), text(`' does not convert to ${c.to}; `)) }],
      else: text(''),
    }),
  );
  const messageExpr = concat(text('Row '), cast(col(rowNumber), 'string'), text(': '), { t: 'call', fn: 'regexp_replace', args: [concat(...parts), text('; $'), text('')] });
  const numbered: Relation = {
    t: 'subquery',
    alias: 'numbered',
    query: { t: 'select', items: [...columns.map((c) => ({ expr: col(c.name) })), { expr: { t: 'window', fn: 'row_number', args: [], partitionBy: [], orderBy: [] }, as: rowNumber }], from: input },
  };
  return {
    op: 'materialize',
    table,
    query: {
      t: 'select',
      items: [...columns.map((c) => ({ expr: col(c.name) })), { expr: messageExpr, as: message }],
      from: numbered,
      where: anyCastFails(changed),
      orderBy: [{ expr: col(rowNumber) }],
    },
    rejects: { nodeId, reason: 'CAST_FAILED', action, messageColumn: message, rowColumns: columns.map((c) => c.name) },
  };
}
