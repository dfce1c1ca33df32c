// DuckDB instances for the engine. One in-memory database per run keeps runs
// isolated from each other; spilling goes to the run's own temp folder.
//
// Every instance is locked down before anything else runs on it, so that
// neither user expressions nor a bug in the engine can reach files outside
// the directories the caller allows, load code, attach databases elsewhere or
// loosen the settings again. Behaviour verified on DuckDB 1.5.5 (see
// lockdown.test.ts, which fails if an upgrade changes any of it):
//
// 1. Instance options, applied before the first statement:
//    - temp_directory: must be set here; once external access is off,
//      `SET temp_directory` fails with "Modifying the temp_directory has been
//      disabled by configuration". DuckDB then also allows the temp folder
//      itself (it appears in allowed_directories), which spilling needs.
//    - autoinstall_known_extensions / autoload_known_extensions = false.
//      parquet, json and icu are statically linked and already loaded, so
//      read_parquet, COPY … (FORMAT parquet), JSON functions and TIMESTAMPTZ
//      work with autoload off.
//    - allow_community_extensions = false, allow_persistent_secrets = false
//      (allow_unsigned_extensions is already false by default).
// 2. `SET allowed_directories` (and `allowed_paths`). This cannot be an
//    instance option (node-api 1.5.5 rejects it: "Failed to set config") and
//    cannot come after step 3 ("Cannot change allowed_directories when
//    enable_external_access is disabled").
// 3. `SET enable_external_access = false`: files are readable and writable
//    (read_csv, read_parquet, COPY … TO, ATTACH) only below an allowed
//    directory or the temp folder. DuckDB normalises `..` and follows
//    symlinks before checking, so `<allowed>/../x`, a symlinked file or folder
//    inside an allowed directory that points outside, and COPY TO a planted
//    symlink are all refused with "Permission Error: Cannot access file …
//    - file system operations are disabled by configuration". INSTALL and
//    LOAD of anything not built in are refused too.
// 4. `SET lock_configuration = true`: every later SET / RESET / PRAGMA
//    setting fails with "Cannot change configuration option … - the
//    configuration has been locked".
// 5. The settings are read back; the session is refused if any is off.
//
// What DuckDB still permits inside the allowed directories — ATTACH of a
// database file, EXPORT DATABASE, COPY … TO — is for the engine's own use.
// User text only ever reaches DuckDB as an expression that passed
// checkExpression (expression-guard.ts), which admits no statements at all.
import { mkdir, realpath } from 'node:fs/promises';
import { totalmem } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../errors';
import { quoteString } from '../sql/ast';

export interface DuckSession {
  connection: DuckDBConnection;
  close(): void;
}

export interface DuckSessionOptions {
  threads?: number;
  /**
   * Memory DuckDB may use before spilling to the temp folder (and failing when
   * it cannot spill), in MiB. Default: a quarter of the machine's memory, so a
   * worker running two runs beside the web app cannot starve the machine.
   */
  memoryLimitMb?: number;
  /**
   * Absolute directories DuckDB may read and write below; they need not exist
   * yet. The temp folder is always allowed. For a run: the workspace files folder.
   */
  allowedDirectories?: readonly string[];
  /** Absolute paths of single files DuckDB may read outside those directories (allowed_paths), e.g. an upload to sniff. */
  allowedFiles?: readonly string[];
}

/** Instance options; everything that can be set before the first statement. */
export const defaultMemoryLimitMb = (): number => Math.max(256, Math.floor(totalmem() / 4 / 2 ** 20));

function instanceOptions(tempDir: string, threads: number, memoryLimitMb: number): Record<string, string> {
  return {
    threads: String(threads),
    memory_limit: `${Math.floor(memoryLimitMb)}MiB`,
    temp_directory: tempDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    allow_persistent_secrets: 'false',
  };
}

/**
 * The path with every symlink resolved, so it matches what DuckDB compares
 * against (DuckDB resolves links in the paths it opens). A folder that does
 * not exist yet (a workspace without files) resolves through its nearest
 * existing ancestor, so it works once created.
 */
async function canonical(kind: string, p: string): Promise<string> {
  if (!path.isAbsolute(p)) throw new Error(`DuckDB lockdown: ${kind} "${p}" is not an absolute path`);
  const missing: string[] = [];
  let existing = path.resolve(p);
  let real: string | undefined;
  while (real === undefined) {
    try {
      real = path.join(await realpath(existing), ...missing);
    } catch (error) {
      const parent = path.dirname(existing);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === existing) throw error;
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
  if (real === path.parse(real).root) throw new Error(`DuckDB lockdown: refusing to allow the file system root ("${p}")`);
  return real;
}

const sqlList = (items: readonly string[]): string => `[${items.map(quoteString).join(', ')}]`;

async function lockDown(connection: DuckDBConnection, directories: readonly string[], files: readonly string[]): Promise<void> {
  // Order matters: both lists are frozen once external access is off.
  await connection.run(`SET allowed_directories = ${sqlList(directories)}`);
  if (files.length > 0) await connection.run(`SET allowed_paths = ${sqlList(files)}`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');

  const reader = await connection.runAndReadAll(
    `SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')`,
  );
  const [external, locked, autoinstall, autoload] = reader.getRows()[0] ?? [];
  if (external !== false || locked !== true || autoinstall !== false || autoload !== false) {
    throw new AppError('INTERNAL', 'The DuckDB sandbox could not be set up', { external, locked, autoinstall, autoload });
  }
}

export async function openDuckSession(tempDir: string, options: DuckSessionOptions = {}): Promise<DuckSession> {
  await mkdir(tempDir, { recursive: true });
  const temp = await canonical('temp folder', path.resolve(tempDir));
  const directories = [temp];
  for (const dir of options.allowedDirectories ?? []) directories.push(await canonical('allowed directory', dir));
  const files: string[] = [];
  for (const file of options.allowedFiles ?? []) files.push(await canonical('allowed file', file));

  const instance = await DuckDBInstance.create(':memory:', instanceOptions(temp, options.threads ?? 2, options.memoryLimitMb ?? defaultMemoryLimitMb()));
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    await lockDown(connection, [...new Set(directories)], [...new Set(files)]);
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw error;
  }
  const open = connection;
  return {
    connection: open,
    close: () => {
      open.closeSync();
      instance.closeSync();
    },
  };
}
