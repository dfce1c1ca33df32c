import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import { defineNode } from '../define-node';
import { WorkspacePathSchema } from '../paths';

export const FileSinkConfig = z
  .object({
    format: z.enum(['csv', 'parquet']).default('csv'),
    path: WorkspacePathSchema,
  })
  .superRefine((c, ctx) => {
    if (!c.path.toLowerCase().endsWith(`.${c.format}`)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `A ${c.format.toUpperCase()} file's name should end in .${c.format}` });
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
    'Writes its input to a CSV or Parquet file in the workspace. The file is written under a temporary name and renamed when complete, so readers never see half a file.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [] },
  config: FileSinkConfig,
  initialConfig: { format: 'csv', path: 'output/result.csv' },
  fields: [
    {
      key: 'format',
      widget: 'select',
      label: 'Format',
      options: [
        { value: 'csv', label: 'CSV' },
        { value: 'parquet', label: 'Parquet' },
      ],
    },
    { key: 'path', widget: 'text', label: 'Path', placeholder: 'output/result.csv' },
  ],
  propagate: () => ({ outputs: {}, lineage: {} }),
  plan: ({ config, inputs }) => {
    const input = inputs.input;
    if (!input) throw new Error('file-sink planned without an input');
    return [{ op: 'writeFile', query: selectAll(input), file: { workspacePath: config.path }, format: config.format }];
  },
});
