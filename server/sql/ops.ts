// The engine's instruction set: what a planned stage asks DuckDB to do. A closed
// union of physical operations; node kinds produce them, the engine interprets
// them, and neither needs to know about the other.
import type { Column } from '../pipeline/types';
import type { FileRef, Select } from './ast';

export type StageOp =
  /** CREATE TABLE `table` AS `query`. */
  | { op: 'materialize'; table: string; query: Select }
  /** Fail unless the file's header row holds exactly `expected`, in order. */
  | { op: 'checkCsvHeader'; file: FileRef; delimiter: string; quote: string; expected: string[] }
  /** Fail with the first rejected line of the CSV scan that used `rejectsTable`. */
  | { op: 'failOnCsvRejects'; rejectsTable: string; file: FileRef }
  /** Write `query` to a file, atomically (temporary name, then rename). */
  | { op: 'writeFile'; query: Select; file: FileRef; format: 'csv' | 'parquet' }
  /**
   * Run user JavaScript over `input`'s rows in the sandbox, in batches, and
   * materialise what it returns as `table` with the declared `columns`.
   */
  | { op: 'javascript'; input: string; inputColumns: Column[]; table: string; code: string; columns: Column[]; batchRows: number; timeoutMs: number; memoryMb: number }
  /** Load `query`'s rows (with `columns`) into a PostgreSQL table, exactly once per run and node. */
  | { op: 'loadPostgres'; query: Select; columns: Column[]; target: DatabaseLoadTarget }
  /** Load `query`'s rows (with `columns`) into a MySQL / MariaDB table, in one transaction. */
  | { op: 'loadMysql'; query: Select; columns: Column[]; target: DatabaseLoadTarget };

/** How a database destination writes its batch (see server/connectors/postgres/load.ts). */
export type DatabaseLoadMode = 'append' | 'replace' | 'upsert' | 'delete-insert' | 'scd1' | 'scd2';

/** A database destination's target and write rules, as planned from its node's config. */
export interface DatabaseLoadTarget {
  /** Stored connection id; the run resolves it to settings (server/connectors/connection.ts). */
  connectionId: string;
  schema: string;
  table: string;
  mode: DatabaseLoadMode;
  /** upsert, scd1, scd2: the columns that identify a row. */
  keys: string[];
  /** delete-insert: target rows whose values of these columns occur in the batch are replaced. */
  partitionColumns: string[];
  /** scd1, scd2: a row has changed when one of these differs (all non-key columns when empty). */
  compareColumns: string[];
  /** What to do with batch columns the existing table lacks. */
  newColumns: 'add' | 'ignore' | 'fail';
  /** User SQL run in the load's transaction, after the rows are written; '' for none. */
  postLoadSql: string;
}
