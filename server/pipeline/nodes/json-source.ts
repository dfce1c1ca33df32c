import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import { defineNode } from '../define-node';
import { SourcePathSchema } from '../paths';
import { ColumnSchema } from '../types';
import { checkUniqueColumns, readLineage } from './source-columns';

export const JsonSourceConfig = z
  .object({
    path: SourcePathSchema,
    format: z.enum(['auto', 'array', 'ndjson']).default('auto'),
    columns: z.array(ColumnSchema).min(1, 'Upload a file or declare at least one column'),
  })
  .superRefine((c, ctx) => checkUniqueColumns(c.columns, ctx));
export type JsonSourceConfig = z.infer<typeof JsonSourceConfig>;

export const jsonSource = defineNode({
  kind: 'json-source',
  version: 1,
  category: 'source',
  label: 'JSON file',
  icon: '{}',
  description:
    'Reads a JSON file holding an array of objects, or NDJSON (one object per line), from the workspace or an allowed server folder (alias:path). ' +
    'Each declared column takes the key of the same name (keys are case-sensitive); a missing key is NULL. A string column receives nested objects and arrays as JSON text. ' +
    'Malformed JSON, or a value that does not fit its declared type, fails the run with the line (NDJSON) or record (array) number.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
  config: JsonSourceConfig,
  initialConfig: { format: 'auto', columns: [] },
  fields: [
    { key: 'path', widget: 'csvUpload', format: 'json', label: 'File', help: 'Upload a .json or .ndjson file, or type a path.' },
    {
      key: 'format',
      widget: 'select',
      label: 'Layout',
      options: [
        { value: 'auto', label: 'Detect' },
        { value: 'array', label: 'Array of objects' },
        { value: 'ndjson', label: 'One object per line (NDJSON)' },
      ],
    },
    { key: 'columns', widget: 'schema', label: 'Columns' },
  ],
  propagate: ({ config }) => ({ outputs: { output: config.columns }, lineage: { output: readLineage(config.columns) } }),
  plan: ({ config, outputTable }) => [
    {
      op: 'materialize',
      table: outputTable('output'),
      query: selectAll({ t: 'readJson', file: { workspacePath: config.path }, options: { format: config.format, columns: config.columns } }),
    },
  ],
});
