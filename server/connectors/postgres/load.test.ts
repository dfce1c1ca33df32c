// The PostgreSQL loader against the machine's real PostgreSQL: every mode with
// NULLs, unicode and timestamps, schema evolution, key checks, the ledger,
// fencing, post-load SQL and concurrent SCD2 loads. Expected rows are written
// by hand.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import type { Column } from '../../pipeline/types';
import type { DatabaseLoadTarget } from '../../sql/ops';
import { loadBatch, openTestPostgres, target, uniqueName } from '../../testing/destinations';
import { loadTestHooks, type LoadIdentity } from '../load';
import { ident, qualified } from './statements';

const schema = uniqueName('sluice_load_test');
let client: pg.Client;
let runCounter = 0;
/** A fresh run, first attempt. */
const freshRun = (): LoadIdentity => ({ runId: `run-${++runCounter}`, pipelineId: 'pipe', attempt: 1 });

beforeAll(async () => {
  client = await openTestPostgres();
});
afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
  await client.end();
});
afterEach(() => {
  delete loadTestHooks.onCheckpoint;
});

async function rowsOf(table: string, orderBy = 'id'): Promise<Record<string, unknown>[]> {
  return (await client.query<Record<string, unknown>>(`SELECT * FROM ${qualified(schema, table)} ORDER BY ${orderBy}`)).rows;
}

async function failure(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const idNameAmount: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
];
const batch = (rows: [number, string | null, number | null][]) =>
  `SELECT * FROM (VALUES ${rows.map(([id, name, amount]) => `(${id}::BIGINT, ${name === null ? 'NULL::VARCHAR' : `'${name.replace(/'/g, "''")}'`}, ${amount === null ? 'NULL::DOUBLE' : `${amount}::DOUBLE`})`).join(', ')}) AS v(id, name, amount)`;
const load = (table: string, rows: [number, string | null, number | null][], overrides: Partial<DatabaseLoadTarget> = {}, identity = freshRun()) =>
  loadBatch(batch(rows), idNameAmount, target({ schema, table, ...overrides }), identity);
const simple = (rows: Record<string, unknown>[]) => rows.map((r) => [Number(r.id), r.name, r.amount]);

describe('append', () => {
  it('creates the table from the columns and keeps values exactly: NULLs, empty text, unicode, quotes, newlines, dates, timestamps', async () => {
    const columns: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'Name with "quotes"', type: 'string' },
      { name: 'amount', type: 'float' },
      { name: 'flag', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
    ];
    const sql = `SELECT * FROM (VALUES
      (1::BIGINT, 'Zoë 😀 日本', 1.5::DOUBLE, true, DATE '2024-02-29', TIMESTAMP '2024-03-31 01:30:00.123456'),
      (2, '', NULL, false, NULL, NULL),
      (3, NULL, -2.25, NULL, DATE '1970-01-01', TIMESTAMP '1999-12-31 23:59:59'),
      (4, 'a"b,c' || chr(10) || 'd', 1e300, true, DATE '0001-01-01', TIMESTAMP '2000-01-01 00:00:00'),
      (5, 'NULL', 'inf'::DOUBLE, false, DATE '9999-12-31', TIMESTAMP '2038-01-19 03:14:08')
    ) AS v(id, "Name with ""quotes""", amount, flag, day, "at")`;
    const result = await loadBatch(sql, columns, target({ schema, table: 'typed' }), freshRun());
    expect(result).toEqual({ rows: 5, alreadyCommitted: false });
    expect(await rowsOf('typed')).toEqual([
      { id: '1', 'Name with "quotes"': 'Zoë 😀 日本', amount: 1.5, flag: true, day: '2024-02-29', at: '2024-03-31 01:30:00.123456' },
      { id: '2', 'Name with "quotes"': '', amount: null, flag: false, day: null, at: null },
      { id: '3', 'Name with "quotes"': null, amount: -2.25, flag: null, day: '1970-01-01', at: '1999-12-31 23:59:59' },
      { id: '4', 'Name with "quotes"': 'a"b,c\nd', amount: 1e300, flag: true, day: '0001-01-01', at: '2000-01-01 00:00:00' },
      { id: '5', 'Name with "quotes"': 'NULL', amount: Infinity, flag: false, day: '9999-12-31', at: '2038-01-19 03:14:08' },
    ]);
    const types = await client.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, 'typed'],
    );
    expect(types.rows.map((r) => r.data_type)).toEqual(['bigint', 'text', 'double precision', 'boolean', 'date', 'timestamp without time zone']);
  });

  it('adds to what is there, and an empty batch commits a ledger row with 0 rows', async () => {
    await load('appended', [[1, 'a', 1]]);
    await load('appended', [[1, 'a', 1], [2, 'b', null]]);
    const empty = freshRun();
    expect(await loadBatch(`${batch([[9, 'x', 1]])} WHERE false`, idNameAmount, target({ schema, table: 'appended' }), empty)).toEqual({ rows: 0, alreadyCommitted: false });
    expect(simple(await rowsOf('appended', 'id, name'))).toEqual([
      [1, 'a', 1],
      [1, 'a', 1],
      [2, 'b', null],
    ]);
    const ledger = await client.query(`SELECT rows FROM ${qualified(schema, 'sluice_load_ledger')} WHERE run_id = $1`, [empty.runId]);
    expect(ledger.rows).toEqual([{ rows: '0' }]);
  });
});

