// Test-only: loads a generated batch into PostgreSQL in a process of its own,
// so the kill tests can SIGKILL it at a checkpoint (SLUICE_TEST_CRASH_AT).
// Usage: tsx load-child.ts '<json KillChildJob>'
import { z } from 'zod';
import { loadBatch, target } from '../../testing/destinations';
import type { Column } from '../../pipeline/types';

export const KillChildJob = z.object({
  schema: z.string(),
  table: z.string(),
  mode: z.enum(['append', 'upsert', 'scd2']),
  /** Keys first .. first + rows - 1. */
  first: z.number().int(),
  rows: z.number().int(),
  /** Added to every amount, so a later batch changes rows. */
  version: z.number().int(),
  runId: z.string(),
  attempt: z.number().int(),
  nodeId: z.string().default('sink'),
});
export type KillChildJob = z.infer<typeof KillChildJob>;

export const killBatchColumns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
];

export function killBatchSql(job: Pick<KillChildJob, 'first' | 'rows' | 'version'>): string {
  return `SELECT range AS id, 'name-' || range AS name, CAST(range % 1000 AS DOUBLE) + ${job.version} AS amount FROM range(${job.first}, ${job.first + job.rows})`;
}

export async function runKillChildJob(job: KillChildJob) {
  return loadBatch(
    killBatchSql(job),
    killBatchColumns,
    target({ schema: job.schema, table: job.table, mode: job.mode, keys: job.mode === 'append' ? [] : ['id'] }),
    { runId: job.runId, pipelineId: 'kill-test', attempt: job.attempt },
    job.nodeId,
  );
}

if (process.argv[1]?.endsWith('load-child.ts')) {
  const result = await runKillChildJob(KillChildJob.parse(JSON.parse(process.argv[2] ?? '{}')));
  process.stdout.write(JSON.stringify(result));
}
