// Streams a DuckDB query, as CSV, into a consumer (a database's COPY FROM
// STDIN), one of two ways:
//
// - through a named pipe (FIFO) in the run's scratch folder: DuckDB's COPY … TO
//   writes one end while the consumer reads the other, so the two work at
//   once and the rows never sit in a file or in Node's memory;
// - through a file: DuckDB writes the whole batch, then the consumer reads it.
//
// The pipe only pays when DuckDB's threads, the database's backend and Node's
// relay each have a core: on a 2-core machine with PostgreSQL beside the
// worker it was slower than the file (bench:load, 1M rows: 1.79 s against
// 1.34 s for export + COPY; 4M: 6.34 s against 6.06 s), because the three
// compete for the same cores and hand over in pipe-buffer-sized steps. So the
// pipe is the default from four cores up, and the file below that or where no
// FIFO can be made.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteString, type RenderedSql } from '../sql/ast';
import { alongside } from './load';

export interface CsvExport {
  /** Where DuckDB writes: `COPY (query) TO <target> (options)`. */
  query: RenderedSql;
  /** COPY options, e.g. `FORMAT csv, HEADER false`. */
  options: string;
  /** Scratch folder DuckDB may write in (the run's temp folder). */
  dir: string;
  /** Reads the CSV to its end; rejects if the destination fails. */
  consume: (csv: Readable) => Promise<void>;
  /** How the CSV travels; default: `defaultExportVia()`. */
  via?: ExportVia;
  /**
   * Other work on the same DuckDB connection, run while the consumer reads
   * once DuckDB has written everything (at once through a file, after the
   * export through a pipe), so the connection is never asked for two things
   * at a time. The export settles when it has too, and fails if it fails.
   */
  meanwhile?: () => Promise<void>;
}

export type ExportVia = 'pipe' | 'file';

/** The pipe where DuckDB's two threads, the database and the relay can each have a core. */
export const defaultExportVia = (): ExportVia => (availableParallelism() >= 4 ? 'pipe' : 'file');

const READ_CHUNK = 1 << 20;

let fifoSupported: boolean | undefined;

async function makeFifo(file: string): Promise<boolean> {
  if (fifoSupported === false) return false;
  try {
    await promisify(execFile)('mkfifo', ['-m', '600', file]);
    fifoSupported = true;
  } catch {
    fifoSupported = false;
  }
  return fifoSupported;
}

/** Exports `query` into `consume`; resolves with the number of rows DuckDB wrote once both ends are done. */
export async function exportCsv(duck: DuckDBConnection, { query, options, dir, consume, via = defaultExportVia(), meanwhile }: CsvExport): Promise<number> {
  const file = path.join(dir, `export-${randomBytes(6).toString('hex')}.csv`);
  const copy = (target: string) => duck.run(`COPY (${query.sql}) TO ${quoteString(target)} (${options})`, query.params);
  try {
    if (via === 'file' || !(await makeFifo(file))) {
      const rows = (await copy(file)).rowsChanged;
      await alongside(consume(createReadStream(file, { highWaterMark: READ_CHUNK })), meanwhile);
      return rows;
    }
    const csv = createReadStream(file, { highWaterMark: READ_CHUNK });
    // ReadStream.pending turns true again once the stream is closed; only "not opened yet" matters here.
    const reader = { waiting: true };
    csv.once('open', () => (reader.waiting = false)).once('close', () => (reader.waiting = false));
    const exporting = copy(file).then(
      (result) => result.rowsChanged,
      async (error: unknown) => {
        // DuckDB may fail before it opened the pipe, leaving the reader waiting for a writer: be that writer, then let it see the end.
        await releaseReader(file, reader);
        throw error;
      },
    );
    const consuming = consume(csv).catch((error: unknown) => {
      // DuckDB may be blocked writing into a pipe nobody reads any more: closing the read end makes its write fail.
      csv.destroy();
      duck.interrupt();
      throw error;
    });
    const exportedThenOther = exporting.then(async (rows) => {
      await meanwhile?.();
      return rows;
    });
    const [consumed, exported] = await Promise.allSettled([consuming, exportedThenOther]);
    // The destination's failure explains more than DuckDB's broken pipe after it.
    if (consumed.status === 'rejected') throw consumed.reason;
    if (exported.status === 'rejected') throw exported.reason;
    return exported.value;
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * While the reader still waits for a writer, opens the pipe for writing
 * without blocking (possible once the reader is in open()) and closes it
 * again, so the reader opens and sees the end.
 */
async function releaseReader(file: string, reader: { waiting: boolean }): Promise<void> {
  for (let tries = 0; reader.waiting && tries < 500; tries++) {
    try {
      const handle = await open(file, constants.O_WRONLY | constants.O_NONBLOCK);
      await handle.close();
    } catch {
      // ENXIO: the reader has not reached open() yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
