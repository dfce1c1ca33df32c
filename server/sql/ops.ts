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
  /** Fetch records page by page from an HTTP API and load them into `table` in batches. */
  | { op: 'fetchHttp'; table: string; source: HttpSourceSpec };

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
