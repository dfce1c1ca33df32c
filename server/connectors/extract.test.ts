// Extraction against the real databases on this machine: PostgreSQL and
// MariaDB (each test creates and drops its own uniquely named objects) and
// SQLite files. Values are compared in DuckDB's text form, so "exact" means
// exactly: microseconds, every digit, NULL versus empty string, unicode.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckSession, type DuckSession } from '../engine/duckdb';
import type { Column } from '../pipeline/types';
import { quoteIdent } from '../sql/ast';
import type { ConnectionSettings } from './connection';
import { runExtract, type ExtractOp } from './extract';
import type { SourceWatermark } from './source';
import { sourceConnectors } from './sources';

const suffix = randomBytes(4).toString('hex');
const pgSettings: ConnectionSettings = { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' };
const mysqlSettings: ConnectionSettings = { type: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: '', ssl: 'disable' };

let root: string;
let session: DuckSession;
let tableCounter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-extract-'));
  session = await openDuckSession(path.join(root, '.tmp'), { allowedDirectories: [root] });
});
afterAll(async () => {
  session.close();
  await rm(root, { recursive: true, force: true });
});

interface Extracted {
  rows: Record<string, string | null>[];
  types: Record<string, string>;
  watermark: SourceWatermark | undefined;
}

/** Runs one extract op on a locked-down DuckDB session and reads the table back as text. */
async function extract(settings: ConnectionSettings, op: Partial<ExtractOp> & Pick<ExtractOp, 'selection' | 'columns'>, watermark?: SourceWatermark): Promise<Extracted> {
  const table = `t${tableCounter++}`;
  const full: ExtractOp = { op: 'extract', nodeId: 'src', table, connectionId: '00000000-0000-4000-8000-000000000000', connectionType: settings.type, batchRows: 2, ...op };
  const result = await runExtract(session.connection, full, { connections: () => Promise.resolve(settings), workspaceRoot: root, ...(watermark ? { watermark } : {}) });
  const reader = await session.connection.runAndReadAll(`SELECT ${full.columns.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR) AS ${quoteIdent(c.name)}`).join(', ')} FROM ${quoteIdent(table)}`);
  const described = await session.connection.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
  return {
    rows: reader.getRowObjectsJson() as Record<string, string | null>[],
    types: Object.fromEntries(described.getRows().map(([name, type]) => [String(name), String(type)])),
    watermark: result,
  };
}

const typedColumns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'amount', type: 'float' },
  { name: 'ratio', type: 'float' },
  { name: 'paid', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'timestamp' },
  { name: 'note', type: 'string' },
];

describe('PostgreSQL source', () => {
  const schema = `sluice_src_${suffix}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE DOMAIN ${schema}.money_amount AS numeric(20,6)`);
    await admin.query(`CREATE TABLE ${schema}.orders (
      id bigint, amount ${schema}.money_amount, ratio double precision, paid boolean, day date,
      at timestamptz, local_at timestamp(6), note text, "Mixed ""Case""" integer, tags text[], doc jsonb, id_u uuid)`);
    await admin.query(`INSERT INTO ${schema}.orders VALUES
      (9007199254740993, 12345678901234.123456, 0.1, true, '2024-02-29', '2024-01-02 03:04:05.123456+02', '2024-01-02 03:04:05.123456', 'émile 😀 "quoted", comma', 1, '{a,b}', '{"k": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, -0.000001, -1.7976931348623157e308, false, '0044-03-15 BC', '1970-01-01 00:00:00+00', 'infinity', '', -2147483648, '{}', 'null', NULL),
      (4, 0, 5e-324, true, '9999-12-31', '2024-06-30 23:59:59.999999+00', '2000-01-01', 'line1
line2	tab', 0, NULL, '"s"', NULL),
      (5, 1, 1, false, '2000-01-01', '2024-03-10 02:30:00-05', '2024-03-10 02:30:00', 'ü', 5, NULL, NULL, NULL)`);
    await admin.query(`CREATE VIEW ${schema}.paid_orders AS SELECT id, amount FROM ${schema}.orders WHERE paid`);
    await admin.query(`CREATE SEQUENCE ${schema}.counter`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('reads a table into the declared types exactly, across several batches', async () => {
    const { rows, types } = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns: typedColumns });
    expect(types).toEqual({ id: 'BIGINT', amount: 'DOUBLE', ratio: 'DOUBLE', paid: 'BOOLEAN', day: 'DATE', at: 'TIMESTAMP', note: 'VARCHAR' });
    expect(rows).toEqual([
      // timestamptz arrive in UTC: 03:04:05+02 is 01:04:05.
      { id: '9007199254740993', amount: '12345678901234.123', ratio: '0.1', paid: 'true', day: '2024-02-29', at: '2024-01-02 01:04:05.123456', note: 'émile 😀 "quoted", comma' },
      { id: '2', amount: null, ratio: null, paid: null, day: null, at: null, note: null },
      { id: '3', amount: '-1e-06', ratio: '-1.7976931348623157e+308', paid: 'false', day: '0044-03-15 (BC)', at: '1970-01-01 00:00:00', note: '' },
      { id: '4', amount: '0.0', ratio: '5e-324', paid: 'true', day: '9999-12-31', at: '2024-06-30 23:59:59.999999', note: 'line1\nline2\ttab' },
      { id: '5', amount: '1.0', ratio: '1.0', paid: 'false', day: '2000-01-01', at: '2024-03-10 07:30:00', note: 'ü' },
    ]);
  });

  it('keeps types without an exact counterpart as their PostgreSQL text, and reads quoted names', async () => {
    const { rows } = await extract(pgSettings, {
      selection: { t: 'table', schema, table: 'orders' },
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'local_at', type: 'timestamp' },
        { name: 'Mixed "Case"', type: 'integer' },
        { name: 'tags', type: 'string' },
        { name: 'doc', type: 'string' },
        { name: 'id_u', type: 'string' },
      ],
    });
    expect(rows[0]).toEqual({ id: '9007199254740993', local_at: '2024-01-02 03:04:05.123456', 'Mixed "Case"': '1', tags: '{a,b}', doc: '{"k": [1, 2]}', id_u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' });
    expect(rows[2]).toMatchObject({ local_at: 'infinity', 'Mixed "Case"': '-2147483648', tags: '{}', doc: 'null' });
  });

  it('reads the result of a query, with the declared columns in the declared order', async () => {
    const { rows } = await extract(pgSettings, {
      selection: { t: 'query', sql: `SELECT note, id * 2 AS doubled FROM ${schema}.orders WHERE id < 4 ORDER BY id;  ` },
      columns: [
        { name: 'doubled', type: 'integer' },
        { name: 'note', type: 'string' },
      ],
    });
    expect(rows).toEqual([
      { doubled: '4', note: null },
      { doubled: '6', note: '' },
    ]);
  });

  it('reads only rows above the watermark, bound as a parameter, and reports the new highest value', async () => {
    const columns: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'at', type: 'timestamp' },
    ];
    const first = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns, incrementalColumn: 'at' });
    expect(first.rows).toHaveLength(5);
    expect(first.watermark).toEqual({ column: 'at', type: 'timestamp', value: '2024-06-30 23:59:59.999999' });

    const second = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns, incrementalColumn: 'at' }, { column: 'at', type: 'timestamp', value: '2024-01-02 01:04:05.123456' });
    expect(second.rows.map((r) => r.id).sort()).toEqual(['4', '5']);
    expect(second.watermark?.value).toBe('2024-06-30 23:59:59.999999');

    // Nothing new: the old watermark stays.
    const none = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns, incrementalColumn: 'at' }, { column: 'at', type: 'timestamp', value: '2025-01-01 00:00:00' });
    expect(none.rows).toEqual([]);
    expect(none.watermark).toEqual({ column: 'at', type: 'timestamp', value: '2025-01-01 00:00:00' });

    // A value that looks like SQL stays a value.
    await expect(
      extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns, incrementalColumn: 'at' }, { column: 'at', type: 'timestamp', value: "2024-01-01'; DROP TABLE x; --" }),
    ).rejects.toThrow(/invalid input syntax for type timestamp/);
  });

  it('ignores a watermark stored for another column (reads everything)', async () => {
    const { rows } = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns: [{ name: 'id', type: 'integer' }], incrementalColumn: 'id' }, { column: 'at', type: 'timestamp', value: '2030-01-01' });
    expect(rows).toHaveLength(5);
  });

  it('fails naming the row, column and value that do not fit the declared type', async () => {
    await expect(extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns: [{ name: 'note', type: 'integer' }] })).rejects.toMatchObject({
      code: 'SOURCE_VALUE_INVALID',
      message: 'Row 1 of the source: column "note" holds "émile 😀 \\"quoted\\", comma", which is not a valid integer. Change the column\'s type (string keeps any value) or fix the data.',
      details: { nodeId: 'src', column: 'note', row: 1 },
    });
  });

  it('reports a missing column or table in the database’s words', async () => {
    await expect(extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns: [{ name: 'nope', type: 'string' }] })).rejects.toMatchObject({
      code: 'SOURCE_QUERY_FAILED',
      message: expect.stringContaining('column "nope" does not exist') as string,
    });
    await expect(extract(pgSettings, { selection: { t: 'table', schema, table: 'missing' }, columns: [{ name: 'id', type: 'string' }] })).rejects.toThrow(/relation ".*missing" does not exist/);
  });

  it('runs the user query read-only', async () => {
    await expect(
      extract(pgSettings, { selection: { t: 'query', sql: `SELECT nextval('${schema}.counter') AS one` }, columns: [{ name: 'one', type: 'integer' }] }),
    ).rejects.toThrow(/cannot execute nextval\(\) in a read-only transaction/);
    await expect(extract(pgSettings, { selection: { t: 'query', sql: `SELECT 1 AS one; DROP TABLE ${schema}.orders` }, columns: [{ name: 'one', type: 'integer' }] })).rejects.toThrow(/syntax error/);
    const { rows } = await extract(pgSettings, { selection: { t: 'table', schema, table: 'orders' }, columns: [{ name: 'id', type: 'integer' }] });
    expect(rows).toHaveLength(5);
  });

  it('refuses a connection of another type than the node reads', async () => {
    await expect(extract(mysqlSettings, { connectionType: 'postgres', selection: { t: 'table', schema, table: 'orders' }, columns: [{ name: 'id', type: 'integer' }] })).rejects.toThrow(
      /reads postgres databases, but the chosen connection is mysql/,
    );
  });

  it('streams a large table in bounded batches', async () => {
    await admin.query(`CREATE TABLE ${schema}.big AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 60000) g`);
    let batches = 0;
    let largest = 0;
    await sourceConnectors.postgres.extract(
      pgSettings,
      { selection: { t: 'table', schema, table: 'big' }, columns: ['id', 'h'], batchRows: 5000 },
      { workspaceRoot: root },
      (rows) => {
        batches++;
        largest = Math.max(largest, rows.length);
        return Promise.resolve();
      },
    );
    expect(batches).toBe(12);
    expect(largest).toBe(5000);
    const { rows } = await extract(pgSettings, { selection: { t: 'query', sql: `SELECT sum(id) AS s, count(*) AS n FROM ${schema}.big` }, columns: [{ name: 's', type: 'integer' }, { name: 'n', type: 'integer' }] });
    expect(rows).toEqual([{ s: String((60000 * 60001) / 2), n: '60000' }]);
  });

  it('discovers schemas, tables, views and columns with their Sluice types', async () => {
    const schemas = await sourceConnectors.postgres.discover(pgSettings, { workspaceRoot: root });
    const ours = schemas.find((s) => s.name === schema);
    expect(ours?.tables.filter((t) => t.name !== 'big').map((t) => [t.name, t.kind])).toEqual([
      ['orders', 'table'],
      ['paid_orders', 'view'],
    ]);
    expect(ours?.tables.find((t) => t.name === 'orders')?.columns.map((c) => [c.name, c.type, c.sourceType])).toEqual([
      ['id', 'integer', 'bigint'],
      ['amount', 'float', `${schema}.money_amount`],
      ['ratio', 'float', 'double precision'],
      ['paid', 'boolean', 'boolean'],
      ['day', 'date', 'date'],
      ['at', 'timestamp', 'timestamp with time zone'],
      ['local_at', 'timestamp', 'timestamp(6) without time zone'],
      ['note', 'string', 'text'],
      ['Mixed "Case"', 'integer', 'integer'],
      ['tags', 'string', 'text[]'],
      ['doc', 'string', 'jsonb'],
      ['id_u', 'string', 'uuid'],
    ]);
  });
});

describe('MySQL (MariaDB) source', () => {
  const table = `sluice_src_${suffix}`;
  let admin: mysql.Connection;

  beforeAll(async () => {
    admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', charset: 'utf8mb4' });
    await admin.query(`CREATE TABLE ${table} (
      id BIGINT UNSIGNED, amount DECIMAL(20,6), ratio DOUBLE, single FLOAT, paid TINYINT(1), day DATE,
      at DATETIME(6), stamped TIMESTAMP(3) NULL, note VARCHAR(200) CHARACTER SET utf8mb4, flags BIT(10), doc JSON, raw VARBINARY(8), y YEAR)`);
    await admin.query(`SET time_zone = '+02:00'`);
    await admin.query(`INSERT INTO ${table} VALUES
      (18446744073709551615, 12345678901234.123456, 0.1, 0.1, 1, '2024-02-29', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5', 'émile 😀 "quoted", comma', b'1000000001', '{"k": [1, 2]}', X'00FF', 2024),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, -0.000001, -1.7976931348623157e308, -1.5, 0, '1000-01-01', '1970-01-01 00:00:00', '1970-01-02 00:00:00', '', b'0', 'null', X'', 1901)`);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('reads a table into the declared types exactly (TIMESTAMP in UTC, DECIMAL to every digit the double keeps)', async () => {
    const { rows } = await extract(mysqlSettings, {
      selection: { t: 'table', schema: 'test', table },
      columns: [
        { name: 'amount', type: 'float' },
        { name: 'ratio', type: 'float' },
        { name: 'single', type: 'float' },
        { name: 'paid', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'timestamp' },
        { name: 'stamped', type: 'timestamp' },
        { name: 'note', type: 'string' },
        { name: 'flags', type: 'integer' },
        { name: 'y', type: 'integer' },
      ],
    });
    expect(rows).toEqual([
      { amount: '12345678901234.123', ratio: '0.1', single: '0.1', paid: 'true', day: '2024-02-29', at: '2024-01-02 03:04:05.123456', stamped: '2024-01-02 01:04:05.5', note: 'émile 😀 "quoted", comma', flags: '513', y: '2024' },
      { amount: null, ratio: null, single: null, paid: null, day: null, at: null, stamped: null, note: null, flags: null, y: null },
      { amount: '-1e-06', ratio: '-1.7976931348623157e+308', single: '-1.5', paid: 'false', day: '1000-01-01', at: '1970-01-01 00:00:00', stamped: '1970-01-01 22:00:00', note: '', flags: '0', y: '1901' },
    ]);
  });

  it('keeps unsigned 64-bit values, JSON and binary as text when declared as strings', async () => {
    const { rows } = await extract(mysqlSettings, {
      selection: { t: 'table', schema: 'test', table },
      columns: [
        { name: 'id', type: 'string' },
        { name: 'doc', type: 'string' },
        { name: 'raw', type: 'string' },
      ],
    });
    expect(rows[0]).toEqual({ id: '18446744073709551615', doc: '{"k": [1, 2]}', raw: '\\x00ff' });
    expect(rows[2]).toEqual({ id: '3', doc: 'null', raw: '\\x' });
    // As an integer it does not fit DuckDB's BIGINT: the run says so.
    await expect(extract(mysqlSettings, { selection: { t: 'table', schema: 'test', table }, columns: [{ name: 'id', type: 'integer' }] })).rejects.toThrow(
      /Row 1 of the source: column "id" holds "18446744073709551615", which is not a valid integer/,
    );
  });

  it('reads a query with a bound watermark and reports the new highest value', async () => {
    const columns: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'at', type: 'timestamp' },
    ];
    const selection = { t: 'query' as const, sql: `SELECT CAST(id AS SIGNED) AS id, at FROM ${table} WHERE id < 100` };
    const first = await extract(mysqlSettings, { selection, columns, incrementalColumn: 'at' });
    expect(first.rows.map((r) => r.id)).toEqual(['2', '3']);
    expect(first.watermark).toEqual({ column: 'at', type: 'timestamp', value: '1970-01-01 00:00:00' });
    await admin.query(`INSERT INTO ${table} (id, at) VALUES (4, '1970-01-01 00:00:00.000001'), (5, '1969-12-31 23:59:59')`);
    const second = await extract(mysqlSettings, { selection, columns, incrementalColumn: 'at' }, first.watermark);
    expect(second.rows).toEqual([{ id: '4', at: '1970-01-01 00:00:00.000001' }]);
    expect(second.watermark?.value).toBe('1970-01-01 00:00:00.000001');
  });

  it('discovers tables and maps MySQL types', async () => {
    const schemas = await sourceConnectors.mysql.discover(mysqlSettings, { workspaceRoot: root });
    expect(schemas[0]?.name).toBe('test');
    const ours = schemas[0]?.tables.find((t) => t.name === table);
    expect(ours?.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['amount', 'float'],
      ['ratio', 'float'],
      ['single', 'float'],
      ['paid', 'integer'],
      ['day', 'date'],
      ['at', 'timestamp'],
      ['stamped', 'timestamp'],
      ['note', 'string'],
      ['flags', 'integer'],
      ['doc', 'string'],
      ['raw', 'string'],
      ['y', 'integer'],
    ]);
  });
});

