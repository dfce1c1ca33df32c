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
