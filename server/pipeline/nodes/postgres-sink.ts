import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import type { DatabaseLoadTarget } from '../../sql/ops';
import { defineNode, unknownColumnIssue, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column } from '../types';

/** PostgreSQL truncates longer identifiers silently; refusing them keeps names exact. */
const MAX_IDENTIFIER_BYTES = 63;
const identifierBytes = (name: string): number => Buffer.byteLength(name, 'utf8');

const Identifier = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what} name`)
    .refine((s) => identifierBytes(s) <= MAX_IDENTIFIER_BYTES, `A PostgreSQL ${what} name is at most ${MAX_IDENTIFIER_BYTES} bytes long`)
    .refine((s) => !s.includes('\0'), `The ${what} name contains a NUL character`);

/** Tables the load keeps in the target schema; loading into them would corrupt the bookkeeping. */
const RESERVED_TABLES = ['sluice_load_ledger', 'sluice_load_attempts'];
/** Columns an SCD2 table keeps per version. */
export const SCD2_BOOKKEEPING = ['valid_from', 'valid_to', 'is_current'];

const keyedModes = ['upsert', 'scd1', 'scd2'] as const;

export const PostgresSinkConfig = z
  .object({
    connectionId: z.string().trim().min(1, 'Enter the id of a PostgreSQL connection'),
    schema: Identifier('schema').default('public'),
    table: Identifier('table').refine((t) => !RESERVED_TABLES.includes(t), 'This table name is reserved for Sluice\'s load ledger'),
    mode: z.enum(['append', 'replace', 'upsert', 'delete-insert', 'scd1', 'scd2']).default('append'),
    keys: z.array(z.string().min(1)).default([]),
    partitionColumns: z.array(z.string().min(1)).default([]),
    compareColumns: z.array(z.string().min(1)).default([]),
    newColumns: z.enum(['add', 'ignore', 'fail']).default('add'),
    postLoadSql: z.string().max(100_000).default(''),
  })
  .superRefine((c, ctx) => {
    if ((keyedModes as readonly string[]).includes(c.mode) && c.keys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: `Pick the key columns that identify a row (${c.mode} matches rows by key)` });
    }
    if (c.mode === 'delete-insert' && c.partitionColumns.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['partitionColumns'], message: 'Pick the partition columns whose values the batch replaces' });
    }
  });
export type PostgresSinkConfig = z.infer<typeof PostgresSinkConfig>;

export const postgresSink = defineNode({
  kind: 'postgres-sink',
  version: 1,
  category: 'destination',
  label: 'PostgreSQL table',
  icon: '⛁',
  description:
    'Loads its input into a PostgreSQL table, exactly once per run: the rows, the post-load SQL and a row in the schema\'s sluice_load_ledger table commit in one transaction, so a retried run never loads twice. Every input column is written to the column of the same name (created from the input\'s columns when the table is missing). Modes: append; replace (a new table swapped in atomically); upsert and SCD1 (update rows by key, insert new keys; SCD1 touches only rows whose compared columns changed); delete-insert (replaces the target rows of the partitions present in the batch); SCD2 (keeps history in valid_from, valid_to and is_current, one current row per key enforced by a unique index). Keyed modes fail when a key is NULL or repeats in the batch.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [] },
  config: PostgresSinkConfig,
  initialConfig: { connectionId: '', schema: 'public', table: '', mode: 'append', keys: [], partitionColumns: [], compareColumns: [], newColumns: 'add', postLoadSql: '' },
  fields: [
    { key: 'connectionId', widget: 'text', label: 'Connection', help: 'Id of a stored PostgreSQL connection.', placeholder: 'connection id' },
    { key: 'schema', widget: 'text', label: 'Schema', placeholder: 'public' },
    { key: 'table', widget: 'text', label: 'Table', help: 'Created from the input columns when it does not exist.' },
    {
      key: 'mode',
      widget: 'select',
      label: 'Mode',
      options: [
        { value: 'append', label: 'append rows' },
        { value: 'replace', label: 'replace the table' },
        { value: 'upsert', label: 'upsert by key' },
        { value: 'delete-insert', label: 'replace partitions (delete + insert)' },
        { value: 'scd1', label: 'SCD type 1 (overwrite changed rows)' },
        { value: 'scd2', label: 'SCD type 2 (keep history)' },
      ],
    },
    { key: 'keys', widget: 'columnList', label: 'Key columns', help: 'Upsert, SCD1 and SCD2: the columns that identify a row.', port: 'input' },
    { key: 'partitionColumns', widget: 'columnList', label: 'Partition columns', help: 'Delete + insert: target rows with these values in the batch are replaced.', port: 'input' },
    {
      key: 'compareColumns',
      widget: 'columnList',
      label: 'Compare columns',
      help: 'SCD1 and SCD2: a row has changed when one of these differs. Empty: all non-key columns.',
      port: 'input',
    },
    {
      key: 'newColumns',
      widget: 'select',
      label: 'New columns',
      help: 'When the input has columns the existing table lacks.',
      options: [
        { value: 'add', label: 'add them to the table' },
        { value: 'ignore', label: 'ignore them' },
        { value: 'fail', label: 'fail the run' },
      ],
    },
    { key: 'postLoadSql', widget: 'code', language: 'sql', label: 'Post-load SQL', help: 'Optional. Runs in the load\'s transaction after the rows are written; if it fails, nothing is loaded.' },
  ],
  propagate: ({ config, inputs }) => ({ outputs: {}, lineage: {}, uses: columnUses(config), issues: checkColumns(config, inputs.input ?? []) }),
  plan: ({ config, inputs, inputColumns }) => {
    const input = inputs.input;
    if (!input) throw new Error('postgres-sink planned without an input');
    const target: DatabaseLoadTarget = {
      connectionId: config.connectionId,
      schema: config.schema,
      table: config.table,
      mode: config.mode,
      keys: config.mode === 'upsert' || config.mode === 'scd1' || config.mode === 'scd2' ? config.keys : [],
      partitionColumns: config.mode === 'delete-insert' ? config.partitionColumns : [],
      compareColumns: config.mode === 'scd1' || config.mode === 'scd2' ? config.compareColumns : [],
      newColumns: config.newColumns,
      postLoadSql: config.postLoadSql,
    };
    return [{ op: 'loadPostgres', query: selectAll(input), columns: inputColumns.input ?? [], target }];
  },
  replacesContents: ({ mode }) =>
    mode === 'replace' || mode === 'delete-insert'
      ? `loads in ${mode} mode, which would replace the rows it loaded before with just the reprocessed ones; switch it to append or upsert to reprocess`
      : null,
});

/** Keys match batch rows to table rows (a join); partition and compare columns choose which rows change (a filter). */
function columnUses(config: PostgresSinkConfig): ColumnUse[] {
  const uses: ColumnUse[] = [];
  if ((keyedModes as readonly string[]).includes(config.mode)) for (const column of config.keys) uses.push({ port: 'input', column, how: 'join' });
  if (config.mode === 'delete-insert') for (const column of config.partitionColumns) uses.push({ port: 'input', column, how: 'filter' });
  if (config.mode === 'scd1' || config.mode === 'scd2') for (const column of config.compareColumns) uses.push({ port: 'input', column, how: 'filter' });
  return uses;
}

function checkColumns(config: PostgresSinkConfig, columns: Column[]): NodeIssue[] {
  const issues: NodeIssue[] = [];
  const known = new Set(columns.map((c) => c.name));
  const listed = (key: 'keys' | 'partitionColumns' | 'compareColumns') => {
    config[key].forEach((column, i) => {
      if (!known.has(column)) issues.push(unknownColumnIssue(column, columns, [key, i]));
    });
  };
  if ((keyedModes as readonly string[]).includes(config.mode)) listed('keys');
  if (config.mode === 'delete-insert') listed('partitionColumns');
  if (config.mode === 'scd1' || config.mode === 'scd2') {
    listed('compareColumns');
    config.compareColumns.forEach((column, i) => {
      if (config.keys.includes(column)) issues.push({ code: 'INVALID_CONFIG', severity: 'warning', path: ['compareColumns', i], message: `"${column}" is a key column; it never changes within a key` });
    });
  }
  for (const column of columns) {
    if (identifierBytes(column.name) > MAX_IDENTIFIER_BYTES) {
      issues.push({ code: 'INVALID_VALUE', path: [], message: `Column "${column.name}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte limit for names; rename it before this node` });
    }
    if (config.mode === 'scd2' && SCD2_BOOKKEEPING.includes(column.name)) {
      issues.push({ code: 'INVALID_VALUE', path: ['mode'], message: `The input has a column "${column.name}", which SCD2 keeps for its own history; rename it before this node` });
    }
  }
  return issues;
}
