import { z } from 'zod';
import { cast, col } from '../../sql/ast';
import { defineNode } from '../define-node';
import { SourcePathSchema } from '../paths';
import { ColumnSchema } from '../types';
import { checkUniqueColumns, readLineage } from './source-columns';

export const ParquetSourceConfig = z
  .object({
    path: SourcePathSchema,
    columns: z.array(ColumnSchema).min(1, 'Upload a file to read its columns, or declare at least one'),
  })
  .superRefine((c, ctx) => checkUniqueColumns(c.columns, ctx));
export type ParquetSourceConfig = z.infer<typeof ParquetSourceConfig>;

export const parquetSource = defineNode({
  kind: 'parquet-source',
  version: 1,
  category: 'source',
  label: 'Parquet file',
  icon: '▥',
  description:
    'Reads a Parquet file from the workspace or an allowed server folder (alias:path). The columns are read from the file footer when it is uploaded and stored with the node; ' +
    'each declared column is cast to its declared type, so a column the file lacks, or a value that does not convert, fails the run naming the file.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: ParquetSourceConfig,
  initialConfig: { columns: [] },
  fields: [
    { key: 'path', widget: 'csvUpload', format: 'parquet', label: 'File', help: 'Upload a .parquet file (its columns are read from the footer), or type a path.' },
    { key: 'columns', widget: 'schema', label: 'Columns' },
  ],
  propagate: ({ config }) => ({ outputs: { output: config.columns }, lineage: { output: readLineage(config.columns) } }),
  plan: ({ config, outputTable }) => [
    {
      op: 'materialize',
      table: outputTable('output'),
      query: {
        t: 'select',
        items: config.columns.map((c) => ({ expr: cast(col(c.name), c.type), as: c.name })),
        from: { t: 'readParquet', file: { workspacePath: config.path } },
      },
    },
  ],
});
