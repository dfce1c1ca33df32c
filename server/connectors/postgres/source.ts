// PostgreSQL as a source. Rows come through a server-side cursor (DECLARE …
// FETCH n) inside a read-only transaction, so only one batch is in memory at a
// time and the watermark is a bound parameter. Every value is kept in
// PostgreSQL's text form; the session is set to UTC and ISO dates so that form
// is what DuckDB parses exactly.
import pg from 'pg';
import type { PostgresSettings } from '../connection';
import { columnTypeFromPostgres } from '../column-types';
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
import type { z } from 'zod';

type Settings = z.infer<typeof PostgresSettings>;

export const quotePgIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const DATE_OIDS = new Set([1082, 1114, 1184]);
/** PostgreSQL writes BC dates as "0044-03-15 BC"; DuckDB reads "0044-03-15 (BC)". */
const bcForDuckDb = (text: string): string => (text.endsWith(' BC') ? `${text.slice(0, -3)} (BC)` : text);

/** Every value as the text PostgreSQL sent. */
const textTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => (DATE_OIDS.has(oid) ? bcForDuckDb : (text: string) => text)) as pg.CustomTypesConfig['getTypeParser'],
};

async function connect(settings: Settings): Promise<pg.Client> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    ssl: settings.ssl === 'disable' ? false : { rejectUnauthorized: settings.ssl === 'verify-full' },
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sluice',
  });
  // A connection dropped while idle must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionFailed(error, settings);
  }
  return client;
}

const DISCOVER_SQL = `
SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind, a.attname AS column,
       format_type(a.atttypid, a.atttypmod) AS source_type,
       CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS base_type,
       NOT a.attnotnull AS nullable
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname, a.attnum`;

interface DiscoverRow {
  schema: string;
  table: string;
  kind: string;
  column: string;
  source_type: string;
  base_type: string;
  nullable: boolean;
}

export const postgresSource: SourceConnector<Settings> = {
  async test(settings) {
    const client = await withTimeout(connect(settings), CONNECT_TIMEOUT_MS, 'The server', () => undefined).catch((error: unknown) => {
      throw connectionFailed(error, settings);
    });
    try {
      const result = await withTimeout(client.query<{ version: string }>('SELECT version() AS version'), CONNECT_TIMEOUT_MS, 'The server', () => void client.end());
      return { version: result.rows[0]?.version ?? 'unknown' };
    } catch (error) {
      throw queryFailed(error, settings);
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async discover(settings) {
    const client = await connect(settings);
    try {
      const { rows } = await client.query<DiscoverRow>(DISCOVER_SQL);
      const schemas = new Map<string, DiscoveredSchema>();
      for (const row of rows) {
        let schema = schemas.get(row.schema);
        if (!schema) schemas.set(row.schema, (schema = { name: row.schema, tables: [] }));
        let table = schema.tables.at(-1);
        if (table?.name !== row.table) schema.tables.push((table = { name: row.table, kind: row.kind === 'v' || row.kind === 'm' ? 'view' : 'table', columns: [] }));
        table.columns.push({ name: row.column, type: columnTypeFromPostgres(row.base_type), sourceType: row.source_type, nullable: row.nullable });
      }
      return [...schemas.values()];
    } catch (error) {
      throw queryFailed(error, settings);
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async extract(settings, request, ctx, onBatch) {
    const client = await connect(settings);
    const from = request.selection.t === 'table' ? `${quotePgIdent(request.selection.schema)}.${quotePgIdent(request.selection.table)}` : `(${trimQuery(request.selection.sql)}) AS sluice_source`;
    const where = request.watermark ? ` WHERE ${quotePgIdent(request.watermark.column)} > $1` : '';
    const sql = `SELECT ${request.columns.map(quotePgIdent).join(', ')} FROM ${from}${where}`;
    const cancel = () => void client.end().catch(() => undefined);
    ctx.signal?.addEventListener('abort', cancel);
    try {
      // One snapshot for the whole read; nothing the user's query calls may write.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query({ text: `DECLARE sluice_extract NO SCROLL CURSOR FOR ${sql}`, values: request.watermark ? [request.watermark.value] : [] });
      for (;;) {
        throwIfAborted(ctx.signal);
        const result = await client.query<TextRow>({ text: `FETCH ${request.batchRows} FROM sluice_extract`, rowMode: 'array', types: textTypes });
        if (result.rows.length > 0) await onBatch(result.rows);
        if (result.rows.length < request.batchRows) break;
      }
      await client.query('COMMIT');
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw queryFailed(error, settings);
    } finally {
      ctx.signal?.removeEventListener('abort', cancel);
      await client.end().catch(() => undefined);
    }
  },
};
