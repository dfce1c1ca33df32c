// What the PostgreSQL, MySQL and SQLite source kinds share: a stored
// connection, a table or the user's own SELECT, the declared columns (filled
// from the database by the table picker; a query's columns cannot be derived
// without running it) and an optional incremental column. Planning emits one
// `extract` op; the engine streams the rows (server/connectors/extract.ts).
import { z } from 'zod';
import type { StageOp } from '../../sql/ops';
import { defineNode, unknownColumnIssue, type NodeIssue } from '../define-node';
import { ColumnSchema } from '../types';

export type DatabaseType = 'postgres' | 'mysql' | 'sqlite';

/** Rows fetched from the database per round trip, and held in memory at most. */
export const EXTRACT_BATCH_ROWS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DatabaseSourceConfig = z
  .object({
    connectionId: z.string().regex(UUID, 'Choose a connection'),
    mode: z.enum(['table', 'query']).default('table'),
    /** PostgreSQL schema or MySQL database of `table`; SQLite has only "main". */
    schema: z.string().max(255).default(''),
    table: z.string().max(255).default(''),
    query: z.string().max(100_000).default(''),
    columns: z.array(ColumnSchema).min(1, 'Pick a table, or declare the columns your query returns'),
    /** Empty: read everything on every run. */
    incrementalColumn: z.string().trim().max(255).default(''),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'table' && c.table.trim() === '') ctx.addIssue({ code: 'custom', path: ['table'], message: 'Pick a table' });
    if (c.mode === 'query' && c.query.trim() === '') ctx.addIssue({ code: 'custom', path: ['query'], message: 'Write a SELECT query' });
    const seen = new Set<string>();
    c.columns.forEach((col, i) => {
      const key = col.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `Column "${col.name}" is declared twice (names are case-insensitive)` });
      seen.add(key);
    });
  });
export type DatabaseSourceConfig = z.infer<typeof DatabaseSourceConfig>;

const names: Record<DatabaseType, { label: string; icon: string; schemaWord: string }> = {
  postgres: { label: 'PostgreSQL table', icon: 'PG', schemaWord: 'schema' },
  mysql: { label: 'MySQL table', icon: 'My', schemaWord: 'database' },
  sqlite: { label: 'SQLite table', icon: 'SQ', schemaWord: 'database' },
};

function incrementalIssues(config: DatabaseSourceConfig): NodeIssue[] {
  if (config.incrementalColumn === '') return [];
  const column = config.columns.find((c) => c.name === config.incrementalColumn);
  if (!column) return [unknownColumnIssue(config.incrementalColumn, config.columns, ['incrementalColumn'])];
  if (column.type === 'string' || column.type === 'boolean') {
    return [
      {
        code: 'INVALID_VALUE',
        path: ['incrementalColumn'],
        // Strings compare by collation, which differs between the database and DuckDB: rows could be skipped.
        message: `The incremental column must be a number, date or timestamp; "${column.name}" is a ${column.type}`,
      },
    ];
  }
  return [];
}

export function databaseSource(type: DatabaseType) {
  const { label, icon, schemaWord } = names[type];
  return defineNode({
    kind: `${type}-source`,
    version: 1,
    category: 'source',
    label,
    icon,
    description: `Reads a table or the result of a SELECT query from a ${type === 'postgres' ? 'PostgreSQL' : type === 'mysql' ? 'MySQL or MariaDB' : 'SQLite'} connection, streaming it in batches. The declared columns are the contract: a value that does not fit its column's type fails the run naming the row. With an incremental column, each run reads only rows whose value is above the highest one the last successful run read (rows that arrive later with an equal or lower value are not picked up); "Full refresh" on the pipeline reads everything again.`,
    ports: { inputs: [], outputs: [{ name: 'output', label: 'Rows' }] },
    config: DatabaseSourceConfig,
    initialConfig: { connectionId: '', mode: 'table', schema: '', table: '', query: '', columns: [], incrementalColumn: '' },
    fields: [
      { key: 'connectionId', widget: 'connection', connectionType: type, label: 'Connection', help: 'Manage connections on the Connections page.' },
      {
        key: 'mode',
        widget: 'select',
        label: 'Read',
        options: [
          { value: 'table', label: 'A table or view' },
          { value: 'query', label: 'A SELECT query' },
        ],
      },
      { key: 'table', widget: 'tablePicker', connectionKey: 'connectionId', label: 'Table', help: `Picking a table fills in its ${schemaWord} and columns.` },
      { key: 'query', widget: 'code', language: 'sql', label: 'Query', help: `Used when reading a query: a SELECT in the database's own SQL, run in a read-only transaction.` },
      { key: 'columns', widget: 'schema', label: 'Columns', help: 'Columns to read, in order, with the types DuckDB converts them to.' },
      {
        key: 'incrementalColumn',
        widget: 'text',
        label: 'Incremental column',
        placeholder: 'e.g. updated_at',
        help: 'Optional. A number, date or timestamp column that grows with new rows; each run then reads only rows above the last run’s highest value.',
      },
    ],
    propagate: ({ config }) => ({
      outputs: { output: config.columns },
      lineage: { output: Object.fromEntries(config.columns.map((c) => [c.name, { from: [], how: 'read' as const }])) },
      issues: incrementalIssues(config),
    }),
    plan: ({ nodeId, config, outputTable }): StageOp[] => [
      {
        op: 'extract',
        nodeId,
        table: outputTable('output'),
        connectionId: config.connectionId,
        connectionType: type,
        selection: config.mode === 'table' ? { t: 'table', schema: config.schema, table: config.table } : { t: 'query', sql: config.query },
        columns: config.columns,
        ...(config.incrementalColumn ? { incrementalColumn: config.incrementalColumn } : {}),
        batchRows: EXTRACT_BATCH_ROWS,
      },
    ],
  });
}
