import { z } from 'zod';
import { defineNode } from '../define-node';
import { cellRangeProblem } from '../excel-range';
import { SourcePathSchema } from '../paths';
import { ColumnSchema } from '../types';
import { checkUniqueColumns, readLineage } from './source-columns';

export const ExcelSourceConfig = z
  .object({
    path: SourcePathSchema.refine((p) => /\.xlsx$/i.test(p), 'Only .xlsx workbooks can be read (save .xls files as .xlsx)'),
    /** Empty: the first sheet. */
    sheet: z.string().trim().max(31, 'Excel sheet names are at most 31 characters').default(''),
    /** Empty: from column A, as many columns as declared. */
    range: z.string().trim().max(32).default(''),
    /** 0: no header row. */
    headerRow: z.number().int('Header row must be a whole number').min(0).max(1_048_576).default(1),
    columns: z.array(ColumnSchema).min(1, 'Upload a workbook or declare at least one column'),
  })
  .superRefine((c, ctx) => {
    checkUniqueColumns(c.columns, ctx);
    const problem = cellRangeProblem(c.range, c.columns.length);
    if (problem) ctx.addIssue({ code: 'custom', path: ['range'], message: problem });
  });
export type ExcelSourceConfig = z.infer<typeof ExcelSourceConfig>;

export const excelSource = defineNode({
  kind: 'excel-source',
  version: 1,
  category: 'source',
  label: 'Excel workbook',
  icon: '⊞',
  description:
    'Reads one sheet of an .xlsx workbook from the workspace or an allowed server folder (alias:path), streaming its rows. ' +
    'The declared columns map in order onto the columns of the cell range (default: from column A); the header row, if any, must hold their names. ' +
    'Numbers, dates and booleans keep their type; fully empty rows are skipped; a cell that does not fit its column, or holds an Excel error, fails the run with its address.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: ExcelSourceConfig,
  initialConfig: { sheet: '', range: '', headerRow: 1, columns: [] },
  fields: [
    { key: 'path', widget: 'csvUpload', format: 'excel', label: 'File', help: 'Upload an .xlsx workbook, or type a path.' },
    { key: 'sheet', widget: 'text', label: 'Sheet', placeholder: 'first sheet', help: 'Leave empty for the first sheet.' },
    { key: 'range', widget: 'text', label: 'Cell range', placeholder: 'e.g. B2:E100 or A:D', help: 'Leave empty to read from column A to the last row.' },
    { key: 'headerRow', widget: 'number', label: 'Header row', min: 0, integer: true, help: '0 when the sheet has no header row.' },
    { key: 'columns', widget: 'schema', label: 'Columns' },
  ],
  propagate: ({ config }) => ({ outputs: { output: config.columns }, lineage: { output: readLineage(config.columns) } }),
  plan: ({ config, outputTable }) => [
    {
      op: 'loadExcel',
      file: { workspacePath: config.path },
      table: outputTable('output'),
      ...(config.sheet ? { sheet: config.sheet } : {}),
      ...(config.range ? { range: config.range } : {}),
      headerRow: config.headerRow,
      columns: config.columns,
    },
  ],
});
