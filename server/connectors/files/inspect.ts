// Reads the columns of an uploaded (or selected) JSON or Parquet file so a new
// source starts with its schema: Parquet from the file footer, JSON by
// DuckDB's detection over a sample of records.
import { open } from 'node:fs/promises';
import { openDuckSession } from '../../engine/duckdb';
import { AppError, errorMessage } from '../../errors';
import { columnTypeFromDuckDb, type Column } from '../../pipeline/types';
import { quoteString } from '../../sql/ast';

async function describe(absolutePath: string, tempDir: string, relation: string): Promise<Column[]> {
  const session = await openDuckSession(tempDir, { threads: 1, allowedFiles: [absolutePath] });
  try {
    const reader = await session.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
    return reader.getRows().map(([name, type]) => ({ name: typeof name === 'string' ? name : '', type: columnTypeFromDuckDb(typeof type === 'string' ? type : '') }));
  } finally {
    session.close();
  }
}

/** The columns a Parquet file's footer declares, as Sluice column types (nested types become string). */
export async function inspectParquet(absolutePath: string, tempDir: string): Promise<{ columns: Column[] }> {
  try {
    return { columns: await describe(absolutePath, tempDir, `read_parquet(${quoteString(absolutePath)})`) };
  } catch (error) {
    throw new AppError('BAD_INPUT', `Could not read the file as Parquet: ${errorMessage(error).split('\n')[0] ?? ''}`);
  }
}

/** An array if the first character that is not white space is "[", else NDJSON. */
async function jsonLayout(absolutePath: string): Promise<'array' | 'ndjson'> {
  const handle = await open(absolutePath, 'r');
  try {
    const buffer = new Uint8Array(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const first = new TextDecoder().decode(buffer.subarray(0, bytesRead)).replace(/^\uFEFF/, '').trimStart()[0];
    return first === '[' ? 'array' : 'ndjson';
  } finally {
    await handle.close();
  }
}

/** Layout and columns of a JSON file; nested objects and arrays become string columns (JSON text). */
export async function inspectJson(absolutePath: string, tempDir: string): Promise<{ format: 'array' | 'ndjson'; columns: Column[] }> {
  const format = await jsonLayout(absolutePath);
  try {
    const relation = `read_json(${quoteString(absolutePath)}, format = ${quoteString(format === 'array' ? 'array' : 'newline_delimited')}, sample_size = 20480)`;
    const columns = await describe(absolutePath, tempDir, relation);
    if (columns.length === 1 && columns[0]?.name === 'json') {
      throw new AppError('BAD_INPUT', 'The JSON file does not hold objects (one per line, or an array of them)');
    }
    return { format, columns };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BAD_INPUT', `Could not read the file as JSON: ${errorMessage(error).split('\n')[0] ?? ''}`);
  }
}
