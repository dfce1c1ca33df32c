import { describe, expect, it } from 'vitest';
import { compileDocument } from '../../compiler/compile';
import { explainPlan } from '../../compiler/explain';
import { FORMAT_VERSION, type VisualPipeline } from '../model';
import { getNodeDefinition } from '../registry';
import { DatabaseSourceConfig, EXTRACT_BATCH_ROWS } from './database-source';
import { mysqlSource } from './mysql-source';
import { postgresSource } from './postgres-source';
import { sqliteSource } from './sqlite-source';

const connectionId = '3b241101-e2bb-4255-8caf-4136c566a962';
const columns = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
] as const;
const valid = { connectionId, schema: 'public', table: 'orders', columns: [...columns] };

function issues(config: unknown) {
  const result = DatabaseSourceConfig.safeParse(config);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('database source config', () => {
  it('accepts a table with its columns, filling in the defaults', () => {
    expect(DatabaseSourceConfig.parse(valid)).toEqual({ ...valid, mode: 'table', query: '', incrementalColumn: '' });
  });

  it.each([
    ['no connection', { ...valid, connectionId: '' }, ['connectionId'], /Choose a connection/],
    ['a connection id that is not one', { ...valid, connectionId: "x' OR 1=1" }, ['connectionId'], /Choose a connection/],
    ['table mode without a table', { ...valid, table: ' ' }, ['table'], /Pick a table/],
    ['query mode without a query', { ...valid, mode: 'query', query: '' }, ['query'], /Write a SELECT query/],
    ['no columns', { ...valid, columns: [] }, ['columns'], /declare the columns your query returns/],
    ['a column of an unknown type', { ...valid, columns: [{ name: 'a', type: 'money' }] }, ['columns', 0, 'type'], /expected one of/],
    ['an unknown mode', { ...valid, mode: 'both' }, ['mode'], /expected one of/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('rejects two columns whose names differ only in case', () => {
    expect(issues({ ...valid, columns: [...columns, { name: 'ID', type: 'integer' }] })).toEqual([{ path: ['columns', 3, 'name'], message: 'Column "ID" is declared twice (names are case-insensitive)' }]);
  });

  it('starts incomplete: the compiler asks for a connection and columns', () => {
    expect(issues(postgresSource.initialConfig).map((i) => i.path)).toEqual([['connectionId'], ['columns'], ['table']]);
  });
});

describe('database source propagate', () => {
  const propagate = (config: unknown) => postgresSource.propagate({ config: DatabaseSourceConfig.parse(config), inputs: {} });

  it('outputs the declared columns in order, each read from the database', () => {
    const result = propagate(valid);
    expect(result.outputs).toEqual({ output: columns });
    expect(result.lineage.output).toEqual({ id: { from: [], how: 'read' }, customer: { from: [], how: 'read' }, updated_at: { from: [], how: 'read' } });
    expect(result.issues).toEqual([]);
  });

  it('requires the incremental column to be declared, suggesting the nearest name', () => {
    expect(propagate({ ...valid, incrementalColumn: 'updated' }).issues).toEqual([
      { code: 'UNKNOWN_COLUMN', path: ['incrementalColumn'], message: 'Column "updated" does not exist in the input; did you mean "updated_at"? (available: id, customer, updated_at)' },
    ]);
  });

  it('refuses a string or boolean incremental column, whose order the database and DuckDB may disagree on', () => {
    expect(propagate({ ...valid, incrementalColumn: 'customer' }).issues).toEqual([
      { code: 'INVALID_VALUE', path: ['incrementalColumn'], message: 'The incremental column must be a number, date or timestamp; "customer" is a string' },
    ]);
    expect(propagate({ ...valid, incrementalColumn: 'id' }).issues).toEqual([]);
  });
});

describe('database source plan', () => {
  const plan = (config: unknown, def = postgresSource) => def.plan({ nodeId: 'orders', config: DatabaseSourceConfig.parse(config), inputs: {}, inputColumns: {}, outputTable: (port) => `s0_${port}` });

  it('extracts a table through its connection into the output table', () => {
    expect(plan({ ...valid, incrementalColumn: 'updated_at' })).toMatchInlineSnapshot(`
      [
        {
          "batchRows": 5000,
          "columns": [
            {
              "name": "id",
              "type": "integer",
            },
            {
              "name": "customer",
              "type": "string",
            },
            {
              "name": "updated_at",
              "type": "timestamp",
            },
          ],
          "connectionId": "3b241101-e2bb-4255-8caf-4136c566a962",
          "connectionType": "postgres",
          "incrementalColumn": "updated_at",
          "nodeId": "orders",
          "op": "extract",
          "selection": {
            "schema": "public",
            "t": "table",
            "table": "orders",
          },
          "table": "s0_output",
        },
      ]
    `);
  });

  it('extracts a query in query mode, and each kind names its own connection type', () => {
    const ops = plan({ ...valid, mode: 'query', query: 'SELECT 1 AS id' }, mysqlSource);
    expect(ops).toEqual([expect.objectContaining({ op: 'extract', connectionType: 'mysql', selection: { t: 'query', sql: 'SELECT 1 AS id' }, batchRows: EXTRACT_BATCH_ROWS })]);
    expect(ops[0]).not.toHaveProperty('incrementalColumn');
    expect(plan(valid, sqliteSource)[0]).toMatchObject({ connectionType: 'sqlite' });
  });

  it('compiles in a pipeline and explains what it will read', () => {
    const doc: VisualPipeline = {
      formatVersion: FORMAT_VERSION,
      nodes: [
        { id: 'src', kind: 'postgres-source', version: 1, position: { x: 0, y: 0 }, config: { ...valid, incrementalColumn: 'updated_at' } },
        { id: 'out', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/orders.csv' } },
      ],
      edges: [{ id: 'e', source: { node: 'src', port: 'output' }, target: { node: 'out', port: 'input' } }],
    };
    const compiled = compileDocument(doc);
    expect(compiled.diagnostics).toEqual([]);
    if (!compiled.plan) throw new Error('no plan');
    expect(explainPlan(compiled.plan)[0]?.steps).toEqual([
      {
        op: 'extract',
        sql: `-- read id integer, customer string, updated_at timestamp from public.orders (postgres connection ${connectionId}), only rows where updated_at is above the last run's highest value into "s0_output"`,
        params: [],
      },
    ]);
  });
});

describe('database source declarations', () => {
  it.each([
    ['postgres-source', 'postgres'],
    ['mysql-source', 'mysql'],
    ['sqlite-source', 'sqlite'],
  ])('%s is registered as a source whose form fields name real config keys', (kind, type) => {
    const def = getNodeDefinition(kind);
    expect(def?.category).toBe('source');
    expect(def?.ports).toEqual({ inputs: [], outputs: [{ name: 'output', label: 'Rows' }] });
    const keys = Object.keys(DatabaseSourceConfig.parse(valid));
    for (const field of def?.fields ?? []) expect(keys).toContain(field.key);
    expect(def?.fields.find((f) => f.key === 'connectionId')).toMatchObject({ widget: 'connection', connectionType: type });
    expect(def?.fields.find((f) => f.key === 'table')).toMatchObject({ widget: 'tablePicker', connectionKey: 'connectionId' });
  });
});
