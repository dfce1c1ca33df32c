import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { explainPlan } from '../../compiler/explain';
import { loadTestHooks, type LoadIdentity } from '../../connectors/load';
import { mysqlCreateTable, mysqlLoadData, mysqlUpsert } from '../../connectors/mysql/load';
import { executePlan, type StageEvent } from '../../engine/execute';
import { AppError } from '../../errors';
import { testConnections, testMysql, uniqueName } from '../../testing/destinations';
import type { Row } from '../../testing/node-harness';
import { table as tableRef } from '../../sql/ast';
import { FORMAT_VERSION, type VisualPipeline } from '../model';
import type { Column } from '../types';
import { mysqlSink, MysqlSinkConfig } from './mysql-sink';

const columns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'flag', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
];

describe('mysql-sink config and propagation', () => {
  it('defaults to append and requires keys for upsert', () => {
    expect(MysqlSinkConfig.parse({ connectionId: 'c', table: 't' })).toEqual({ connectionId: 'c', table: 't', mode: 'append', keys: [] });
    const result = MysqlSinkConfig.safeParse({ connectionId: 'c', table: 't', mode: 'upsert' });
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([[['keys'], 'Pick the key columns that identify a row (upsert matches rows by key)']]);
    expect(MysqlSinkConfig.safeParse({ connectionId: 'c', table: 't', mode: 'scd2' }).success).toBe(false);
  });

  it('has no outputs; keys are joins; unknown keys are named', () => {
    const result = mysqlSink.propagate({ config: MysqlSinkConfig.parse({ connectionId: 'c', table: 't', mode: 'upsert', keys: ['id', 'nme'] }), inputs: { input: columns } });
    expect(result.outputs).toEqual({});
    expect(result.uses).toEqual([
      { port: 'input', column: 'id', how: 'join' },
      { port: 'input', column: 'nme', how: 'join' },
    ]);
    expect(result.issues?.map((i) => i.message)).toEqual(['Column "nme" does not exist in the input; did you mean "name"? (available: id, name, amount, flag, at)']);
  });

  it('plans one loadMysql op and the SQL it leads to', () => {
    const [op] = mysqlSink.plan({
      nodeId: 'sink',
      config: MysqlSinkConfig.parse({ connectionId: 'shop', table: 'orders', mode: 'upsert', keys: ['id', 'name'] }),
      inputs: { input: tableRef('s0_output') },
      inputColumns: { input: columns },
      outputTable: () => 'never',
    });
    expect(op).toMatchObject({ op: 'loadMysql', target: { connectionId: 'shop', schema: '', table: 'orders', mode: 'upsert', keys: ['id', 'name'] } });
    expect(mysqlCreateTable('orders', columns, ['id', 'name'])).toBe(
      'CREATE TABLE `orders` (`id` BIGINT, `name` VARCHAR(255), `amount` DOUBLE, `flag` BOOLEAN, `at` DATETIME(6), PRIMARY KEY (`id`, `name`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
    expect(mysqlLoadData('odd`name', columns)).toBe(
      "LOAD DATA LOCAL INFILE 'batch.csv' INTO TABLE `odd``name` CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '\\n' (`id`, `name`, `amount`, `flag`, `at`)",
    );
    expect(mysqlUpsert('orders', columns, ['id'])).toBe(
      'INSERT INTO `orders` (`id`, `name`, `amount`, `flag`, `at`) SELECT `id`, `name`, `amount`, `flag`, `at` FROM `sluice_staging` ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `amount` = VALUES(`amount`), `flag` = VALUES(`flag`), `at` = VALUES(`at`)',
    );
  });
});

function document(config: Record<string, unknown>, csvPath: string): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: csvPath, delimiter: ',', quote: '"', escape: '"', header: true, columns } },
      { id: 'sink', kind: 'mysql-sink', version: 1, position: { x: 200, y: 0 }, config },
    ],
    edges: [{ id: 'e', source: { node: 'src', port: 'output' }, target: { node: 'sink', port: 'input' } }],
  };
}

function csvText(rows: Row[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : `"${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/"/g, '""')}"`);
  return [columns.map((c) => c.name).join(','), ...rows.map((r) => columns.map((c) => cell(r[c.name])).join(','))].join('\n') + '\n';
}

