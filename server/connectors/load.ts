// What every database destination shares: who is loading (run, attempt), how
// the connection is found, and the crash checkpoints the kill tests use.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { ConnectionResolver, ConnectionSettings, ConnectionType } from './connection';
import { AppError } from '../errors';
import { quoteIdent, type RenderedSql } from '../sql/ast';
import type { DatabaseLoadTarget } from '../sql/ops';

/**
 * Identifies one attempt at one run. The ledger in the destination is keyed by
 * (runId, nodeId), so a retry of the same run (a higher attempt) finds what an
 * earlier attempt already committed; attempt numbers fence stale attempts off.
 */
export interface LoadIdentity {
  runId: string;
  pipelineId: string;
  /** 1 for the first try, incremented by every retry of the same run. */
  attempt: number;
  /** Source watermarks reached by this run, kept with the ledger row. */
  watermarks?: Record<string, unknown>;
}

export interface LoadContext {
  nodeId: string;
  /** The run's scratch folder; DuckDB may write there. */
  tempDir: string;
  connections?: ConnectionResolver;
  identity: LoadIdentity;
  signal?: AbortSignal;
  /**
   * Other DuckDB work of the stage (a fused cast's rejected rows), run while
   * the destination copies the batch in and DuckDB's connection is idle.
   */
  whileCopying?: () => Promise<void>;
  /**
   * Runs just before the load commits; throwing rolls it back. The engine
   * waits there for its other work and checks that a file the batch was read
   * from did not change.
   */
  beforeCommit?: () => Promise<void>;
}

/** Waits for `work` and, started beside it, `other`; fails with `work`'s error first, so the destination's explains a failure. */
export async function alongside<T>(work: Promise<T>, other?: () => Promise<void>): Promise<T> {
  const [done, beside] = await Promise.allSettled([work, other?.()]);
  if (done.status === 'rejected') throw done.reason;
  if (beside.status === 'rejected') throw beside.reason;
  return done.value;
}

export interface LoadResult {
  /** Rows of the batch the load applied (from the ledger when an earlier attempt committed it). */
  rows: number;
  /** True when an earlier attempt of this run had already committed the load. */
  alreadyCommitted: boolean;
}

export async function resolveSettings<T extends ConnectionType>(
  ctx: LoadContext,
  connectionId: string,
  type: T,
): Promise<Extract<ConnectionSettings, { type: T }>> {
  if (!ctx.connections) {
    throw new AppError('DESTINATION_CONNECTION_INVALID', `This run has no database connections configured, so connection "${connectionId}" cannot be used`, { nodeId: ctx.nodeId });
  }
  const settings = await ctx.connections(connectionId, ctx.nodeId);
  if (settings.type !== type) {
    throw new AppError('DESTINATION_CONNECTION_INVALID', `Connection "${connectionId}" is a ${settings.type} connection; this destination needs ${type}`, { nodeId: ctx.nodeId, path: ['connectionId'] });
  }
  return settings as Extract<ConnectionSettings, { type: T }>;
}

/** Points in a load where the kill tests stop the process. */
export type LoadCheckpoint = 'claimed' | 'after-copy' | 'before-commit' | 'after-commit';

/** In-process test hooks (fencing and race tests); production never sets them. */
export const loadTestHooks: { onCheckpoint?: (checkpoint: LoadCheckpoint, nodeId: string) => void | Promise<void> } = {};

/**
 * Only tests set SLUICE_TEST_CRASH_AT: the process then dies on the spot, as
 * a crashed worker would, leaving PostgreSQL to clean up after the session.
 */
export async function checkpoint(name: LoadCheckpoint, nodeId: string): Promise<void> {
  if (process.env.SLUICE_TEST_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
  await loadTestHooks.onCheckpoint?.(name, nodeId);
}

/** Keyed modes need every key once and never NULL; DuckDB checks before anything is sent. */
export async function checkBatchKeys(duck: DuckDBConnection, source: RenderedSql, target: DatabaseLoadTarget, where: string, nodeId: string): Promise<void> {
  const keys = target.keys.map(quoteIdent).join(', ');
  const params = source.params as DuckDBValue[];
  const nulls = await duck.runAndReadAll(`SELECT count(*) FROM (${source.sql}) AS batch WHERE ${target.keys.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}`, params);
  const nullCount = Number(nulls.getRows()[0]?.[0] ?? 0);
  if (nullCount > 0) {
    throw new AppError('DESTINATION_DUPLICATE_KEY', `${nullCount} row(s) to load into ${where} have no key (a key column is NULL); ${target.mode} needs a key on every row`, { nodeId, path: ['keys'], rows: nullCount });
  }
  const reader = await duck.runAndReadAll(
    `SELECT ${keys}, count(*) AS n, count(*) OVER () AS duplicated FROM (${source.sql}) AS batch GROUP BY ${keys} HAVING count(*) > 1 ORDER BY n DESC, ${keys} LIMIT 1`,
    params,
  );
  const [row] = reader.getRowObjects();
  if (!row) return;
  const key = target.keys.map((k) => `${k}=${showValue(row[k] ?? null)}`).join(', ');
  const duplicated = Number(row.duplicated);
  throw new AppError(
    'DESTINATION_DUPLICATE_KEY',
    `Key (${key}) occurs ${Number(row.n)} times in the rows to load into ${where}; ${target.mode} needs each key once${duplicated > 1 ? ` (${duplicated - 1} other key(s) are duplicated too)` : ''}. Deduplicate before this node.`,
    { nodeId, path: ['keys'], key: Object.fromEntries(target.keys.map((k) => [k, showValue(row[k] ?? null)])), count: Number(row.n), duplicatedKeys: duplicated },
  );
}

/** A key value as a user would write it: text quoted, numbers and dates bare. */
function showValue(value: DuckDBValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'NULL';
  return typeof value === 'object' ? value.toString() : String(value);
}
