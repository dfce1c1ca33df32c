import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { explainPlan } from '../../compiler/explain';
import type { LoadIdentity } from '../../connectors/load';
import { ident, qualified } from '../../connectors/postgres/statements';
import { analyzePipeline } from '../../engine/analyze';
import { executePlan, type StageEvent } from '../../engine/execute';
import { AppError } from '../../errors';
import { openTestPostgres, testConnections, uniqueName } from '../../testing/destinations';
import { normalizeRows, type Row } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { table } from '../../sql/ast';
import { FORMAT_VERSION, type VisualPipeline } from '../model';
import type { Column } from '../types';
import { postgresSink, PostgresSinkConfig } from './postgres-sink';

const columns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'region', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'at', type: 'timestamp' },
];

function issues(config: unknown) {
  const result = PostgresSinkConfig.safeParse(config);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('postgres-sink config', () => {
  it('fills defaults: public schema, append, add new columns, no post-load SQL', () => {
    expect(PostgresSinkConfig.parse({ connectionId: 'c1', table: 'orders' })).toEqual({
      connectionId: 'c1',
      schema: 'public',
      table: 'orders',
      mode: 'append',
      keys: [],
      partitionColumns: [],
      compareColumns: [],
      newColumns: 'add',
      postLoadSql: '',
    });
  });

  it('asks for the connection and table of a freshly dropped node', () => {
    expect(issues(postgresSink.initialConfig)).toEqual([
      { path: ['connectionId'], message: 'Enter the id of a PostgreSQL connection' },
      { path: ['table'], message: 'Enter the table name' },
    ]);
  });

  it('requires keys for keyed modes and partition columns for delete-insert', () => {
    for (const mode of ['upsert', 'scd1', 'scd2']) {
      expect(issues({ connectionId: 'c', table: 't', mode })).toEqual([{ path: ['keys'], message: `Pick the key columns that identify a row (${mode} matches rows by key)` }]);
    }
    expect(issues({ connectionId: 'c', table: 't', mode: 'delete-insert' })).toEqual([{ path: ['partitionColumns'], message: 'Pick the partition columns whose values the batch replaces' }]);
  });

  it('refuses names PostgreSQL would truncate (63 bytes, counted in UTF-8) and the ledger tables', () => {
    expect(issues({ connectionId: 'c', table: 'é'.repeat(32) })).toEqual([{ path: ['table'], message: 'A PostgreSQL table name is at most 63 bytes long' }]);
    expect(issues({ connectionId: 'c', table: 'é'.repeat(31) })).toEqual([]);
    expect(issues({ connectionId: 'c', table: 'sluice_load_ledger' })).toEqual([{ path: ['table'], message: "This table name is reserved for Sluice's load ledger" }]);
    expect(issues({ connectionId: 'c', table: 't', schema: '' }).map((i) => i.path)).toEqual([['schema']]);
  });

  it('rejects an unknown mode or new-column policy', () => {
    expect(issues({ connectionId: 'c', table: 't', mode: 'merge', newColumns: 'widen' }).map((i) => i.path)).toEqual([['mode'], ['newColumns']]);
  });
});

describe('postgres-sink propagate', () => {
  const propagate = (config: Record<string, unknown>, input: Column[] = columns) => postgresSink.propagate({ config: PostgresSinkConfig.parse({ connectionId: 'c', table: 't', ...config }), inputs: { input } });

  it('has no outputs; written columns are every input column under its own name; keys are joins, partitions and compared columns filters', () => {
    expect(propagate({ mode: 'scd2', keys: ['id'], compareColumns: ['amount'] })).toEqual({
      outputs: {},
      lineage: {},
      uses: [
        { port: 'input', column: 'id', how: 'join' },
        { port: 'input', column: 'amount', how: 'filter' },
      ],
      issues: [],
    });
    expect(propagate({ mode: 'delete-insert', partitionColumns: ['region'], keys: ['id'] }).uses).toEqual([{ port: 'input', column: 'region', how: 'filter' }]);
    expect(propagate({}).uses).toEqual([]);
  });

  it('names unknown key, partition and compare columns with a suggestion', () => {
    expect(propagate({ mode: 'upsert', keys: ['ID', 'id'] }).issues).toEqual([
      { code: 'UNKNOWN_COLUMN', path: ['keys', 0], message: 'Column "ID" does not exist in the input; did you mean "id"? (available: id, region, amount, at)' },
    ]);
    expect(propagate({ mode: 'delete-insert', partitionColumns: ['regoin'] }).issues?.map((i) => i.message)).toEqual([
      'Column "regoin" does not exist in the input; did you mean "region"? (available: id, region, amount, at)',
    ]);
    expect(propagate({ mode: 'scd1', keys: ['id'], compareColumns: ['id'] }).issues).toEqual([
      { code: 'INVALID_CONFIG', severity: 'warning', path: ['compareColumns', 0], message: '"id" is a key column; it never changes within a key' },
    ]);
  });

  it('refuses column names PostgreSQL would truncate, and SCD2 bookkeeping names in the input', () => {
    const long = 'x'.repeat(64);
    expect(propagate({ mode: 'scd2', keys: ['id'] }, [...columns, { name: long, type: 'string' }, { name: 'is_current', type: 'boolean' }]).issues).toEqual([
      { code: 'INVALID_VALUE', path: [], message: `Column "${long}" is longer than PostgreSQL's 63-byte limit for names; rename it before this node` },
      { code: 'INVALID_VALUE', path: ['mode'], message: 'The input has a column "is_current", which SCD2 keeps for its own history; rename it before this node' },
    ]);
  });
});

describe('postgres-sink plan', () => {
  it('plans one loadPostgres op reading the whole input, keeping only the settings the mode uses', () => {
    const ops = postgresSink.plan({
      nodeId: 'sink',
      config: PostgresSinkConfig.parse({ connectionId: 'warehouse', schema: 'sales', table: 'orders', mode: 'upsert', keys: ['id'], partitionColumns: ['region'], compareColumns: ['amount'], postLoadSql: 'ANALYZE sales.orders' }),
      inputs: { input: table('s0_output') },
      inputColumns: { input: columns },
      outputTable: () => {
        throw new Error('a sink has no output tables');
      },
    });
    expect(ops).toMatchInlineSnapshot(`
      [
        {
          "columns": [
            {
              "name": "id",
              "type": "integer",
            },
            {
              "name": "region",
              "type": "string",
            },
            {
              "name": "amount",
              "type": "float",
            },
            {
              "name": "at",
              "type": "timestamp",
            },
          ],
          "op": "loadPostgres",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": "*",
            "t": "select",
          },
          "target": {
            "compareColumns": [],
            "connectionId": "warehouse",
            "keys": [
              "id",
            ],
            "mode": "upsert",
            "newColumns": "add",
            "partitionColumns": [],
            "postLoadSql": "ANALYZE sales.orders",
            "schema": "sales",
            "table": "orders",
          },
        },
      ]
    `);
  });

  it('is explained as the load it performs', () => {
    const doc = document({ connectionId: 'warehouse', schema: 'sales', table: 'orders', mode: 'delete-insert', partitionColumns: ['region'] }, 'in.csv');
    const plan = compile(doc).plan;
    if (!plan) throw new Error('does not compile');
    expect(explainPlan(plan)[1]?.steps).toEqual([
      { op: 'loadPostgres', sql: '-- delete-insert into "sales"."orders" by region (connection warehouse), exactly once per run:\nSELECT * FROM "s0_output"', params: [] },
    ]);
  });
});

function document(config: Record<string, unknown>, csvPath: string): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: csvPath, delimiter: ',', quote: '"', escape: '"', header: true, columns } },
      { id: 'sink', kind: 'postgres-sink', version: 1, position: { x: 200, y: 0 }, config },
    ],
    edges: [{ id: 'e', source: { node: 'src', port: 'output' }, target: { node: 'sink', port: 'input' } }],
  };
}

