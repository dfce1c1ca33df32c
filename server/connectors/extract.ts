// The engine side of database sources: rows stream from the connector batch by
// batch into a DuckDB staging table of text columns (through the appender, so
// each batch leaves Node as soon as it arrives), then one CAST per column turns
// them into the declared types. A value that does not fit fails the run naming
// the column, the row and the value.
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../errors';
import { duckDbTypeOf } from '../pipeline/types';
import { quoteIdent } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import type { ConnectionResolver } from './connection';
import type { SourceWatermark } from './source';
import { sourceConnectorFor } from './sources';

export type ExtractOp = Extract<StageOp, { op: 'extract' }>;

export interface ExtractContext {
  connections?: ConnectionResolver;
  /** The watermark the last successful run stored for this node, if any. */
  watermark?: SourceWatermark;
  workspaceRoot: string;
  signal?: AbortSignal;
  onLog?: (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => void;
}

const stagingColumn = (index: number) => `c${index}`;

/** Extracts into `op.table`; returns the watermark to store after the run succeeds (incremental sources only). */
export async function runExtract(duck: DuckDBConnection, op: ExtractOp, ctx: ExtractContext): Promise<SourceWatermark | undefined> {
  if (!ctx.connections) throw new AppError('CONNECTION_NOT_FOUND', 'Database connections are not available to this run', { nodeId: op.nodeId });
  const settings = await ctx.connections(op.connectionId, op.nodeId);
  if (settings.type !== op.connectionType) {
    throw new AppError('BAD_INPUT', `This source reads ${op.connectionType} databases, but the chosen connection is ${settings.type}. Choose another connection.`, { nodeId: op.nodeId });
  }

  const incremental = op.incrementalColumn ? op.columns.find((c) => c.name === op.incrementalColumn) : undefined;
  // A watermark stored for another column or type means nothing for this one: read everything.
  const watermark = incremental && ctx.watermark?.column === incremental.name && ctx.watermark.type === incremental.type ? ctx.watermark : undefined;
  if (incremental) {
    ctx.onLog?.({
      nodeId: op.nodeId,
      level: 'info',
      message: watermark ? `Reading rows where "${incremental.name}" > ${watermark.value}` : `Reading all rows (no watermark yet for "${incremental.name}")`,
    });
  }

  const staging = `${op.table}_staging`;
  await duck.run(`CREATE TABLE ${quoteIdent(staging)} (${op.columns.map((_, i) => `${stagingColumn(i)} VARCHAR`).join(', ')})`);
  const appender = await duck.createAppender(staging);
  try {
    await sourceConnectorFor(settings).extract(
      settings,
      { selection: op.selection, columns: op.columns.map((c) => c.name), batchRows: op.batchRows, ...(watermark ? { watermark } : {}) },
      { workspaceRoot: ctx.workspaceRoot, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      (rows) => {
        for (const row of rows) {
          if (row.length !== op.columns.length) throw new AppError('SOURCE_QUERY_FAILED', `The source returned ${row.length} columns instead of ${op.columns.length}`, { nodeId: op.nodeId });
          for (const value of row) {
            if (value === null) appender.appendNull();
            else appender.appendVarchar(value);
          }
          appender.endRow();
        }
        appender.flushSync();
        return Promise.resolve();
      },
    );
  } finally {
    appender.closeSync();
  }

  await castInto(duck, op, staging);
  await duck.run(`DROP TABLE ${quoteIdent(staging)}`);

  if (!incremental) return undefined;
  const reader = await duck.runAndReadAll(`SELECT max(${quoteIdent(incremental.name)})::VARCHAR FROM ${quoteIdent(op.table)}`);
  const highest = reader.getRows()[0]?.[0];
  // No new rows: keep the old watermark.
  if (highest === null || highest === undefined) return watermark;
  return { column: incremental.name, type: incremental.type, value: String(highest) };
}

async function castInto(duck: DuckDBConnection, op: ExtractOp, staging: string): Promise<void> {
  const select = op.columns.map((c, i) => `CAST(${stagingColumn(i)} AS ${duckDbTypeOf[c.type]}) AS ${quoteIdent(c.name)}`).join(', ');
  try {
    await duck.run(`CREATE TABLE ${quoteIdent(op.table)} AS SELECT ${select} FROM ${quoteIdent(staging)} ORDER BY rowid`);
  } catch (error) {
    // Find the first value that does not fit, to name it.
    for (const [i, column] of op.columns.entries()) {
      if (column.type === 'string') continue;
      const reader = await duck.runAndReadAll(
        `SELECT rowid + 1, ${stagingColumn(i)} FROM ${quoteIdent(staging)} WHERE ${stagingColumn(i)} IS NOT NULL AND TRY_CAST(${stagingColumn(i)} AS ${duckDbTypeOf[column.type]}) IS NULL ORDER BY rowid LIMIT 1`,
      );
      const [row, value] = reader.getRows()[0] ?? [];
      if (row !== undefined) {
        throw new AppError(
          'SOURCE_VALUE_INVALID',
          `Row ${String(row)} of the source: column "${column.name}" holds ${JSON.stringify(String(value).slice(0, 100))}, which is not a valid ${column.type}. Change the column's type (string keeps any value) or fix the data.`,
          { nodeId: op.nodeId, column: column.name, row: Number(row) },
          { cause: error },
        );
      }
    }
    throw error;
  }
}
