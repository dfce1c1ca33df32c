// Loads a DuckDB relation into MySQL / MariaDB (append or upsert), once per
// (run, node): DuckDB writes the batch to a CSV file in the run's scratch
// folder, LOAD DATA LOCAL INFILE streams it in, and the rows and a ledger row
// commit in one InnoDB transaction. DDL commits implicitly in MySQL, so the
// table and the ledger are created before the transaction. A named lock
// (GET_LOCK, released when the session ends, even by a crash) keeps two loads
// of one table from interleaving.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { AppError, errorMessage } from '../../errors';
import type { Column, ColumnType } from '../../pipeline/types';
import { quoteIdent, quoteString, type RenderedSql } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';
import { alongside, checkBatchKeys, checkpoint, resolveSettings, type LoadContext, type LoadResult } from '../load';

type LoadMysqlOp = Extract<StageOp, { op: 'loadMysql' }>;

export const mysqlTypeOf: Record<ColumnType, string> = {
  string: 'LONGTEXT',
  integer: 'BIGINT',
  float: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'DATETIME(6)',
};
/** Key columns need a bounded type to be indexed; longer text fails the load (strict mode) rather than being cut. */
const KEY_TEXT_TYPE = 'VARCHAR(255)';
const LEDGER_TABLE = 'sluice_load_ledger';
const STAGING_TABLE = 'sluice_staging';
const LOCK_WAIT_SECONDS = 600;

const id = (name: string): string => mysql.escapeId(name, true);
const list = (names: readonly string[]): string => names.map(id).join(', ');

export function mysqlColumnDefs(columns: Column[], keys: string[]): string {
  return columns.map((c) => `${id(c.name)} ${c.type === 'string' && keys.includes(c.name) ? KEY_TEXT_TYPE : mysqlTypeOf[c.type]}`).join(', ');
}

export function mysqlCreateTable(table: string, columns: Column[], keys: string[]): string {
  const primary = keys.length > 0 ? `, PRIMARY KEY (${list(keys)})` : '';
  return `CREATE TABLE ${id(table)} (${mysqlColumnDefs(columns, keys)}${primary}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/** Fields as DuckDB writes them: quotes doubled, no backslash escapes, unquoted NULL is NULL (text is always quoted). */
export function mysqlLoadData(table: string, columns: Column[]): string {
  return `LOAD DATA LOCAL INFILE 'batch.csv' INTO TABLE ${id(table)} CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' (${list(columns.map((c) => c.name))})`;
}

export function mysqlUpsert(table: string, columns: Column[], keys: string[]): string {
  const names = columns.map((c) => c.name);
  const nonKeys = names.filter((n) => !keys.includes(n));
  // With only key columns there is nothing to update; re-assigning a key is a no-op that keeps the statement valid.
  const updates = (nonKeys.length > 0 ? nonKeys : keys.slice(0, 1)).map((c) => `${id(c)} = VALUES(${id(c)})`).join(', ');
  return `INSERT INTO ${id(table)} (${list(names)}) SELECT ${list(names)} FROM ${id(STAGING_TABLE)} ON DUPLICATE KEY UPDATE ${updates}`;
}

