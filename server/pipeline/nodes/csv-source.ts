import { z } from 'zod';
import { col, selectAll, type Expr, type Select } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';
import { defineNode } from '../define-node';
import { SourcePathSchema } from '../paths';
import { ColumnSchema } from '../types';

const SingleChar = (what: string) =>
  z
    .string()
    .length(1, `${what} must be exactly one character`)
    .refine((s) => s !== '\0', `${what} cannot be a NUL character`);

export const CsvSourceConfig = z
  .object({
    path: SourcePathSchema,
    delimiter: SingleChar('Delimiter').default(','),
    quote: SingleChar('Quote').default('"'),
    escape: SingleChar('Escape').default('"'),
    header: z.boolean().default(true),
    encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).default('utf-8'),
    quotedEmptyIsNull: z.boolean().default(true),
    columns: z.array(ColumnSchema).min(1, 'Upload a file or declare at least one column'),
    /**
     * A line that does not fit the declared columns (a value of the wrong type,
     * too many or too few fields): fail the run naming it; skip it (counted,
     * with the first ones in the run log); or keep it, with its line number
     * and raw text, in the run's rejected rows (dead letters).
     */
    onMalformedRow: z.enum(['fail', 'skip', 'deadLetter']).default('fail'),
  })
  .superRefine((c, ctx) => {
    // DuckDB column names are case-insensitive: "id" and "ID" collide.
    const seen = new Set<string>();
    c.columns.forEach((col, i) => {
      const key = col.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `Column "${col.name}" is declared twice (names are case-insensitive)` });
      seen.add(key);
    });
  });
export type CsvSourceConfig = z.infer<typeof CsvSourceConfig>;

export const csvSource = defineNode({
  kind: 'csv-source',
  version: 1,
  category: 'source',
  label: 'CSV file',
  icon: '▤',
  description:
    'Reads a CSV file from the workspace (or from a server folder an administrator allowed, as alias:path). The declared columns are the contract: a row whose values do not fit them, or has too many or too few fields, fails the run with its line number; or, if chosen, is skipped (counted and named in the run log) or kept with its line number and raw text in the run\'s rejected rows while the other rows continue.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: CsvSourceConfig,
  initialConfig: { delimiter: ',', quote: '"', escape: '"', header: true, columns: [], onMalformedRow: 'fail' },
  fields: [
    { key: 'path', widget: 'csvUpload', label: 'File', help: 'Upload a file, or type a path in the workspace files folder.' },
    { key: 'delimiter', widget: 'text', label: 'Delimiter' },
    { key: 'quote', widget: 'text', label: 'Quote', help: 'The character around fields that contain the delimiter or line breaks.' },
    { key: 'escape', widget: 'text', label: 'Escape', help: 'The character before a quote inside a quoted field; usually the quote itself ("").' },
    { key: 'header', widget: 'toggle', label: 'First row is a header' },
    {
      key: 'encoding',
      widget: 'select',
      label: 'Encoding',
      help: 'UTF-16 means little-endian (the Windows kind, usually with a byte-order mark).',
      options: [
        { value: 'utf-8', label: 'UTF-8' },
        { value: 'utf-16', label: 'UTF-16 (little-endian)' },
        { value: 'latin-1', label: 'Latin-1 (ISO-8859-1)' },
      ],
    },
    { key: 'quotedEmptyIsNull', widget: 'toggle', label: 'Quoted empty field ("") is NULL', help: 'Off: "" reads as an empty string. An unquoted empty field is always NULL.' },
    { key: 'columns', widget: 'schema', label: 'Columns' },
    {
      key: 'onMalformedRow',
      widget: 'select',
      label: 'When a line does not fit the columns',
      options: [
        { value: 'fail', label: 'Fail the run' },
        { value: 'skip', label: 'Skip it (counted in the run log)' },
        { value: 'deadLetter', label: 'Reject it (kept as a dead letter)' },
      ],
    },
  ],
  propagate: ({ config }) => ({
    outputs: { output: config.columns },
    lineage: {
      output: Object.fromEntries(config.columns.map((c) => [c.name, { from: [], how: 'read' as const }])),
    },
  }),
  plan: ({ nodeId, config, outputTable }) => {
    const file = { workspacePath: config.path };
    const rejectsTable = `${outputTable('output')}_rejects`;
    const ops: StageOp[] = [];
    if (config.header) {
      ops.push({
        op: 'checkCsvHeader' as const,
        file,
        delimiter: config.delimiter,
        quote: config.quote,
        expected: config.columns.map((c) => c.name),
        ...(config.encoding !== 'utf-8' ? { encoding: config.encoding } : {}),
      });
    }
    ops.push(
      {
        op: 'materialize' as const,
        table: outputTable('output'),
        query: selectAll({
          t: 'readCsv',
          file,
          lineErrors: { t: 'record', rejectsTable },
          options: {
            delimiter: config.delimiter,
            quote: config.quote,
            escape: config.escape,
            header: config.header,
            columns: config.columns,
            encoding: config.encoding,
            quotedEmptyIsNull: config.quotedEmptyIsNull,
          },
        }),
      },
    );
    if (config.onMalformedRow === 'fail') {
      ops.push({ op: 'failOnCsvRejects', rejectsTable, file });
    } else {
      ops.push({
        op: 'materialize',
        table: `${outputTable('output')}_malformed`,
        query: malformedLines(rejectsTable),
        rejects: {
          nodeId,
          reason: 'CSV_MALFORMED_ROW',
          action: config.onMalformedRow,
          messageColumn: 'message',
          lineColumn: 'source_line',
          rawLineColumn: 'raw_line',
          rowColumns: [],
        },
      });
    }
    return ops;
  },
  replay: {
    header: (config) => (config.header ? [csvLine(config.columns.map((c) => c.name), config)] : []),
    recordLine,
    // The replay file is written in UTF-8, whatever the original file's encoding was.
    readFrom: (config, path) => ({ ...config, path, encoding: 'utf-8' as const }),
  },
});

