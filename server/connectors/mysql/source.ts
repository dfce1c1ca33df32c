// MySQL / MariaDB as a source. Rows stream through the text protocol (the
// values MySQL prints, so DECIMAL and FLOAT arrive exactly as the server shows
// them) with backpressure: the connection pauses while a batch is written.
// The session runs in UTC so TIMESTAMP columns read the same on every server.
import mysql from 'mysql2';
import type { z } from 'zod';
import type { MysqlSettings } from '../connection';
import { columnTypeFromMysql } from '../column-types';
import {
  CONNECT_TIMEOUT_MS,
  connectionFailed,
  queryFailed,
  throwIfAborted,
  trimQuery,
  withTimeout,
  type DiscoveredSchema,
  type SourceConnector,
  type TextRow,
} from '../source';

type Settings = z.infer<typeof MysqlSettings>;

export const quoteMysqlIdent = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

/** BIT(n) arrives as big-endian bytes; Sluice reads it as an integer. */
function bitsToText(bytes: Buffer | null): string | null {
  return bytes === null ? null : [...bytes].reduce((n, byte) => n * 256n + BigInt(byte), 0n).toString();
}

const typeCast: mysql.TypeCast = (field, next) => {
  if (field.type === 'BIT') return bitsToText(field.buffer());
  return next();
};

/** A driver value as text: strings as they are, numbers as their shortest exact form, binary as PostgreSQL-style hex. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

async function connect(settings: Settings): Promise<mysql.Connection> {
  const connection = mysql.createConnection({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    ...(settings.ssl === 'disable' ? {} : { ssl: { rejectUnauthorized: settings.ssl === 'verify-full' } }),
    connectTimeout: CONNECT_TIMEOUT_MS,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    multipleStatements: false,
    typeCast,
  });
  connection.on('error', () => undefined);
  try {
    await connection.promise().connect();
    await connection.promise().query(`SET time_zone = '+00:00'`);
  } catch (error) {
    connection.destroy();
    throw connectionFailed(error, settings);
  }
  return connection;
}

interface ColumnRow {
  schema: string;
  table: string;
  kind: string;
  column: string;
  data_type: string;
  column_type: string;
  nullable: string;
}

export const mysqlSource: SourceConnector<Settings> = {
  async test(settings) {
    const connection = await withTimeout(connect(settings), CONNECT_TIMEOUT_MS + 1000, 'The server', () => undefined).catch((error: unknown) => {
      throw connectionFailed(error, settings);
    });
    try {
      const [rows] = await withTimeout(connection.promise().query<mysql.RowDataPacket[]>('SELECT VERSION() AS version'), CONNECT_TIMEOUT_MS, 'The server', () => connection.destroy());
      return { version: String(rows[0]?.version ?? 'unknown') };
    } catch (error) {
      throw queryFailed(error, settings);
    } finally {
      connection.destroy();
    }
  },

  async discover(settings) {
    const connection = await connect(settings);
    try {
      const [rows] = await connection.promise().query<(ColumnRow & mysql.RowDataPacket)[]>(
        `SELECT c.TABLE_SCHEMA AS \`schema\`, c.TABLE_NAME AS \`table\`, t.TABLE_TYPE AS kind, c.COLUMN_NAME AS \`column\`,
                c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type, c.IS_NULLABLE AS nullable
         FROM information_schema.COLUMNS c
         JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
         WHERE c.TABLE_SCHEMA NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')
         ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`,
      );
      const schemas = new Map<string, DiscoveredSchema>();
      for (const row of rows) {
        let schema = schemas.get(row.schema);
        if (!schema) schemas.set(row.schema, (schema = { name: row.schema, tables: [] }));
        let table = schema.tables.at(-1);
        if (table?.name !== row.table) schema.tables.push((table = { name: row.table, kind: row.kind === 'VIEW' ? 'view' : 'table', columns: [] }));
        table.columns.push({ name: row.column, type: columnTypeFromMysql(row.data_type), sourceType: row.column_type, nullable: row.nullable === 'YES' });
      }
      // The connection's own database first: that is where users look.
      return [...schemas.values()].sort((a, b) => Number(b.name === settings.database) - Number(a.name === settings.database));
    } catch (error) {
      throw queryFailed(error, settings);
    } finally {
      connection.destroy();
    }
  },

  async extract(settings, request, ctx, onBatch) {
    const connection = await connect(settings);
    const from = request.selection.t === 'table' ? `${quoteMysqlIdent(request.selection.schema)}.${quoteMysqlIdent(request.selection.table)}` : `(${trimQuery(request.selection.sql)}) AS sluice_source`;
    const where = request.watermark ? ` WHERE ${quoteMysqlIdent(request.watermark.column)} > ?` : '';
    const sql = `SELECT ${request.columns.map(quoteMysqlIdent).join(', ')} FROM ${from}${where}`;
    const cancel = () => connection.destroy();
    ctx.signal?.addEventListener('abort', cancel);
    try {
      await connection.promise().query('START TRANSACTION READ ONLY');
      const stream = connection.query({ sql, values: request.watermark ? [request.watermark.value] : [], rowsAsArray: true }).stream({ highWaterMark: request.batchRows });
      let batch: TextRow[] = [];
      for await (const row of stream as AsyncIterable<unknown[]>) {
        batch.push(row.map(asText));
        if (batch.length >= request.batchRows) {
          throwIfAborted(ctx.signal);
          await onBatch(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await onBatch(batch);
      await connection.promise().query('COMMIT');
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw queryFailed(error, settings);
    } finally {
      ctx.signal?.removeEventListener('abort', cancel);
      connection.destroy();
    }
  },
};
