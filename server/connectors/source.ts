// What a database source connector does: check that a connection works, list
// what it can read, and stream rows out in bounded batches. One implementation
// per connection type, side by side in `sourceConnectors` (./sources.ts).
import type { ColumnType } from '../pipeline/types';
import { AppError, errorMessage } from '../errors';
import type { ConnectionSettings } from './connection';

export interface SourceContext {
  /** Folder that SQLite paths resolve against (the workspace files folder). */
  workspaceRoot: string;
  signal?: AbortSignal;
}

/** What to read: a table (or view), or the user's own SELECT. */
export type SourceSelection = { t: 'table'; schema: string; table: string } | { t: 'query'; sql: string };

export interface SourceWatermark {
  column: string;
  type: ColumnType;
  /** The highest value read so far, as DuckDB prints it. */
  value: string;
}

export interface ExtractRequest {
  selection: SourceSelection;
  /** Read in this order; every batch row has one value per column. */
  columns: string[];
  /** When set, only rows whose `column` is greater than `value`. */
  watermark?: SourceWatermark;
  batchRows: number;
}

/** Values in the database's own text form (DuckDB casts them to the declared types); null is SQL NULL. */
export type TextRow = (string | null)[];

export interface DiscoveredColumn {
  name: string;
  type: ColumnType;
  /** The type as the database names it, e.g. "timestamp with time zone". */
  sourceType: string;
  nullable: boolean;
}

export interface DiscoveredTable {
  name: string;
  kind: 'table' | 'view';
  columns: DiscoveredColumn[];
}

export interface DiscoveredSchema {
  name: string;
  tables: DiscoveredTable[];
}

export interface SourceConnector<Settings extends ConnectionSettings> {
  /** Connects and runs a trivial query; returns the server's version. */
  test(settings: Settings, ctx: SourceContext): Promise<{ version: string }>;
  discover(settings: Settings, ctx: SourceContext): Promise<DiscoveredSchema[]>;
  /** Streams the selected rows, awaiting `onBatch` before reading further. */
  extract(settings: Settings, request: ExtractRequest, ctx: SourceContext, onBatch: (rows: TextRow[]) => Promise<void>): Promise<void>;
}

/** Connecting (and a test's query) gives up after this long. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A user's query as a derived table: trailing semicolons and whitespace dropped. */
export function trimQuery(sql: string): string {
  return sql.replace(/[\s;]+$/u, '');
}

/** The secret values of `settings`, to scrub from any message a driver produces. */
function secretsOf(settings: ConnectionSettings): string[] {
  return settings.type === 'sqlite' ? [] : [settings.password].filter((p) => p.length >= 3);
}

/** A driver's message, first line only, with any secret value blanked out. */
export function scrubbedMessage(error: unknown, settings: ConnectionSettings): string {
  let message = errorMessage(error).split('\n')[0] ?? '';
  for (const secret of secretsOf(settings)) message = message.split(secret).join('•••');
  return message;
}

export function whereLabel(settings: ConnectionSettings): string {
  return settings.type === 'sqlite' ? `SQLite file "${settings.path}"` : `${settings.type === 'postgres' ? 'PostgreSQL' : 'MySQL'} at ${settings.host}:${settings.port}`;
}

export function connectionFailed(error: unknown, settings: ConnectionSettings): AppError {
  if (error instanceof AppError) return error;
  return new AppError('CONNECTION_FAILED', `Could not connect to ${whereLabel(settings)}: ${scrubbedMessage(error, settings)}`);
}

export function queryFailed(error: unknown, settings: ConnectionSettings): AppError {
  if (error instanceof AppError) return error;
  return new AppError('SOURCE_QUERY_FAILED', `Reading from ${whereLabel(settings)} failed: ${scrubbedMessage(error, settings)}`);
}

/** Rejects after `ms` (running `onTimeout` to tear the connection down) unless `work` settles first. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} did not answer within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('RUN_CANCELLED', 'The run was cancelled');
}