/** A value of a stored row as CSV text; null stays an empty, unquoted field (NULL). */
function fieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** One CSV line in the source's dialect: values quoted, NULLs as empty fields. */
export function csvLine(values: (string | null)[], c: CsvSourceConfig): string {
  const quoted = (v: string) => {
    const escaped = c.escape === c.quote ? v : v.split(c.escape).join(c.escape + c.escape);
    return `${c.quote}${escaped.split(c.quote).join(c.escape + c.quote)}${c.quote}`;
  };
  return values.map((v) => (v === null ? '' : quoted(v))).join(c.delimiter);
}

/** A stored row as a line of the source's columns, by name (case-insensitively, like DuckDB). */
export function recordLine(row: Record<string, unknown>, c: CsvSourceConfig): string {
  const lower = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
  return csvLine(
    c.columns.map((col) => fieldText(Object.hasOwn(row, col.name) ? row[col.name] : lower.get(col.name.toLowerCase()))),
    c,
  );
}

const text = (value: string): Expr => ({ t: 'literal', value });

/**
 * One row per malformed line, in file order, from DuckDB's rejects table
 * (which has one row per error). A line short of fields is reported once for
 * each missing column; one of those is enough. Messages that do not name
 * their column get it appended.
 */
function malformedLines(rejectsTable: string): Select {
  const errors: Select = {
    t: 'select',
    items: ['line', 'column_idx', 'csv_line', 'error_type', 'error_message', 'column_name'].map((name) => ({ expr: col(name) })),
    from: { t: 'table', name: rejectsTable },
    qualify: {
      t: 'logical',
      op: 'OR',
      items: [
        { t: 'compare', op: '=', left: col('error_type'), right: text('CAST') },
        {
          t: 'compare',
          op: '=',
          left: { t: 'window', fn: 'row_number', args: [], partitionBy: [col('line'), col('error_type')], orderBy: [{ expr: col('column_idx') }] },
          right: { t: 'literal', value: 1 },
        },
      ],
    },
  };
  const namesColumn: Expr = {
    t: 'logical',
    op: 'AND',
    items: [
      { t: 'isNull', expr: col('column_name'), negated: true },
      { t: 'compare', op: '<>', left: col('error_type'), right: text('CAST') },
    ],
  };
  const message: Expr = {
    t: 'call',
    fn: 'concat',
    args: [col('error_message'), { t: 'case', when: [{ condition: namesColumn, then: { t: 'call', fn: 'concat', args: [text(' (column "'), col('column_name'), text('")')] } }], else: text('') }],
  };
  return {
    t: 'select',
    items: [
      { expr: col('line'), as: 'source_line' },
      { expr: { t: 'aggregate', fn: 'first', args: [col('csv_line')] }, as: 'raw_line' },
      { expr: { t: 'aggregate', fn: 'string_agg', args: [message, text('; ')], orderBy: [{ expr: col('column_idx') }] }, as: 'message' },
    ],
    from: { t: 'subquery', query: errors, alias: 'errors' },
    groupBy: [col('line')],
    orderBy: [{ expr: col('line') }],
  };
}
