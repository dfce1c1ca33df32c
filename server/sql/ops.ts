// The engine's instruction set: what a planned stage asks DuckDB to do. A closed
// union of physical operations; node kinds produce them, the engine interprets
// them, and neither needs to know about the other.
import type { Column } from '../pipeline/types';
import { quoteIdent, type CsvEncoding, type FileRef, type Select } from './ast';

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
   */
  | { op: 'materialize'; table: string; query: Select; rejects?: RejectedRows }
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
    };

/** The options of DuckDB's COPY … TO for a writeFile op, e.g. `FORMAT csv, HEADER true, COMPRESSION gzip`. */
export function copyOptions(op: Extract<StageOp, { op: 'writeFile' }>): string {
  const parts = op.format === 'csv' ? ['FORMAT csv', 'HEADER true'] : op.format === 'ndjson' ? ['FORMAT json'] : ['FORMAT parquet'];
  if (op.compression) parts.push(`COMPRESSION ${op.compression}`);
  if (op.partitionBy?.length) parts.push(`PARTITION_BY (${op.partitionBy.map(quoteIdent).join(', ')})`);
  return parts.join(', ');
}
