// Works out a CSV file's dialect, encoding and columns so a new CSV source
// starts with a sensible, editable schema.
import { open } from 'node:fs/promises';
import { columnTypeFromDuckDb, type Column } from '../pipeline/types';
import { quoteString, type CsvEncoding } from '../sql/ast';
import { AppError } from '../errors';
import { openDuckSession } from './duckdb';

export interface SniffedCsv {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  encoding: CsvEncoding;
  columns: Column[];
}

const orDefault = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value.length === 1 ? value : fallback;

/** Bytes looked at to tell the encoding; enough for any header and many rows. */
const ENCODING_SAMPLE_BYTES = 64 * 1024;

/**
 * The encoding of a text file's first bytes: a byte-order mark decides; without
 * one, valid UTF-8 is UTF-8 and anything else is taken as Latin-1 (every byte
 * sequence is valid Latin-1). UTF-16 big-endian is refused: DuckDB would read it as empty.
 */
export function detectEncoding(sample: Uint8Array): CsvEncoding {
  if (sample[0] === 0xfe && sample[1] === 0xff) {
    throw new AppError('BAD_INPUT', 'The file is UTF-16 big-endian, which the CSV reader cannot decode; save it as UTF-8 or UTF-16 little-endian');
  }
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16';
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  // A multi-byte character may be cut at the end of the sample: ignore up to 3 trailing bytes of one.
  let end = sample.length;
  if (sample.length === ENCODING_SAMPLE_BYTES) {
    for (let back = 1; back <= 3 && end - back >= 0; back++) {
      const byte = sample[end - back] ?? 0;
      if ((byte & 0xc0) === 0xc0) {
        end -= back;
        break;
      }
      if ((byte & 0x80) === 0) break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'latin-1';
  }
}

async function readSample(absolutePath: string): Promise<Uint8Array> {
  const handle = await open(absolutePath, 'r');
  try {
    const buffer = new Uint8Array(ENCODING_SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function sniffCsv(absolutePath: string, tempDir: string): Promise<SniffedCsv> {
  const encoding = detectEncoding(await readSample(absolutePath));
  const session = await openDuckSession(tempDir, { threads: 1, allowedFiles: [absolutePath] });
  try {
    const reader = await session.connection.runAndReadAll(`SELECT * FROM sniff_csv(${quoteString(absolutePath)}, sample_size = 20480, encoding = ${quoteString(encoding)})`);
    const row = reader.getRowObjectsJson()[0];
    if (!row) throw new AppError('BAD_INPUT', 'The file looks empty');
    const columns = Array.isArray(row.Columns) ? row.Columns : [];
    return {
      delimiter: orDefault(row.Delimiter, ','),
      quote: orDefault(row.Quote, '"'),
      escape: orDefault(row.Escape, '"'),
      header: row.HasHeader === true,
      encoding,
      columns: columns.map((c) => {
        const { name, type } = c as { name?: unknown; type?: unknown };
        return { name: String(name), type: columnTypeFromDuckDb(String(type)) };
      }),
    };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BAD_INPUT', `Could not read the file as CSV: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    session.close();
  }
}
