import { z } from 'zod';
import { defineNode, type ColumnLineage } from '../define-node';
import { ColumnSchema } from '../types';

export const JavaScriptConfig = z
  .object({
    code: z.string().trim().min(1, 'Write a transform(rows) function').max(100_000),
    columns: z.array(ColumnSchema).min(1, 'Declare the columns your function returns'),
    batchRows: z.number().int().min(1).max(100_000).default(5_000),
    timeoutSeconds: z.number().min(0.1).max(600).default(30),
    memoryMb: z.number().int().min(16).max(2_048).default(256),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.columns.forEach((col, i) => {
      if (seen.has(col.name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `Column "${col.name}" is declared twice` });
      seen.add(col.name.toLowerCase());
    });
  });
export type JavaScriptConfig = z.infer<typeof JavaScriptConfig>;

export const javascript = defineNode({
  kind: 'javascript',
  version: 1,
  category: 'transform',
  label: 'JavaScript',
  icon: '⨍',
  description:
    'Runs your transform(rows) function over batches of rows in an isolated sandbox (no files, network, environment or require). Return an array of row objects; their values are read into the columns you declare, and keys you do not declare are dropped.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: JavaScriptConfig,
  initialConfig: {
    code: 'function transform(rows) {\n  return rows;\n}\n',
    columns: [],
    batchRows: 5000,
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  fields: [
    { key: 'code', widget: 'code', language: 'javascript', label: 'Code', help: 'Declare function transform(rows) { … } returning an array of objects.' },
    { key: 'columns', widget: 'schema', label: 'Output columns' },
    { key: 'batchRows', widget: 'number', label: 'Rows per batch', integer: true, min: 1, max: 100_000 },
    { key: 'timeoutSeconds', widget: 'number', label: 'Time limit per batch (s)', min: 0.1, max: 600 },
    { key: 'memoryMb', widget: 'number', label: 'Memory limit (MB)', integer: true, min: 16, max: 2048 },
  ],
  propagate: ({ config, inputs }) => {
    const input = inputs.input ?? [];
    // The function may read any input column to produce any output column.
    const from = input.map((c) => ({ port: 'input', column: c.name }));
    const lineage: Record<string, ColumnLineage> = Object.fromEntries(config.columns.map((c) => [c.name, { from, how: 'derived' as const }]));
    return { outputs: { output: config.columns }, lineage: { output: lineage } };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (input?.t !== 'table') throw new Error('javascript planned without an input table');
    return [
      {
        op: 'javascript',
        input: input.name,
        inputColumns: inputColumns.input ?? [],
        table: outputTable('output'),
        code: config.code,
        columns: config.columns,
        batchRows: config.batchRows,
        timeoutMs: Math.round(config.timeoutSeconds * 1000),
        memoryMb: config.memoryMb,
      },
    ];
  },
});
