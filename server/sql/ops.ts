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
  | { op: 'javascript'; input: string; inputColumns: Column[]; table: string; code: string; columns: Column[]; batchRows: number; timeoutMs: number; memoryMb: number };