describe('mysql-sink on real MariaDB through the engine', () => {
  const prefix = uniqueName('sluice_sink');
  const tables: string[] = [];
  let conn: Connection;
  let root: string;
  let runs = 0;
  beforeAll(async () => {
    conn = await mysql.createConnection({ host: testMysql.host, port: testMysql.port, user: testMysql.user, database: testMysql.database, charset: 'utf8mb4', dateStrings: true });
    root = await mkdtemp(path.join(tmpdir(), 'sluice-mysql-sink-'));
  });
  afterAll(async () => {
    for (const t of tables) await conn.query(`DROP TABLE IF EXISTS ${mysql.escapeId(t)}`);
    await conn.query('DELETE FROM sluice_load_ledger WHERE run_id LIKE ?', [`${prefix}%`]).catch(() => undefined);
    await conn.end();
    await rm(root, { recursive: true, force: true });
  });
  const name = (t: string) => {
    tables.push(`${prefix}_${t}`);
    return `${prefix}_${t}`;
  };

  async function runPipeline(config: Record<string, unknown>, rows: Row[], identity: LoadIdentity = { runId: `${prefix}-run-${++runs}`, pipelineId: 'p1', attempt: 1 }) {
    const file = `in-${++runs}.csv`;
    await writeFile(path.join(root, file), csvText(rows));
    const compiled = compile(document({ connectionId: 'test-mysql', ...config }, file));
    if (!compiled.plan) throw new Error(JSON.stringify(compiled.diagnostics));
    const events: StageEvent[] = [];
    await executePlan(compiled.plan, { workspaceRoot: root, tempDir: path.join(root, `.tmp-${runs}`), connections: testConnections, load: identity, onStage: (e) => void events.push(e) });
    return { sinkEvent: events.find((e) => e.stageId === 'sink' && e.status !== 'running'), identity };
  }
  const rowsOf = async (t: string): Promise<Record<string, unknown>[]> => (await conn.query<RowDataPacket[]>(`SELECT * FROM ${mysql.escapeId(t)} ORDER BY id`))[0].map((r) => ({ ...r }));

  const first: Row[] = [
    { id: 1, name: 'Zoë 😀', amount: 1.5, flag: true, at: '2024-03-31 01:30:00.123456' },
    { id: 2, name: 'NULL', amount: null, flag: false, at: null },
    { id: 3, name: null, amount: -2, flag: null, at: '1999-12-31 23:59:59' },
    { id: 4, name: 'a "quoted",\nback\\slash', amount: 0.1, flag: true, at: '2024-01-01 00:00:00' },
  ];

  it('appends exactly (NULL vs the text "NULL", unicode, quotes, newlines, backslashes, booleans, microseconds) and a retry loads nothing again', async () => {
    const t = name('appended');
    const { sinkEvent, identity } = await runPipeline({ table: t }, first);
    expect(sinkEvent).toMatchObject({ status: 'succeeded', rowsOut: 4 });
    const expected = [
      { id: 1, name: 'Zoë 😀', amount: 1.5, flag: 1, at: '2024-03-31 01:30:00.123456' },
      { id: 2, name: 'NULL', amount: null, flag: 0, at: null },
      { id: 3, name: null, amount: -2, flag: null, at: '1999-12-31 23:59:59.000000' },
      { id: 4, name: 'a "quoted",\nback\\slash', amount: 0.1, flag: 1, at: '2024-01-01 00:00:00.000000' },
    ];
    expect(await rowsOf(t)).toEqual(expected);
    const retry = await runPipeline({ table: t }, first, { ...identity, attempt: 2 });
    expect(retry.sinkEvent).toMatchObject({ status: 'succeeded', rowsOut: 4 });
    expect(await rowsOf(t)).toEqual(expected);
    const [ledger] = await conn.query<RowDataPacket[]>('SELECT pipeline_id, attempt, target, `rows` FROM sluice_load_ledger WHERE run_id = ? AND node_id = ?', [identity.runId, 'sink']);
    expect(ledger).toEqual([{ pipeline_id: 'p1', attempt: 1, target: t, rows: 4 }]);
  });

  it('upserts by key: new values overwrite, NULLs included; new keys are inserted', async () => {
    const t = name('upserted');
    await runPipeline({ table: t, mode: 'upsert', keys: ['id'] }, first);
    await runPipeline({ table: t, mode: 'upsert', keys: ['id'] }, [
      { id: 2, name: 'two', amount: 2, flag: true, at: '2024-06-01 00:00:00' },
      { id: 3, name: null, amount: null, flag: null, at: null },
      { id: 5, name: 'five', amount: 5, flag: false, at: null },
    ]);
    expect((await rowsOf(t)).map((r) => [r.id, r.name, r.amount])).toEqual([
      [1, 'Zoë 😀', 1.5],
      [2, 'two', 2],
      [3, null, null],
      [4, 'a "quoted",\nback\\slash', 0.1],
      [5, 'five', 5],
    ]);
  });

  it('refuses a repeated key, a table without the columns, and a table without a unique key, loading nothing', async () => {
    const dupes = name('dupes');
    const error = await runPipeline({ table: dupes, mode: 'upsert', keys: ['id'] }, [...first, { id: 1, name: 'again', amount: 0, flag: true, at: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DESTINATION_DUPLICATE_KEY', message: expect.stringMatching(/^Key \(id=1\) occurs 2 times/) as unknown });

    const narrow = name('narrow');
    await conn.query(`CREATE TABLE ${mysql.escapeId(narrow)} (id BIGINT PRIMARY KEY, name TEXT)`);
    await expect(runPipeline({ table: narrow }, first)).rejects.toMatchObject({
      code: 'DESTINATION_SCHEMA_MISMATCH',
      message: `\`test\`.\`${narrow}\` has no column "amount", "flag", "at"; add it to the table first`,
    });

    const unkeyed = name('unkeyed');
    await conn.query(`CREATE TABLE ${mysql.escapeId(unkeyed)} (id BIGINT, name TEXT, amount DOUBLE, flag BOOLEAN, at DATETIME(6))`);
    await expect(runPipeline({ table: unkeyed, mode: 'upsert', keys: ['id'] }, first)).rejects.toMatchObject({ code: 'DESTINATION_SCHEMA_MISMATCH' });
    expect(await rowsOf(unkeyed)).toEqual([]);
  });

  it('loads the rows a fused cast keeps and hands on the ones it rejects, before MariaDB has finished loading (they run beside LOAD DATA)', async () => {
    const t = name('cast');
    await writeFile(path.join(root, 'quantities.csv'), 'id,qty\n1,2\n2,two\n3,4\n');
    const doc: VisualPipeline = {
      formatVersion: FORMAT_VERSION,
      nodes: [
        { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: 'quantities.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns: [{ name: 'id', type: 'integer' }, { name: 'qty', type: 'string' }] } },
        { id: 'typed', kind: 'cast-columns', version: 1, position: { x: 0, y: 0 }, config: { casts: [{ column: 'qty', to: 'integer' }], onError: 'reject' } },
        { id: 'sink', kind: 'mysql-sink', version: 1, position: { x: 0, y: 0 }, config: { connectionId: 'test-mysql', table: t } },
      ],
      edges: [
        { id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'typed', port: 'input' } },
        { id: 'e2', source: { node: 'typed', port: 'output' }, target: { node: 'sink', port: 'input' } },
      ],
    };
    const plan = compile(doc).plan;
    if (!plan) throw new Error('no plan');
    expect(plan.stages.map((s) => s.nodeIds)).toEqual([['src'], ['typed', 'sink']]);
    const rejected: unknown[] = [];
    let rejectedWhenCopied: number | undefined;
    loadTestHooks.onCheckpoint = (checkpoint) => {
      if (checkpoint === 'after-copy') rejectedWhenCopied = rejected.length;
    };
    try {
      const result = await executePlan(plan, {
        workspaceRoot: root,
        tempDir: path.join(root, '.tmp-cast'),
        connections: testConnections,
        load: { runId: `${prefix}-cast`, pipelineId: 'p1', attempt: 1 },
        onRejects: (batch) => void rejected.push(...batch.rows.map((r) => r.row)),
      });
      expect(result).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    } finally {
      delete loadTestHooks.onCheckpoint;
    }
    expect(rejected).toEqual([{ id: 2, qty: 'two' }]);
    expect(rejectedWhenCopied).toBe(1);
    expect(await rowsOf(t)).toEqual([
      { id: 1, qty: 2 },
      { id: 3, qty: 4 },
    ]);
  });

  it('is explained as the load it performs', () => {
    const plan = compile(document({ connectionId: 'shop', table: 'orders' }, 'x.csv')).plan;
    expect(plan && explainPlan(plan)[1]?.steps[0]?.sql).toBe('-- append into "orders" (connection shop), exactly once per run:\nSELECT * FROM "s0_output"');
  });
});