describe('SQLite source', () => {
  const settings: ConnectionSettings = { type: 'sqlite', path: 'data/shop.sqlite' };

  beforeAll(async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'data'), { recursive: true });
    const db = new DatabaseSync(path.join(root, 'data/shop.sqlite'));
    db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, price NUMERIC(10,2), paid BOOLEAN, day DATE, at DATETIME, note TEXT, blob BLOB, anything)`);
    const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run(9007199254740993n, 0.1, 10.25, 1, '2024-02-29', '2024-01-02 03:04:05.123', 'émile 😀', Buffer.from([0, 255]), 'x');
    insert.run(2, null, null, null, null, null, null, null, null);
    insert.run(3, -1.5e-300, 3, 0, '1999-12-31', '1999-12-31 23:59:59', '', Buffer.alloc(0), 7);
    db.exec(`CREATE VIEW cheap AS SELECT id FROM orders WHERE price < 5`);
    db.close();
  });

  it('reads a table exactly, big integers included', async () => {
    const { rows } = await extract(settings, {
      selection: { t: 'table', schema: 'main', table: 'orders' },
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'amount', type: 'float' },
        { name: 'price', type: 'float' },
        { name: 'paid', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'timestamp' },
        { name: 'note', type: 'string' },
        { name: 'blob', type: 'string' },
      ],
    });
    expect(rows).toEqual([
      { id: '2', amount: null, price: null, paid: null, day: null, at: null, note: null, blob: null },
      { id: '3', amount: '-1.5e-300', price: '3.0', paid: 'false', day: '1999-12-31', at: '1999-12-31 23:59:59', note: '', blob: '\\x' },
      { id: '9007199254740993', amount: '0.1', price: '10.25', paid: 'true', day: '2024-02-29', at: '2024-01-02 03:04:05.123', note: 'émile 😀', blob: '\\x00ff' },
    ]);
  });

  it('compares the watermark with the column’s own storage class', async () => {
    const { rows, watermark } = await extract(settings, { selection: { t: 'query', sql: 'SELECT id FROM orders' }, columns: [{ name: 'id', type: 'integer' }], incrementalColumn: 'id' }, { column: 'id', type: 'integer', value: '2' });
    expect(rows.map((r) => r.id).sort()).toEqual(['3', '9007199254740993']);
    expect(watermark?.value).toBe('9007199254740993');
  });

  it('keeps the file inside the workspace and says when it is not a database', async () => {
    await expect(extract({ type: 'sqlite', path: '../outside.sqlite' }, { selection: { t: 'table', schema: 'main', table: 'x' }, columns: [{ name: 'a', type: 'string' }] })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(root, 'data/not.sqlite'), 'hello, I am text');
    await expect(sourceConnectors.sqlite.test({ type: 'sqlite', path: 'data/not.sqlite' }, { workspaceRoot: root })).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('file is not a database') as string });
  });

  it('discovers tables and views with types from the declared names', async () => {
    const schemas = await sourceConnectors.sqlite.discover(settings, { workspaceRoot: root });
    expect(schemas.map((s) => s.name)).toEqual(['main']);
    expect(schemas[0]?.tables.map((t) => [t.name, t.kind])).toEqual([
      ['cheap', 'view'],
      ['orders', 'table'],
    ]);
    expect(schemas[0]?.tables[1]?.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['amount', 'float'],
      ['price', 'float'],
      ['paid', 'boolean'],
      ['day', 'date'],
      ['at', 'timestamp'],
      ['note', 'string'],
      ['blob', 'string'],
      ['anything', 'string'],
    ]);
  });
});
