import { z } from 'zod';
import { selectAll, type Relation, type SampleSpec, type Select } from '../../sql/ast';
import { defineNode, passThroughLineage, type NodeIssue } from '../define-node';

/** DuckDB's parser refuses larger sample sizes and seeds. */
export const MAX_SAMPLE_ROWS = 1_000_000_000;
export const MAX_SEED = 2_147_483_647;

/**
 * DuckDB 1.5's reservoir sample is not uniform for small sizes: asked for a
 * dozen rows or fewer it only ever picks rows from roughly the first 20,000 to
 * 50,000 of its input, and below a few hundred rows it is still measurably
 * skewed. From 2,048 rows (one DuckDB vector) it is uniform. Smaller samples are
 * therefore drawn from a uniform 2,048-row pool; a uniform sample of a uniform
 * sample is uniform.
 */
export const SAMPLE_POOL_ROWS = 2048;

export const SampleConfig = z
  .object({
    mode: z.enum(['rows', 'percent']).default('rows'),
    size: z.number('Enter the sample size as a number').min(0, 'The sample size cannot be negative'),
    seed: z
      .number('Enter the seed as a number')
      .int('The seed must be a whole number')
      .min(0, 'The seed cannot be negative')
      .max(MAX_SEED, `The seed can be at most ${MAX_SEED}`)
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'rows' && !Number.isInteger(c.size)) ctx.addIssue({ code: 'custom', path: ['size'], message: 'A number of rows must be a whole number' });
    else if (c.mode === 'rows' && c.size > MAX_SAMPLE_ROWS) ctx.addIssue({ code: 'custom', path: ['size'], message: 'A sample can have at most 1,000,000,000 rows' });
    else if (c.mode === 'percent' && c.size > 100) ctx.addIssue({ code: 'custom', path: ['size'], message: 'A percentage can be at most 100' });
  });
export type SampleConfig = z.infer<typeof SampleConfig>;

function sampleQuery(config: SampleConfig, input: Relation): Select {
  const seed = config.seed === undefined ? {} : { seed: config.seed };
  if (config.mode === 'percent') return { ...selectAll(input), sample: { kind: 'percent', percent: config.size, ...seed } };
  const spec = (rows: number): SampleSpec => ({ kind: 'rows', rows, ...seed });
  if (config.size >= SAMPLE_POOL_ROWS) return { ...selectAll(input), sample: spec(config.size) };
  const pool: Select = { ...selectAll(input), sample: spec(SAMPLE_POOL_ROWS) };
  return { ...selectAll({ t: 'subquery', query: pool, alias: 'sample_pool' }), sample: spec(config.size) };
}

export const sample = defineNode({
  kind: 'sample',
  version: 1,
  category: 'transform',
  columnReads: 'passThrough',
  label: 'Sample',
  icon: '◌',
  description:
    'Keeps a random subset of rows: either a fixed number of rows (uniform reservoir sample; all rows if there are fewer) or a percentage (each row kept independently with that probability, so the count varies). With a seed the same input gives the same sample on every run; without one every run differs. Sampled rows come out in no particular order.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Sampled rows' }] },
  config: SampleConfig,
  initialConfig: { mode: 'rows', size: 1000 },
  fields: [
    {
      key: 'mode',
      widget: 'select',
      label: 'Sample size in',
      options: [
        { value: 'rows', label: 'rows' },
        { value: 'percent', label: 'percent of rows' },
      ],
    },
    { key: 'size', widget: 'number', label: 'Size', min: 0, placeholder: '1000' },
    { key: 'seed', widget: 'number', label: 'Seed', help: 'Optional. Set it to get the same sample on every run.', min: 0, max: MAX_SEED, integer: true },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const issues: NodeIssue[] = config.size === 0 ? [{ code: 'INVALID_VALUE', severity: 'warning', path: ['size'], message: 'A sample of size 0 keeps no rows' }] : [];
    return { outputs: { output: columns }, lineage: { output: passThroughLineage('input', columns) }, issues };
  },
  plan: ({ config, inputs, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('sample planned without an input');
    return [{ op: 'materialize', table: outputTable('output'), query: sampleQuery(config, input) }];
  },
});
