// Reading what a run wrote, for tests: through a DuckDB of its own, every value as text.
import { DuckDBInstance } from '@duckdb/node-api';

/** The rows of a CSV file with a header row, every value as text. */
export async function readCsvRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_csv('${file.replace(/'/g, "''")}', header = true, all_varchar = true)`);
    return reader.getRowObjectsJson();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
