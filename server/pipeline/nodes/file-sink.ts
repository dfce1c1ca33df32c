import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type NodeIssue } from '../define-node';
import { WorkspacePathSchema } from '../paths';

const compressionsOf = { csv: ['gzip', 'zstd'], ndjson: ['gzip', 'zstd'], parquet: ['snappy', 'zstd'] } as const;
const extensionsOf = { csv: ['.csv'], ndjson: ['.ndjson', '.jsonl'], parquet: ['.parquet'] } as const;
const suffixOf = { gzip: '.gz', zstd: '.zst', snappy: '' } as const;

export const FileSinkConfig = z
  .object({
    format: z.enum(['csv', 'ndjson', 'parquet']).default('csv'),
    path: WorkspacePathSchema,
    compression: z.enum(['none', 'gzip', 'zstd', 'snappy']).default('none'),
    /** Columns whose values name the `column=value/` folders; empty: one file. */
    partitionBy: z.array(z.string().min(1)).default([]),
  })
  .superRefine((c, ctx) => {
    if (c.compression !== 'none' && !(compressionsOf[c.format] as readonly string[]).includes(c.compression)) {
      ctx.addIssue({ code: 'custom', path: ['compression'], message: `${c.format.toUpperCase()} files can be compressed with ${compressionsOf[c.format].join(' or ')}, not ${c.compression}` });
      return;
    }
    if (c.partitionBy.length > 0) {
      if (c.format === 'ndjson') ctx.addIssue({ code: 'custom', path: ['partitionBy'], message: 'Partitioned output is available for CSV and Parquet, not NDJSON' });
      return;
    }
    // One file: its name says what it holds (result.csv, result.csv.gz, result.ndjson.zst, result.parquet).
    // Parquet compresses inside the file; CSV and NDJSON are compressed whole and say so in their name.
    const suffix = c.compression === 'none' || c.format === 'parquet' ? '' : suffixOf[c.compression];
    const names = extensionsOf[c.format].map((ext) => `${ext}${suffix}`);
    if (!names.some((n) => c.path.toLowerCase().endsWith(n))) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `A ${c.format.toUpperCase()}${suffix ? ` (${c.compression})` : ''} file's name should end in ${names.join(' or ')}` });
    }
  });
export type FileSinkConfig = z.infer<typeof FileSinkConfig>;

export const fileSink = defineNode({
  kind: 'file-sink',
  version: 1,
  category: 'destination',
  label: 'File',
  icon: '⇩',
  description:
    'Writes its input to a CSV, NDJSON or Parquet file in the workspace, optionally compressed (gzip or zstd for CSV and NDJSON; snappy or zstd for Parquet). ' +
    'The file is written under a temporary name and renamed when every stage has succeeded, so readers never see half a file and a failed run leaves the old one. ' +
    'With partition columns (CSV, Parquet), the path is a folder of column=value/ folders, written whole into a temporary folder that then replaces the previous folder.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [] },
  config: FileSinkConfig,
  initialConfig: { format: 'csv', path: 'output/result.csv', compression: 'none', partitionBy: [] },
  fields: [
    {
      key: 'format',
      widget: 'select',
      label: 'Format',
      options: [
        { value: 'csv', label: 'CSV' },
        { value: 'ndjson', label: 'NDJSON (one JSON object per line)' },
        { value: 'parquet', label: 'Parquet' },
      ],
    },
    { key: 'path', widget: 'text', label: 'Path', placeholder: 'output/result.csv', help: 'A file, or with partition columns a folder.' },
    {
      key: 'compression',
      widget: 'select',
      label: 'Compression',
      options: [
        { value: 'none', label: 'None (Parquet: DuckDB default, snappy)' },
        { value: 'gzip', label: 'gzip (CSV, NDJSON)' },
        { value: 'zstd', label: 'zstd' },
        { value: 'snappy', label: 'snappy (Parquet)' },
      ],
    },
    { key: 'partitionBy', widget: 'columnList', port: 'input', label: 'Partition by', help: 'Writes one column=value/ folder per distinct value; the columns leave the files.' },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = [];
    config.partitionBy.forEach((name, i) => {
      if (!columns.some((c) => c.name === name)) issues.push(unknownColumnIssue(name, columns, ['partitionBy', i]));
    });
    if (columns.length > 0 && config.partitionBy.length >= columns.length) {
      issues.push({ code: 'INVALID_VALUE', path: ['partitionBy'], message: 'Partitioning by every column leaves nothing to write in the files' });
    }
    return { outputs: {}, lineage: {}, ...(issues.length ? { issues } : {}) };
  },
  plan: ({ config, inputs }) => {
    const input = inputs.input;
    if (!input) throw new Error('file-sink planned without an input');
    return [
      {
        op: 'writeFile',
        query: selectAll(input),
        file: { workspacePath: config.path },
        format: config.format,
        ...(config.compression !== 'none' ? { compression: config.compression } : {}),
        ...(config.partitionBy.length ? { partitionBy: config.partitionBy } : {}),
      },
    ];
  },
  replacesContents: () =>
    'writes a file, which a reprocess would replace with just the reprocessed rows; only database destinations that append or merge (append, upsert, scd1, scd2) can take them',
});
