import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import { defineNode } from '../define-node';
import { WorkspacePathSchema } from '../paths';
import { ColumnSchema } from '../types';

const SingleChar = (what: string) =>
  z
    .string()
    .length(1, `${what} must be exactly one character`)
    .refine((s) => s !== '\0', `${what} cannot be a NUL character`);

export const CsvSourceConfig = z
  .object({
    path: WorkspacePathSchema,
    delimiter: SingleChar('Delimiter').default(','),
    quote: SingleChar('Quote').default('"'),
    escape: SingleChar('Escape').default('"'),
    header: z.boolean().default(true),
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
    'Reads a CSV file from the workspace. The declared columns are the contract: a row whose values do not fit them, or has too many or too few fields, fails the run with its line number.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: CsvSourceConfig,
  initialConfig: { delimiter: ',', quote: '"', escape: '"', header: true, columns: [] },
  fields: [
    { key: 'path', widget: 'csvUpload', label: 'File', help: 'Upload a file, or type a path in the workspace files folder.' },
    { key: 'delimiter', widget: 'text', label: 'Delimiter' },
    { key: 'header', widget: 'toggle', label: 'First row is a header' },
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
      ops.push({ op: 'checkCsvHeader' as const, file, delimiter: config.delimiter, quote: config.quote, expected: config.columns.map((c) => c.name) });
    }
    ops.push(
      {
        op: 'materialize' as const,
        table: outputTable('output'),
        query: selectAll({
          t: 'readCsv',
          file,
          rejectsTable,
          options: { delimiter: config.delimiter, quote: config.quote, escape: config.escape, header: config.header, columns: config.columns },
        }),
      },
      { op: 'failOnCsvRejects' as const, rejectsTable, file },
    );
    return ops;
  },
});
