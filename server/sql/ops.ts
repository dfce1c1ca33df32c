// The engine's instruction set: what a planned stage asks DuckDB to do. A closed
// union of physical operations; node kinds produce them, the engine interprets
// them, and neither needs to know about the other.
import type { Column } from '../pipeline/types';
import { quoteIdent, type CsvEncoding, type FileRef, type Select } from './ast';

export type FileFormat = 'csv' | 'ndjson' | 'parquet';
/** gzip and zstd for CSV and NDJSON; snappy and zstd for Parquet. */
export type FileCompression = 'gzip' | 'zstd' | 'snappy';

export type StageOp =
  /** CREATE TABLE `table` AS `query`. */
  | { op: 'materialize'; table: string; query: Select }
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
  | { op: 'javascript'; input: string; inputColumns: Column[]; table: string; code: string; columns: Column[]; batchRows: number; timeoutMs: number; memoryMb: number };

/** The options of DuckDB's COPY … TO for a writeFile op, e.g. `FORMAT csv, HEADER true, COMPRESSION gzip`. */
export function copyOptions(op: Extract<StageOp, { op: 'writeFile' }>): string {
  const parts = op.format === 'csv' ? ['FORMAT csv', 'HEADER true'] : op.format === 'ndjson' ? ['FORMAT json'] : ['FORMAT parquet'];
  if (op.compression) parts.push(`COMPRESSION ${op.compression}`);
  if (op.partitionBy?.length) parts.push(`PARTITION_BY (${op.partitionBy.map(quoteIdent).join(', ')})`);
  return parts.join(', ');
}
