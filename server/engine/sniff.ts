// Works out a CSV file's dialect and columns so a new CSV source starts with a
// sensible, editable schema.
import { columnTypeFromDuckDb, type Column } from '../pipeline/types';
import { quoteString } from '../sql/ast';
import { AppError } from '../errors';
import { openDuckSession } from './duckdb';

export interface SniffedCsv {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  columns: Column[];
}

const orDefault = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value.length === 1 ? value : fallback;

export async function sniffCsv(absolutePath: string, tempDir: string): Promise<SniffedCsv> {
  const session = await openDuckSession(tempDir, { threads: 1, allowedFiles: [absolutePath] });
  try {
    const reader = await session.connection.runAndReadAll(`SELECT * FROM sniff_csv(${quoteString(absolutePath)}, sample_size = 20480)`);
    const row = reader.getRowObjectsJson()[0];
    if (!row) throw new AppError('BAD_INPUT', 'The file looks empty');
    const columns = Array.isArray(row.Columns) ? row.Columns : [];
    return {
      delimiter: orDefault(row.Delimiter, ','),
      quote: orDefault(row.Quote, '"'),
      escape: orDefault(row.Escape, '"'),
      header: row.HasHeader === true,
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