/** CSV text by hand: every non-NULL value quoted, NULL as an empty field. */
function csvText(rows: Row[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : `"${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/"/g, '""')}"`);
  return [columns.map((c) => c.name).join(','), ...rows.map((r) => columns.map((c) => cell(r[c.name])).join(','))].join('\n') + '\n';
}

describe('postgres-sink on real PostgreSQL through the engine', () => {
  const schema = uniqueName('sluice_sink_test');
  let client: pg.Client;
  let root: string;
  let runs = 0;
  beforeAll(async () => {
    client = await openTestPostgres();
    root = await mkdtemp(path.join(tmpdir(), 'sluice-pg-sink-'));
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    await client.end();
    await rm(root, { recursive: true, force: true });
  });

  async function runPipeline(config: Record<string, unknown>, rows: Row[], identity: LoadIdentity = { runId: `run-${++runs}`, pipelineId: 'p1', attempt: 1 }) {
    const file = `in-${++runs}.csv`;
    await writeFile(path.join(root, file), csvText(rows));
    const compiled = await analyzePipeline(document({ connectionId: 'test-postgres', schema, ...config }, file), { tempDir: path.join(root, `.analyze-${runs}`) });
    if (!compiled.plan) throw new Error(JSON.stringify(compiled.diagnostics));
    const events: StageEvent[] = [];
    const result = await executePlan(compiled.plan, { workspaceRoot: root, tempDir: path.join(root, `.tmp-${runs}`), connections: testConnections, load: identity, onStage: (e) => void events.push(e) });
    return { result, sinkEvent: events.find((e) => e.stageId === 'sink' && e.status !== 'running'), identity };
  }

  const tableRows = async (name: string) =>
    normalizeRows((await client.query<Row>(`SELECT id, region, amount, at FROM ${qualified(schema, name)}`)).rows, { sort: true });

  const first: Row[] = [
    { id: 1, region: 'north', amount: 1.5, at: '2024-03-31 01:30:00' },
    { id: 2, region: 'Zürich 😀', amount: null, at: null },
    { id: 3, region: null, amount: -2, at: '1999-12-31 23:59:59.5' },
    { id: 4, region: 'south', amount: 0.1, at: '2024-01-01 00:00:00' },
  ];
  const second: Row[] = [
    { id: 2, region: 'Zürich 😀', amount: 20, at: '2024-06-01 12:00:00' },
    { id: 3, region: null, amount: null, at: null },
    { id: 5, region: 'a "quoted", region', amount: 5, at: '2024-02-29 00:00:00' },
  ];

  it('appends, reports the rows to the stage event and the run, and a retry of the run loads nothing again', async () => {
    const { result, sinkEvent, identity } = await runPipeline({ table: 'appended' }, first);
    expect(sinkEvent).toMatchObject({ status: 'succeeded', rowsIn: 4, rowsOut: 4 });
    expect(result.rowsWritten).toBe(4);
    const retry = await runPipeline({ table: 'appended' }, [...first, ...second], { ...identity, attempt: 2 });
    expect(retry.sinkEvent).toMatchObject({ status: 'succeeded', rowsOut: 4 });
    expect(await tableRows('appended')).toEqual(normalizeRows(first, { sort: true }));
  });

  it('an empty input creates the table and loads no rows', async () => {
    const { sinkEvent } = await runPipeline({ table: 'empty' }, []);
    expect(sinkEvent).toMatchObject({ status: 'succeeded', rowsOut: 0 });
    expect(await tableRows('empty')).toEqual([]);
  });

  it('upsert matches an independent PostgreSQL oracle (NULLs, unicode, timestamps)', async () => {
    await runPipeline({ table: 'upserted', mode: 'upsert', keys: ['id'] }, first);
    await runPipeline({ table: 'upserted', mode: 'upsert', keys: ['id'] }, second);
    const oracle = await postgresRows(
      { a: { columns, rows: first }, b: { columns, rows: second } },
      'SELECT * FROM b UNION ALL SELECT * FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.id = a.id)',
    );
    expect(await tableRows('upserted')).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('delete-insert matches an independent PostgreSQL oracle, the NULL partition included', async () => {
    await runPipeline({ table: 'partitioned', mode: 'delete-insert', partitionColumns: ['region'] }, first);
    await runPipeline({ table: 'partitioned', mode: 'delete-insert', partitionColumns: ['region'] }, second);
    const oracle = await postgresRows(
      { a: { columns, rows: first }, b: { columns, rows: second } },
      'SELECT * FROM b UNION ALL SELECT * FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.region IS NOT DISTINCT FROM a.region)',
    );
    expect(await tableRows('partitioned')).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('a duplicate key fails the stage with a typed error naming the node, and loads nothing', async () => {
    const error = await runPipeline({ table: 'duplicated', mode: 'scd2', keys: ['region'] }, [...first, { id: 9, region: 'north', amount: 9, at: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DESTINATION_DUPLICATE_KEY', details: { nodeId: 'sink' } });
    expect((await client.query('SELECT to_regclass($1) AS t', [qualified(schema, 'duplicated')])).rows).toEqual([{ t: null }]);
  });

  it('a run without connections fails with a clear message', async () => {
    const file = 'none.csv';
    await writeFile(path.join(root, file), csvText(first));
    const plan = compile(document({ connectionId: 'test-postgres', schema, table: 'never' }, file)).plan;
    if (!plan) throw new Error('does not compile');
    await expect(executePlan(plan, { workspaceRoot: root, tempDir: path.join(root, '.tmp-none') })).rejects.toMatchObject({
      code: 'DESTINATION_CONNECTION_INVALID',
      message: 'This run has no database connections configured, so connection "test-postgres" cannot be used',
    });
  });
});
