import { z } from 'zod';
import { selectAll } from '../../sql/ast';
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
    'Reads a CSV file from the workspace (or from a server folder an administrator allowed, as alias:path). The declared columns are the contract: a row whose values do not fit them, or has too many or too few fields, fails the run with its line number.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: CsvSourceConfig,
  initialConfig: { delimiter: ',', quote: '"', escape: '"', header: true, columns: [] },
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
  ],
  propagate: ({ config }) => ({
    outputs: { output: config.columns },
    lineage: {
      output: Object.fromEntries(config.columns.map((c) => [c.name, { from: [], how: 'read' as const }])),
    },
  }),
  plan: ({ config, outputTable }) => {
    const file = { workspacePath: config.path };
    const rejectsTable = `${outputTable('output')}_rejects`;
    const ops = [];
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
          rejectsTable,
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
      { op: 'failOnCsvRejects' as const, rejectsTable, file },
    );
    return ops;
  },
});
