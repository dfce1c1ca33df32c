// SQLite files in the workspace as a source, opened read-only with Node's
// built-in driver. The statement is iterated row by row, so only one batch is
// held at a time; integers are read as BigInt so none loses precision.
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { z } from 'zod';
import { resolveExistingFile } from '../../engine/files';
import type { ColumnType } from '../../pipeline/types';
import type { SqliteSettings } from '../connection';
import { columnTypeFromSqlite } from '../column-types';
import { connectionFailed, queryFailed, throwIfAborted, trimQuery, type DiscoveredSchema, type SourceConnector, type TextRow } from '../source';

type Settings = z.infer<typeof SqliteSettings>;

export const quoteSqliteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function open(settings: Settings, workspaceRoot: string): Promise<DatabaseSync> {
  const file = await resolveExistingFile(workspaceRoot, settings.path);
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    // Fails here, not mid-run, when the file is not an SQLite database.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (error) {
    throw connectionFailed(error, settings);
  }
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return JSON.stringify(value);
}

/**
 * SQLite compares by storage class: an integer is never greater than a text
 * value, so the watermark is bound as the type the column holds.
 */
function watermarkParameter(type: ColumnType, value: string): SQLInputValue {
  if (type === 'integer') return BigInt(value);
  if (type === 'float') return Number(value);
  return value;
}

export const sqliteSource: SourceConnector<Settings> = {
  async test(settings, ctx) {
    const db = await open(settings, ctx.workspaceRoot);
    try {
      const row = db.prepare('SELECT sqlite_version() AS version').get() as { version: string } | undefined;
      return { version: `SQLite ${row?.version ?? 'unknown'}` };
    } finally {
      db.close();
    }
  },

  async discover(settings, ctx) {
    const db = await open(settings, ctx.workspaceRoot);
    try {
      const objects = db.prepare(`SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as { name: string; type: string }[];
      const schema: DiscoveredSchema = { name: 'main', tables: [] };
      for (const object of objects) {
        const columns = db.prepare('SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?)').all(object.name) as { name: string; type: string; not_null: number; pk: number }[];
        schema.tables.push({
          name: object.name,
          kind: object.type === 'view' ? 'view' : 'table',
          columns: columns.map((c) => ({ name: c.name, type: columnTypeFromSqlite(c.type), sourceType: c.type || 'ANY', nullable: c.not_null === 0 })),
        });
      }
      return [schema];
    } catch (error) {
      throw queryFailed(error, settings);
    } finally {
      db.close();
    }
  },

  async extract(settings, request, ctx, onBatch) {
    const db = await open(settings, ctx.workspaceRoot);
    const from = request.selection.t === 'table' ? quoteSqliteIdent(request.selection.table) : `(${trimQuery(request.selection.sql)}) AS sluice_source`;
    const where = request.watermark ? ` WHERE ${quoteSqliteIdent(request.watermark.column)} > ?` : '';
    try {
      const statement = db.prepare(`SELECT ${request.columns.map(quoteSqliteIdent).join(', ')} FROM ${from}${where}`);
      statement.setReadBigInts(true);
      statement.setReturnArrays(true);
      const parameters = request.watermark ? [watermarkParameter(request.watermark.type, request.watermark.value)] : [];
      let batch: TextRow[] = [];
      for (const row of statement.iterate(...parameters) as Iterable<unknown[]>) {
        batch.push(row.map(asText));
        if (batch.length >= request.batchRows) {
          throwIfAborted(ctx.signal);
          await onBatch(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await onBatch(batch);
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw queryFailed(error, settings);
    } finally {
      db.close();
    }
  },
};
