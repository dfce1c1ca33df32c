import { z } from 'zod';
import { selectAll } from '../../sql/ast';
import type { DatabaseLoadTarget } from '../../sql/ops';
import { defineNode, unknownColumnIssue, type NodeIssue } from '../define-node';

export const MysqlSinkConfig = z
  .object({
    connectionId: z.string().trim().min(1, 'Enter the id of a MySQL connection'),
    table: z
      .string()
      .trim()
      .min(1, 'Enter the table name')
      .max(64, 'A MySQL table name is at most 64 characters long')
      .refine((t) => t !== 'sluice_load_ledger', "This table name is reserved for Sluice's load ledger"),
    mode: z.enum(['append', 'upsert']).default('append'),
    keys: z.array(z.string().min(1)).default([]),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'upsert' && c.keys.length === 0) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'Pick the key columns that identify a row (upsert matches rows by key)' });
  });
export type MysqlSinkConfig = z.infer<typeof MysqlSinkConfig>;

export const mysqlSink = defineNode({
  kind: 'mysql-sink',
  version: 1,
  category: 'destination',
  label: 'MySQL table',
  icon: '⛃',
  description:
    "Loads its input into a MySQL or MariaDB table in the connection's database, once per run: the rows and a row in the database's sluice_load_ledger table commit in one transaction, so a retried run never loads twice. Every input column is written to the column of the same name; a missing table is created from the input's columns (with a primary key on the key columns for upsert), and an existing one must have them all. Upsert inserts new keys and overwrites existing ones (the table needs a primary key or unique index on exactly the key columns) and fails when a key is NULL or repeats in the batch.",
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [] },
  config: MysqlSinkConfig,
  initialConfig: { connectionId: '', table: '', mode: 'append', keys: [] },
  fields: [
    { key: 'connectionId', widget: 'text', label: 'Connection', help: 'Id of a stored MySQL / MariaDB connection.', placeholder: 'connection id' },
    { key: 'table', widget: 'text', label: 'Table', help: 'Created from the input columns when it does not exist.' },
    {
      key: 'mode',
      widget: 'select',
      label: 'Mode',
      options: [
        { value: 'append', label: 'append rows' },
        { value: 'upsert', label: 'upsert by key' },
      ],
    },
    { key: 'keys', widget: 'columnList', label: 'Key columns', help: 'Upsert: the columns that identify a row.', port: 'input' },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const known = new Set(columns.map((c) => c.name));
    const issues: NodeIssue[] = [];
    const keys = config.mode === 'upsert' ? config.keys : [];
    keys.forEach((key, i) => {
      if (!known.has(key)) issues.push(unknownColumnIssue(key, columns, ['keys', i]));
    });
    for (const c of columns) {
      if (c.name.length > 64) issues.push({ code: 'INVALID_VALUE', path: [], message: `Column "${c.name}" is longer than MySQL's 64-character limit for names; rename it before this node` });
    }
    return { outputs: {}, lineage: {}, uses: keys.map((column) => ({ port: 'input', column, how: 'join' as const })), issues };
  },
  plan: ({ config, inputs, inputColumns }) => {
    const input = inputs.input;
    if (!input) throw new Error('mysql-sink planned without an input');
    const target: DatabaseLoadTarget = {
      connectionId: config.connectionId,
      // The connection's database.
      schema: '',
      table: config.table,
      mode: config.mode,
      keys: config.mode === 'upsert' ? config.keys : [],
      partitionColumns: [],
      compareColumns: [],
      newColumns: 'fail',
      postLoadSql: '',
    };
    return [{ op: 'loadMysql', query: selectAll(input), columns: inputColumns.input ?? [], target }];
  },
});