describe('the ledger', () => {
  it('skips a load the same run already committed, reporting the committed rows, and records pipeline, attempt and rows', async () => {
    const run = freshRun();
    expect(await load('ledgered', [[1, 'a', 1], [2, 'b', 2]], {}, run)).toEqual({ rows: 2, alreadyCommitted: false });
    expect(await load('ledgered', [[3, 'c', 3]], {}, { ...run, attempt: 2 })).toEqual({ rows: 2, alreadyCommitted: true });
    expect(simple(await rowsOf('ledgered'))).toEqual([
      [1, 'a', 1],
      [2, 'b', 2],
    ]);
    const ledger = await client.query(`SELECT pipeline_id, node_id, attempt, target, rows, watermarks FROM ${qualified(schema, 'sluice_load_ledger')} WHERE run_id = $1`, [run.runId]);
    expect(ledger.rows).toEqual([{ pipeline_id: 'pipe', node_id: 'sink', attempt: 1, target: 'ledgered', rows: '2', watermarks: {} }]);
  });

  it('refuses an attempt older than one already registered for the run', async () => {
    const run = freshRun();
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(schema, 'sluice_load_attempts')} (run_id text, node_id text, attempt integer NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, node_id))`);
    await client.query(`INSERT INTO ${qualified(schema, 'sluice_load_attempts')} (run_id, node_id, attempt) VALUES ($1, 'sink', 3)`, [run.runId]);
    const error = await failure(load('fenced', [[1, 'a', 1]], {}, { ...run, attempt: 2 }));
    expect(error.code).toBe('LOAD_ATTEMPT_SUPERSEDED');
    expect(error.message).toBe(`Attempt 2 of run ${run.runId} may not load "${schema}"."fenced": attempt 3 has started since`);
  });

  it('fences a stale attempt that reaches its transaction after a newer attempt has registered', async () => {
    const run = freshRun();
    const releases: (() => void)[] = [];
    loadTestHooks.onCheckpoint = (name) => (name === 'claimed' ? new Promise<void>((resolve) => releases.push(resolve)) : undefined);
    const stale = load('raced', [[1, 'stale', 1]], {}, run);
    await waitFor(() => releases.length === 1);
    const newer = load('raced', [[1, 'newer', 2]], {}, { ...run, attempt: 2 });
    await waitFor(() => releases.length === 2);
    // Both have registered; attempt 1 goes on first and must be refused at the target lock.
    releases[0]?.();
    const error = await failure(stale);
    expect(error.code).toBe('LOAD_ATTEMPT_SUPERSEDED');
    releases[1]?.();
    expect(await newer).toEqual({ rows: 1, alreadyCommitted: false });
    expect(simple(await rowsOf('raced'))).toEqual([[1, 'newer', 2]]);
  });

  it('a stale attempt that resumes after a newer one committed finds the ledger row and loads nothing', async () => {
    const run = freshRun();
    let release: (() => void) | undefined;
    loadTestHooks.onCheckpoint = (name) => (name === 'claimed' && !release ? new Promise<void>((resolve) => (release = resolve)) : undefined);
    const stale = load('raced_ledger', [[1, 'stale', 1]], {}, run);
    await waitFor(() => release !== undefined);
    expect(await load('raced_ledger', [[1, 'newer', 2], [2, 'newer', 2]], {}, { ...run, attempt: 2 })).toEqual({ rows: 2, alreadyCommitted: false });
    release?.();
    expect(await stale).toEqual({ rows: 2, alreadyCommitted: true });
    expect(simple(await rowsOf('raced_ledger'))).toEqual([
      [1, 'newer', 2],
      [2, 'newer', 2],
    ]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('replace', () => {
  it('swaps in a new table built from the batch, dropping old rows and columns, and leaves no scratch tables', async () => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await client.query(`CREATE TABLE ${qualified(schema, 'replaced')} (id bigint, legacy text)`);
    await client.query(`INSERT INTO ${qualified(schema, 'replaced')} VALUES (100, 'old')`);
    await load('replaced', [[1, 'a', null], [2, null, 2]], { mode: 'replace' });
    expect(simple(await rowsOf('replaced'))).toEqual([
      [1, 'a', null],
      [2, null, 2],
    ]);
    const scratch = await client.query("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND (relname LIKE 'sluice_new_%' OR relname LIKE 'sluice_old_%')", [schema]);
    expect(scratch.rows).toEqual([]);
  });

  it('creates the table when there is none', async () => {
    await load('replaced_new', [[1, 'a', 1]], { mode: 'replace' });
    expect(simple(await rowsOf('replaced_new'))).toEqual([[1, 'a', 1]]);
  });
});

describe('upsert and scd1', () => {
  it('upsert updates every matched key (NULLs overwrite values) and inserts new keys', async () => {
    await load('upserted', [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]], { mode: 'upsert', keys: ['id'] });
    await load('upserted', [[2, null, 20], [3, 'c', 3], [4, 'ü', null]], { mode: 'upsert', keys: ['id'] });
    expect(simple(await rowsOf('upserted'))).toEqual([
      [1, 'a', 1],
      [2, null, 20],
      [3, 'c', 3],
      [4, 'ü', null],
    ]);
    const pk = await client.query("SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'", [qualified(schema, 'upserted')]);
    expect(pk.rowCount).toBe(1);
  });

  it('scd1 overwrites a row only when a compared column changed', async () => {
    const mode = { mode: 'scd1' as const, keys: ['id'], compareColumns: ['name'] };
    await load('scd1', [[1, 'a', 1], [2, 'b', 2]], mode);
    // id 1: only amount differs, so it is not a change; id 2: name changed, so amount comes along.
    await load('scd1', [[1, 'a', 100], [2, 'B', 200], [3, 'c', 3]], mode);
    expect(simple(await rowsOf('scd1'))).toEqual([
      [1, 'a', 1],
      [2, 'B', 200],
      [3, 'c', 3],
    ]);
  });

  it('fails before loading when a key repeats in the batch, naming the key and its count', async () => {
    const run = freshRun();
    const composite = await failure(load('dupes', [[7, 'a', 1], [7, 'a', 2], [7, 'b', 3]], { mode: 'scd1', keys: ['id', 'name'] }, run));
    expect(composite.code).toBe('DESTINATION_DUPLICATE_KEY');
    expect(composite.message).toBe(`Key (id=7, name="a") occurs 2 times in the rows to load into "${schema}"."dupes"; scd1 needs each key once. Deduplicate before this node.`);
    const byId = await failure(load('dupes', [[7, 'a', 1], [7, 'b', 2], [7, 'c', 3], [8, 'd', 4], [8, 'e', 5], [9, 'f', 6]], { mode: 'upsert', keys: ['id'] }, run));
    expect(byId.message).toBe(`Key (id=7) occurs 3 times in the rows to load into "${schema}"."dupes"; upsert needs each key once (1 other key(s) are duplicated too). Deduplicate before this node.`);
    expect(byId.details).toMatchObject({ nodeId: 'sink', count: 3, duplicatedKeys: 2 });
    const exists = await client.query('SELECT to_regclass($1) AS t', [qualified(schema, 'dupes')]);
    expect(exists.rows).toEqual([{ t: null }]);
  });

  it('fails when a key is NULL', async () => {
    const error = await failure(load('null_keys', [[1, null, 1], [2, 'b', 2]], { mode: 'scd2', keys: ['name'] }));
    expect(error.code).toBe('DESTINATION_DUPLICATE_KEY');
    expect(error.message).toBe(`1 row(s) to load into "${schema}"."null_keys" have no key (a key column is NULL); scd2 needs a key on every row`);
  });
});

describe('delete-insert', () => {
  it('replaces exactly the partitions present in the batch, NULL partition included', async () => {
    const columns: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'region', type: 'string' },
    ];
    const rows = (values: [number, string | null][]) => `SELECT * FROM (VALUES ${values.map(([i, r]) => `(${i}::BIGINT, ${r === null ? 'NULL::VARCHAR' : `'${r}'`})`).join(', ')}) AS v(id, region)`;
    const t = target({ schema, table: 'partitions', mode: 'delete-insert', partitionColumns: ['region'] });
    await loadBatch(rows([[1, 'north'], [2, 'north'], [3, 'south'], [4, null], [5, 'east']]), columns, t, freshRun());
    await loadBatch(rows([[10, 'north'], [11, null], [12, 'west']]), columns, t, freshRun());
    expect((await rowsOf('partitions')).map((r) => [Number(r.id), r.region])).toEqual([
      [3, 'south'],
      [5, 'east'],
      [10, 'north'],
      [11, null],
      [12, 'west'],
    ]);
  });
});

describe('scd2', () => {
  it('keeps the history a hand-computed fixture expects, one current row per key', async () => {
    const mode = { mode: 'scd2' as const, keys: ['id'] };
    await load('history', [[1, 'a', 10], [2, 'b', 20], [3, 'c', 30]], mode);
    // 1 unchanged, 2 renamed, 4 new; 3 absent (stays current: batches are not full snapshots).
    await load('history', [[1, 'a', 10], [2, 'B', 20], [4, 'd', 40]], mode);
    // 2 amount changed, 3 amount to NULL (a change), 1 unchanged again.
    await load('history', [[2, 'B', 21], [3, 'c', null], [1, 'a', 10]], mode);
    const rows = await rowsOf('history', 'id, valid_from');
    // Timestamps arrive as text in one format, so they sort in time order.
    const batches = [...new Set(rows.map((r) => r.valid_from as string))].sort();
    const batchOf = (t: unknown) => (typeof t === 'string' ? batches.indexOf(t) + 1 : null);
    expect(batches).toHaveLength(3);
    expect(rows.map((r) => [Number(r.id), r.name, r.amount, batchOf(r.valid_from), batchOf(r.valid_to), r.is_current])).toEqual([
      [1, 'a', 10, 1, null, true],
      [2, 'b', 20, 1, 2, false],
      [2, 'B', 20, 2, 3, false],
      [2, 'B', 21, 3, null, true],
      [3, 'c', 30, 1, 3, false],
      [3, 'c', null, 3, null, true],
      [4, 'd', 40, 2, null, true],
    ]);
    // The partial unique index refuses a second current row, whoever writes it.
    const error = await client.query(`INSERT INTO ${qualified(schema, 'history')} (id, name, amount, valid_from, is_current) VALUES (1, 'x', 0, now(), true)`).catch((e: unknown) => e);
    expect(String(error)).toMatch(/duplicate key value violates unique constraint "sluice_current_/);
  });

  it('detects changes only in the compare columns', async () => {
    const mode = { mode: 'scd2' as const, keys: ['id'], compareColumns: ['name'] };
    await load('history_named', [[1, 'a', 10]], mode);
    await load('history_named', [[1, 'a', 11]], mode);
    await load('history_named', [[1, 'b', 12]], mode);
    expect((await rowsOf('history_named', 'valid_from')).map((r) => [r.name, r.amount, r.is_current])).toEqual([
      ['a', 10, false],
      ['b', 12, true],
    ]);
  });

  it('two concurrent runs on the same target never leave two current rows for a key', async () => {
    const mode = { mode: 'scd2' as const, keys: ['id'] };
    const keys = Array.from({ length: 200 }, (_, i) => i);
    await load('contended', keys.map((k) => [k, 'v0', 0]), mode);
    await Promise.all([1, 2, 3].map((v) => load('contended', keys.map((k) => [k, `v${v}`, v]), mode)));
    const current = await client.query(`SELECT id, count(*) AS n FROM ${qualified(schema, 'contended')} WHERE is_current GROUP BY id HAVING count(*) <> 1`);
    expect(current.rows).toEqual([]);
    const total = await client.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE is_current)::int AS current FROM ${qualified(schema, 'contended')}`);
    expect(total.rows).toEqual([{ n: 800, current: 200 }]);
    // Each key's versions chain without gaps or overlaps: every closed version ends where the next begins.
    const gaps = await client.query(
      `SELECT id FROM (SELECT id, valid_to, lead(valid_from) OVER (PARTITION BY id ORDER BY valid_from) AS next FROM ${qualified(schema, 'contended')}) v WHERE valid_to IS DISTINCT FROM next`,
    );
    expect(gaps.rows).toEqual([]);
  });

  it('refuses an existing table without the history columns', async () => {
    await client.query(`CREATE TABLE ${qualified(schema, 'not_scd2')} (id bigint, name text, amount double precision)`);
    const error = await failure(load('not_scd2', [[1, 'a', 1]], { mode: 'scd2', keys: ['id'] }));
    expect(error.code).toBe('DESTINATION_SCHEMA_MISMATCH');
    expect(error.message).toBe(`"${schema}"."not_scd2" is not an SCD2 table: it lacks "valid_from", "valid_to", "is_current"`);
  });
});

