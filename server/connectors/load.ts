// What every database destination shares: who is loading (run, attempt), how
// the connection is found, and the crash checkpoints the kill tests use.
import type { ConnectionResolver, ConnectionSettings, ConnectionType } from './connection';
import { AppError } from '../errors';

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

export function quotedTarget(schema: string, table: string): string {
  return `"${schema}"."${table}"`;
}