export async function loadMysql(duck: DuckDBConnection, op: LoadMysqlOp, source: RenderedSql, ctx: LoadContext): Promise<LoadResult> {
  const { target, columns } = op;
  if (target.mode !== 'append' && target.mode !== 'upsert') throw new AppError('INTERNAL', `MySQL destinations cannot ${target.mode}`, { nodeId: ctx.nodeId });
  const settings = await resolveSettings(ctx, target.connectionId, 'mysql');
  const { nodeId, identity } = ctx;
  const where = `${id(settings.database)}.${id(target.table)}`;
  const file = path.join(ctx.tempDir, `mysql-load-${randomBytes(6).toString('hex')}.csv`);
  let conn: Connection;
  try {
    conn = await mysql.createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
      charset: 'utf8mb4',
      connectTimeout: 10_000,
      ...(settings.ssl === 'disable' ? {} : { ssl: { rejectUnauthorized: settings.ssl === 'verify-full' } }),
      // The only file this connection may send is the batch DuckDB just wrote.
      infileStreamFactory: () => createReadStream(file),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
      throw new AppError('DESTINATION_CONNECTION_INVALID', `MySQL refused the connection for ${where}: ${errorMessage(error)}`, { nodeId, path: ['connectionId'] }, { cause: error });
    }
    throw new AppError('DESTINATION_UNREACHABLE', `Cannot reach MySQL at ${settings.host}:${settings.port} to load ${where}: ${errorMessage(error)}`, { nodeId }, { cause: error });
  }
  conn.on('error', () => undefined); // surfaced by the failing query instead
  const query = async <T extends RowDataPacket[]>(sql: string, values: unknown[] = []): Promise<T> => (await conn.query<T>(sql, values))[0];
  try {
    await conn.query(`CREATE TABLE IF NOT EXISTS ${id(LEDGER_TABLE)} (
      pipeline_id VARCHAR(255) NOT NULL, run_id VARCHAR(255) NOT NULL, node_id VARCHAR(255) NOT NULL, attempt INT NOT NULL,
      target VARCHAR(255) NOT NULL, \`rows\` BIGINT NOT NULL, watermarks LONGTEXT NOT NULL, committed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
      PRIMARY KEY (run_id, node_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    const ledger = async () => (await query<RowDataPacket[]>(`SELECT \`rows\` FROM ${id(LEDGER_TABLE)} WHERE run_id = ? AND node_id = ?`, [identity.runId, nodeId]))[0];
    const committed = await ledger();
    if (committed) return { rows: Number(committed.rows), alreadyCommitted: true };
    if (target.mode === 'upsert') await checkBatchKeys(duck, source, target, where, nodeId);

    const locked = await query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [`sluice-load:${settings.database}.${target.table}`.slice(0, 64), LOCK_WAIT_SECONDS]);
    if (Number(locked[0]?.got) !== 1) throw new AppError('DESTINATION_LOAD_FAILED', `Another load of ${where} held its lock for ${LOCK_WAIT_SECONDS} s`, { nodeId });
    const again = await ledger();
    if (again) return { rows: Number(again.rows), alreadyCommitted: true };

    const keys = target.mode === 'upsert' ? target.keys : [];
    const existing = (await query<RowDataPacket[]>('SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [settings.database, target.table])).map((r) =>
      String(r.name),
    );
    if (existing.length === 0) {
      await conn.query(mysqlCreateTable(target.table, columns, keys));
    } else {
      const missing = columns.filter((c) => !existing.includes(c.name));
      if (missing.length > 0) {
        throw new AppError('DESTINATION_SCHEMA_MISMATCH', `${where} has no column ${missing.map((c) => `"${c.name}"`).join(', ')}; add it to the table first`, { nodeId, columns: missing.map((c) => c.name) });
      }
      if (target.mode === 'upsert') await requireUniqueKey(query, settings.database, target.table, keys, where, nodeId);
    }

    // Booleans as 0/1 (MySQL reads "true" as 0); text always quoted so the text "NULL" stays text.
    const exported = columns.map((c) => (c.type === 'boolean' ? `CAST(${quoteIdent(c.name)} AS INTEGER) AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const textColumns = columns.filter((c) => c.type === 'string').map((c) => quoteIdent(c.name));
    const forceQuote = textColumns.length > 0 ? `, FORCE_QUOTE (${textColumns.join(', ')})` : '';
    const written = await duck.run(`COPY (SELECT ${exported} FROM (${source.sql}) AS batch) TO ${quoteString(file)} (FORMAT csv, HEADER false, NULLSTR 'NULL'${forceQuote})`, source.params);
    const rows = written.rowsChanged;

    await conn.query('START TRANSACTION');
    if (target.mode === 'upsert') {
      await conn.query(`CREATE TEMPORARY TABLE ${id(STAGING_TABLE)} (${mysqlColumnDefs(columns, keys)}) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    }
    await alongside(conn.query(mysqlLoadData(target.mode === 'upsert' ? STAGING_TABLE : target.table, columns)), ctx.whileCopying);
    const [warning] = await query<RowDataPacket[]>('SHOW WARNINGS LIMIT 1');
    if (warning) throw new AppError('DESTINATION_LOAD_FAILED', `MySQL did not take the rows for ${where} as they are: ${String(warning.Message)}`, { nodeId });
    await checkpoint('after-copy', nodeId);
    if (target.mode === 'upsert') await conn.query(mysqlUpsert(target.table, columns, keys));
    await conn.query(`INSERT INTO ${id(LEDGER_TABLE)} (pipeline_id, run_id, node_id, attempt, target, \`rows\`, watermarks) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      identity.pipelineId,
      identity.runId,
      nodeId,
      identity.attempt,
      target.table,
      rows,
      JSON.stringify(identity.watermarks ?? {}),
    ]);
    await checkpoint('before-commit', nodeId);
    await ctx.beforeCommit?.();
    await conn.query('COMMIT');
    await checkpoint('after-commit', nodeId);
    return { rows, alreadyCommitted: false };
  } catch (error) {
    throw classify(error, where, nodeId);
  } finally {
    // Ending the session rolls back an open transaction and releases the named lock.
    await conn.end().catch(() => conn.destroy());
    await rm(file, { force: true });
  }
}

async function requireUniqueKey(
  query: (sql: string, values?: unknown[]) => Promise<RowDataPacket[]>,
  database: string,
  table: string,
  keys: string[],
  where: string,
  nodeId: string,
): Promise<void> {
  const indexes = await query('SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0', [database, table]);
  const byIndex = new Map<string, Set<string>>();
  for (const r of indexes) byIndex.set(String(r.name), (byIndex.get(String(r.name)) ?? new Set()).add(String(r.col)));
  const matches = [...byIndex.values()].some((cols) => cols.size === keys.length && keys.every((k) => cols.has(k)));
  if (!matches) {
    throw new AppError('DESTINATION_SCHEMA_MISMATCH', `${where} has no primary key or unique index on exactly (${keys.join(', ')}), so an upsert cannot match rows by it`, { nodeId, path: ['keys'] });
  }
}

function classify(error: unknown, where: string, nodeId: string): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ER_CONNECTION_KILLED' || code === 'ER_SERVER_SHUTDOWN') {
    return new AppError('DESTINATION_CONNECTION_LOST', `Lost the connection to MySQL while loading ${where} (${errorMessage(error)}); nothing was committed, so a retry loads the rows again`, { nodeId }, { cause: error });
  }
  return new AppError('DESTINATION_LOAD_FAILED', `Loading ${where} failed: ${errorMessage(error)}`, { nodeId, ...(typeof code === 'string' ? { sqlState: code } : {}) }, { cause: error });
}
