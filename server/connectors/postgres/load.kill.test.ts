// The proof of exactly once: a loading process is SIGKILLed at a checkpoint
// (after the COPY into staging, just before COMMIT, just after COMMIT), then
// the retry attempt runs, and the table must hold exactly the expected rows,
// with no key twice. The append case moves 1,000,000 rows; upsert and SCD2
// load 50,000 over 50,000 to keep the file under two minutes on a shared machine.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { openTestPostgres, uniqueName } from '../../testing/destinations';
import type { LoadCheckpoint } from '../load';
import { runKillChildJob, type KillChildJob } from './load-child';
import { ident, qualified } from './statements';

const schema = uniqueName('sluice_kill_test');
let client: pg.Client;
/** Killed children cannot clean up their scratch folders; they make them here. */
let childTemp: string;
const childScript = path.resolve(import.meta.dirname, 'load-child.ts');

beforeAll(async () => {
  client = await openTestPostgres();
  childTemp = await mkdtemp(path.join(tmpdir(), 'sluice-kill-'));
});
afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
  await client.end();
  await rm(childTemp, { recursive: true, force: true });
});

/** Runs the job in a child process that dies at `crashAt`; resolves with how it ended. */
function crashingLoad(job: KillChildJob, crashAt: LoadCheckpoint): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // node itself runs the script (tsx as a loader), so the SIGKILL hits the process we watch.
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(job)], { env: { ...process.env, SLUICE_TEST_CRASH_AT: crashAt, TMPDIR: childTemp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

async function stats(table: string): Promise<{ rows: number; keys: number; current?: number }> {
  const found = await client.query<{ rows: string; keys: string }>(`SELECT count(*) AS rows, count(DISTINCT id) AS keys FROM ${qualified(schema, table)}`);
  return { rows: Number(found.rows[0]?.rows), keys: Number(found.rows[0]?.keys) };
}

async function ledgerRows(runId: string): Promise<{ attempt: number; rows: string }[]> {
  return (await client.query<{ attempt: number; rows: string }>(`SELECT attempt, rows FROM ${qualified(schema, 'sluice_load_ledger')} WHERE run_id = $1`, [runId])).rows;
}

const checkpoints: LoadCheckpoint[] = ['after-copy', 'before-commit', 'after-commit'];

describe('append of 1,000,000 rows, killed and retried', () => {
  it.each(checkpoints)('killed %s: the retry leaves exactly 1,000,000 rows', async (crashAt) => {
    const table = `append_${crashAt.replace('-', '_')}`;
    const job: KillChildJob = { schema, table, mode: 'append', first: 0, rows: 1_000_000, version: 0, runId: `append-${crashAt}`, attempt: 1, nodeId: 'sink' };
    const crashed = await crashingLoad(job, crashAt);
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const retry = await runKillChildJob({ ...job, attempt: 2 });
    expect(retry).toEqual({ rows: 1_000_000, alreadyCommitted: crashAt === 'after-commit' });
    expect(await stats(table)).toEqual({ rows: 1_000_000, keys: 1_000_000 });
    expect(await ledgerRows(job.runId)).toEqual([{ attempt: crashAt === 'after-commit' ? 1 : 2, rows: '1000000' }]);
  });
});

// One table per mode: each round loads keys 25,000..74,999 with a new version
// of every amount, killed at the next checkpoint, then retried.
describe('upsert of 50,000 rows over 50,000, killed and retried', () => {
  const table = 'upserted';
  beforeAll(async () => {
    await runKillChildJob({ schema, table, mode: 'upsert', first: 0, rows: 50_000, version: 0, runId: 'upsert-base', attempt: 1, nodeId: 'sink' });
  });

  it.each(checkpoints.map((crashAt, i) => [crashAt, i + 1] as const))('killed %s: every key once, with the new values', async (crashAt, version) => {
    const job: KillChildJob = { schema, table, mode: 'upsert', first: 25_000, rows: 50_000, version, runId: `upsert-${crashAt}`, attempt: 1, nodeId: 'sink' };
    const crashed = await crashingLoad(job, crashAt);
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(await runKillChildJob({ ...job, attempt: 2 })).toEqual({ rows: 50_000, alreadyCommitted: crashAt === 'after-commit' });
    expect(await stats(table)).toEqual({ rows: 75_000, keys: 75_000 });
    const versions = await client.query(`SELECT id >= 25000 AS updated, min(amount - (id % 1000)) AS lo, max(amount - (id % 1000)) AS hi FROM ${qualified(schema, table)} GROUP BY 1 ORDER BY 1`);
    expect(versions.rows).toEqual([
      { updated: false, lo: 0, hi: 0 },
      { updated: true, lo: version, hi: version },
    ]);
  });
});

describe('SCD2 of 50,000 rows over 50,000, killed and retried', () => {
  const table = 'historised';
  beforeAll(async () => {
    await runKillChildJob({ schema, table, mode: 'scd2', first: 0, rows: 50_000, version: 0, runId: 'scd2-base', attempt: 1, nodeId: 'sink' });
  });

  it.each(checkpoints.map((crashAt, i) => [crashAt, i + 1] as const))('killed %s: one current row per key and exactly one new version per changed key', async (crashAt, version) => {
    const job: KillChildJob = { schema, table, mode: 'scd2', first: 25_000, rows: 50_000, version, runId: `scd2-${crashAt}`, attempt: 1, nodeId: 'sink' };
    const crashed = await crashingLoad(job, crashAt);
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(await runKillChildJob({ ...job, attempt: 2 })).toEqual({ rows: 50_000, alreadyCommitted: crashAt === 'after-commit' });
    const found = await client.query(
      `SELECT count(*)::int AS versions, count(*) FILTER (WHERE is_current)::int AS current, count(DISTINCT id) FILTER (WHERE is_current)::int AS current_keys,
              count(*) FILTER (WHERE is_current AND id >= 25000 AND amount = id % 1000 + $1)::int AS current_new
       FROM ${qualified(schema, table)}`,
      [version],
    );
    // 0..24,999 never change; every round closes the current version of 25,000..74,999 (new keys in round 1) and opens one.
    expect(found.rows).toEqual([{ versions: 50_000 + 50_000 * version, current: 75_000, current_keys: 75_000, current_new: 50_000 }]);
  });
});

describe('the loading session is terminated mid-COPY', () => {
  it('fails with DESTINATION_CONNECTION_LOST within 10 s, and the retry loads exactly once', async () => {
    const job: KillChildJob = { schema, table: 'terminated', mode: 'append', first: 0, rows: 1_000_000, version: 0, runId: 'terminated', attempt: 1, nodeId: 'terminated-sink' };
    const loading = runKillChildJob(job).then(
      () => undefined,
      (error: unknown) => ({ error, at: Date.now() }),
    );
    let terminatedAt = 0;
    for (let waited = 0; terminatedAt === 0 && waited < 30_000; waited += 10) {
      const killed = await client.query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'sluice-load terminated-sink' AND state = 'active' AND query LIKE 'COPY %'",
      );
      if (killed.rowCount) terminatedAt = Date.now();
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(terminatedAt).toBeGreaterThan(0);
    const outcome = await loading;
    if (!outcome) throw new Error('the load survived the termination of its session');
    expect(outcome.error).toBeInstanceOf(AppError);
    const error = outcome.error as AppError;
    expect(error.code).toBe('DESTINATION_CONNECTION_LOST');
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/^Lost the connection to PostgreSQL while loading "sluice_kill_test_\w+"\."terminated" \((terminating connection due to administrator command|(read|write) ECONNRESET|Connection terminated unexpectedly)\); nothing was committed/);
    expect(outcome.at - terminatedAt).toBeLessThan(10_000);
    expect(await runKillChildJob({ ...job, attempt: 2 })).toEqual({ rows: 1_000_000, alreadyCommitted: false });
    expect(await stats('terminated')).toEqual({ rows: 1_000_000, keys: 1_000_000 });
  });
});