describe('new columns', () => {
  beforeAll(async () => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    for (const t of ['evolve_add', 'evolve_ignore', 'evolve_fail']) {
      await client.query(`CREATE TABLE ${qualified(schema, t)} (id bigint, name text, note text DEFAULT 'kept')`);
    }
  });

  it('add: adds the missing column; columns the batch lacks get their default', async () => {
    await load('evolve_add', [[1, 'a', 1.5]], { newColumns: 'add' });
    expect(await rowsOf('evolve_add')).toEqual([{ id: '1', name: 'a', note: 'kept', amount: 1.5 }]);
  });

  it('ignore: loads the columns the table has', async () => {
    await load('evolve_ignore', [[1, 'a', 1.5]], { newColumns: 'ignore' });
    expect(await rowsOf('evolve_ignore')).toEqual([{ id: '1', name: 'a', note: 'kept' }]);
  });

  it('fail: names the new column and loads nothing', async () => {
    const error = await failure(load('evolve_fail', [[1, 'a', 1.5]], { newColumns: 'fail' }));
    expect(error.code).toBe('DESTINATION_SCHEMA_MISMATCH');
    expect(error.message).toBe(`"${schema}"."evolve_fail" has no column "amount"; add it to the table or set "New columns" to add or ignore`);
    expect(await rowsOf('evolve_fail')).toEqual([]);
  });
});

