// DuckDB instances for the engine. One in-memory database per run keeps runs
// isolated from each other; spilling goes to the run's own temp folder.
import { mkdir } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckSession {
  connection: DuckDBConnection;
  close(): void;
}

export async function openDuckSession(tempDir: string, options: { threads?: number } = {}): Promise<DuckSession> {
  await mkdir(tempDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: tempDir,
    threads: String(options.threads ?? 2),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
