// The engine's instruction set: what a planned stage asks DuckDB to do. A closed
// union of physical operations; node kinds produce them, the engine interprets
// them, and neither needs to know about the other.
import type { Column } from '../pipeline/types';
import { fileReads, quoteIdent, type CsvEncoding, type FileRef, type Select } from './ast';

export type FileFormat = 'csv' | 'ndjson' | 'parquet';
/** gzip and zstd for CSV and NDJSON; snappy and zstd for Parquet. */
export type FileCompression = 'gzip' | 'zstd' | 'snappy';

/** Why a node rejected rows; stable codes, stored with each dead letter. */
export type RejectReason = 'CAST_FAILED' | 'CSV_MALFORMED_ROW';

/** What becomes of rejected rows: stored as dead letters, skipped (counted and logged), or the run fails on the first. */
export type RejectAction = 'deadLetter' | 'skip' | 'fail';

/**
 * Says that a materialised table holds rows `nodeId` rejected, one per row,
 * and which of its columns say what. Every column named in `rowColumns` is a
 * value of the rejected row; the others are bookkeeping.
 */
export interface RejectedRows {
  nodeId: string;
  reason: RejectReason;
  action: RejectAction;
  /** Column with what is wrong, naming the column and the value. */
  messageColumn: string;
  /** Column with the 1-based line of the source file, when rows come from a file. */
  lineColumn?: string;
  /** Column with the raw text of that line. */
  rawLineColumn?: string;
  rowColumns: string[];
}

export type StageOp =
  /**
   * CREATE TABLE `table` AS `query`. With `rejects`, the table's rows are rows
   * the node rejected: the engine counts them, then stores, logs or fails on
   * them as `rejects.action` says, reading them in bounded batches.
   *
   * With `deferred` (the compiler's choice where at most DEFERRED_READERS
   * queries read `table`, whose `query` reads CSV files recording their
   * malformed lines): one scan first converts every line, counting the rows
   * and recording the malformed lines. If there were none, `table` is a view
   * over `query` that parses the file again for each reader, so no row is
   * stored; otherwise the lines that fit are materialised as without it.
   */
  | { op: 'materialize'; table: string; query: Select; rejects?: RejectedRows; deferred?: boolean }
  /** Fail unless the file's header row holds exactly `expected`, in order. */
  | { op: 'checkCsvHeader'; file: FileRef; delimiter: string; quote: string; expected: string[]; encoding?: CsvEncoding }
  /** Fail with the first rejected line of the CSV scan that used `rejectsTable`. */
  | { op: 'failOnCsvRejects'; rejectsTable: string; file: FileRef }
  /**
   * Write `query` to a file, atomically (temporary name, then rename). With
   * `partitionBy`, `file` is a folder of `column=value/` folders, written
   * whole into a temporary folder that replaces the previous one.
   */
  | { op: 'writeFile'; query: Select; file: FileRef; format: FileFormat; compression?: FileCompression; partitionBy?: string[] }
  /**
   * Stream the rows of an Excel sheet (its `range`, below the header row) into
   * a temporary file in bounded batches and materialise them as `table` with
   * the declared `columns`, typed; a cell that does not fit fails with its address.
   */
  | { op: 'loadExcel'; file: FileRef; table: string; sheet?: string; range?: string; headerRow: number; columns: Column[] }
  /**
   * Run user JavaScript over `input`'s rows in the sandbox, in batches, and
   * materialise what it returns as `table` with the declared `columns`.
   */
  | { op: 'javascript'; input: string; inputColumns: Column[]; table: string; code: string; columns: Column[]; batchRows: number; timeoutMs: number; memoryMb: number }
  /**
   * Stream rows from the database behind `connectionId` into `table` with the
   * declared `columns` (server/connectors/extract.ts), in batches of
   * `batchRows`. With `incrementalColumn`, only rows above the stored
   * watermark are read, and the new highest value is reported.
   */
  | {
      op: 'extract';
      nodeId: string;
      table: string;
      connectionId: string;
      connectionType: 'postgres' | 'mysql' | 'sqlite';
      selection: { t: 'table'; schema: string; table: string } | { t: 'query'; sql: string };
      columns: Column[];
      incrementalColumn?: string;
      batchRows: number;
    }
  /** Load `query`'s rows (with `columns`) into a PostgreSQL table, exactly once per run and node. */
  | { op: 'loadPostgres'; query: Select; columns: Column[]; target: DatabaseLoadTarget }
  /** Load `query`'s rows (with `columns`) into a MySQL / MariaDB table, in one transaction. */
  | { op: 'loadMysql'; query: Select; columns: Column[]; target: DatabaseLoadTarget }
  /** Fetch records page by page from an HTTP API and load them into `table` in batches. */
  | { op: 'fetchHttp'; table: string; source: HttpSourceSpec };

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

/** The options of DuckDB's COPY … TO for a writeFile op, e.g. `FORMAT csv, HEADER true, COMPRESSION gzip`. */
export function copyOptions(op: Extract<StageOp, { op: 'writeFile' }>): string {
  const parts = op.format === 'csv' ? ['FORMAT csv', 'HEADER true'] : op.format === 'ndjson' ? ['FORMAT json'] : ['FORMAT parquet'];
  if (op.compression) parts.push(`COMPRESSION ${op.compression}`);
  if (op.partitionBy?.length) parts.push(`PARTITION_BY (${op.partitionBy.map(quoteIdent).join(', ')})`);
  return parts.join(', ');
}

/**
 * What the REST source asks the engine to fetch. Secret values are
 * {{env:SLUICE_SECRET_…}} references, resolved only when the request is made.
 */
export interface HttpSourceSpec {
  url: string;
  method: 'GET' | 'POST';
  /** JSON text sent with POST; null for none. */
  body: string | null;
  headers: { name: string; value: string }[];
  query: { name: string; value: string }[];
  auth:
    | { type: 'none' }
    | { type: 'bearer'; token: string }
    | { type: 'basic'; username: string; password: string }
    | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: string }
    | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope: string | null };
  pagination:
    | { type: 'none' }
    | { type: 'offset'; offsetParam: string; limitParam: string; pageSize: number; paramsIn: 'query' | 'body' }
    | { type: 'page'; pageParam: string; startPage: number; sizeParam: string | null; pageSize: number; paramsIn: 'query' | 'body' }
    | { type: 'cursor'; cursorParam: string; cursorPath: string; paramsIn: 'query' | 'body' }
    | { type: 'linkHeader' }
    | { type: 'nextUrl'; nextUrlPath: string };
  /** Dotted path to the records array in each page ('$' for the page itself). */
  recordsPath: string;
  /** Output columns, each read from a dotted path inside a record. */
  columns: (Column & { field: string })[];
  maxPages: number;
  maxRecords: number;
  /** null: no limit. */
  requestsPerSecond: number | null;
  /** Further attempts of a request after 429, 5xx or a network error. */
  maxRetries: number;
  timeoutMs: number;
}

/** The files an op reads (not the ones it writes): the engine resolves and confines them first; a preview's cache is keyed on them. */
export function filesRead(op: StageOp): FileRef[] {
  if (op.op === 'checkCsvHeader' || op.op === 'failOnCsvRejects' || op.op === 'loadExcel') return [op.file];
  if (op.op === 'materialize') return fileReads(op.query).map((r) => r.file);
  return [];
}