describe('post-load SQL', () => {
  it('runs in the load transaction: it sees the new rows, and its failure loads nothing', async () => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await client.query(`CREATE TABLE ${qualified(schema, 'audit')} (loaded bigint)`);
    const postLoadSql = `INSERT INTO ${qualified(schema, 'audit')} SELECT count(*) FROM ${qualified(schema, 'audited')}`;
    await load('audited', [[1, 'a', 1], [2, 'b', 2]], { postLoadSql });
    expect((await client.query(`SELECT loaded FROM ${qualified(schema, 'audit')}`)).rows).toEqual([{ loaded: '2' }]);

    const run = freshRun();
    const error = await failure(load('audited', [[3, 'c', 3]], { postLoadSql: 'SELECT 1/0' }, run));
    expect(error.code).toBe('DESTINATION_LOAD_FAILED');
    expect(error.message).toBe(`The post-load SQL failed, so nothing was loaded into "${schema}"."audited": division by zero`);
    expect(simple(await rowsOf('audited'))).toHaveLength(2);
    const ledger = await client.query(`SELECT 1 FROM ${qualified(schema, 'sluice_load_ledger')} WHERE run_id = $1`, [run.runId]);
    expect(ledger.rowCount).toBe(0);
  });
});

describe('connections', () => {
  it('refuses a connection of another type', async () => {
    const error = await failure(load('never', [[1, 'a', 1]], { connectionId: 'test-mysql' }));
    expect(error.code).toBe('DESTINATION_CONNECTION_INVALID');
    expect(error.message).toBe('Connection "test-mysql" is a mysql connection; this destination needs postgres');
  });

  it('reports an unreachable server as a transient error', async () => {
    const error = await failure(load('never', [[1, 'a', 1]], { connectionId: 'test-unreachable' }));
    expect(error.code).toBe('DESTINATION_UNREACHABLE');
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 to load/);
  });
});
