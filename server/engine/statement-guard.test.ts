import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckSession, type DuckSession } from './duckdb';
import { ExpressionIssueCodes as E } from './expression-guard';
import { checkQuery, QueryIssueCodes as Q, type QueryCheck } from './statement-guard';

let dir: string;
let session: DuckSession;
let conn: DuckDBConnection;
const inputs = ['input_1', 'input_2'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-stmt-guard-'));
  session = await openDuckSession(dir, { threads: 1 });
  conn = session.connection;
  await conn.run(`CREATE TABLE input_1 AS SELECT * FROM (VALUES (1, 'a', 10.0), (2, 'b', 5.0)) v(id, name, amount)`);
  await conn.run(`CREATE TABLE input_2 AS SELECT * FROM (VALUES (1, 'x')) v(id, tag)`);
  // A table that exists in the session but is no input: a stage table of another node.
  await conn.run(`CREATE TABLE s0_output AS SELECT 42 AS secret`);
});
afterAll(async () => {
  session.close();
  await rm(dir, { recursive: true, force: true });
});

const refusal = (r: QueryCheck) => (r.ok ? 'ok' : r.code);

describe('checkQuery accepts one SELECT over the inputs', () => {
  it.each([
    'SELECT * FROM input_1',
    'select id, upper(name) AS n FROM INPUT_1 WHERE amount > 1 ORDER BY id LIMIT 5;',
    'SELECT a.id, b.tag FROM input_1 a LEFT JOIN input_2 b USING (id)',
    'WITH big AS (SELECT * FROM input_1 WHERE amount > 6), tagged AS (SELECT * FROM big JOIN input_2 USING (id)) SELECT * FROM tagged',
    'SELECT name, sum(amount) AS total, row_number() OVER (ORDER BY name) AS rn FROM input_1 GROUP BY name HAVING count(*) > 0',
    'SELECT id FROM input_1 UNION ALL SELECT id FROM input_2 EXCEPT SELECT 3',
    'SELECT * FROM input_1 WHERE id IN (SELECT id FROM input_2) AND EXISTS (SELECT 1 FROM input_2)',
    'SELECT * FROM (SELECT id FROM input_1) sub, (VALUES (1), (2)) v(x)',
    'SELECT * EXCLUDE (name) FROM input_1 QUALIFY row_number() OVER (PARTITION BY id ORDER BY amount) = 1',
    'SELECT id FROM input_1 -- a comment\n',
  ])('%s', async (sql) => {
    const r = await checkQuery(conn, sql, inputs);
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.sql.startsWith('(\n') && r.sql.endsWith('\n)')).toBe(true);
    // What it returns runs, embedded as the plan embeds it.
    await conn.runAndReadAll(`SELECT * FROM ${r.sql} AS q`);
  });

  it('lets a CTE shadow an input name (the user relation wins inside the query)', async () => {
    const r = await checkQuery(conn, 'WITH input_1 AS (SELECT 7 AS id) SELECT * FROM input_1', ['input_1']);
    expect(r.ok).toBe(true);
  });
});

describe('checkQuery refuses everything else', () => {
  it.each<[string, string]>([
    // Files and table functions.
    [`SELECT * FROM read_csv('/etc/passwd')`, Q.TABLE_FUNCTION],
    [`SELECT * FROM read_text('/etc/passwd')`, Q.TABLE_FUNCTION],
    [`SELECT * FROM glob('/*')`, Q.TABLE_FUNCTION],
    [`SELECT * FROM input_1, read_csv_auto('x.csv')`, Q.TABLE_FUNCTION],
    [`SELECT * FROM duckdb_settings()`, Q.TABLE_FUNCTION],
    [`SELECT * FROM '/etc/passwd'`, Q.UNKNOWN_RELATION],
    [`SELECT (SELECT count(*) FROM glob('/*')) FROM input_1`, Q.TABLE_FUNCTION],
    [`SELECT read_text('/etc/passwd') FROM input_1`, E.TABLE_FUNCTION],
    [`SELECT getenv('HOME') FROM input_1`, E.FUNCTION_NOT_ALLOWED],
    [`SELECT current_setting('temp_directory')`, E.FUNCTION_NOT_ALLOWED],
    [`SELECT * FROM input_1 WHERE name IN (SELECT * FROM read_csv('x'))`, Q.TABLE_FUNCTION],
    // Relations that are not inputs.
    [`SELECT * FROM s0_output`, Q.UNKNOWN_RELATION],
    [`SELECT * FROM input_3`, Q.UNKNOWN_RELATION],
    [`SELECT * FROM main.input_1`, Q.QUALIFIED_NAME],
    [`SELECT * FROM memory.main.input_1`, Q.QUALIFIED_NAME],
    [`SELECT * FROM information_schema.tables`, Q.QUALIFIED_NAME],
    [`SELECT * FROM duckdb_tables`, Q.UNKNOWN_RELATION],
    // A CTE name is visible only in its own scope: it cannot reach the real table of that name outside.
    [`SELECT * FROM (WITH s0_output AS (SELECT 1) SELECT * FROM s0_output) a, s0_output`, Q.UNKNOWN_RELATION],
    [`WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a`, Q.UNKNOWN_RELATION],
    [`WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r`, Q.CONSTRUCT],
    // Statements.
    [`COPY input_1 TO '/tmp/x.csv'`, Q.NOT_SELECT],
    [`ATTACH '/tmp/x.db' AS x`, Q.NOT_SELECT],
    [`SET enable_external_access = true`, Q.NOT_SELECT],
    [`PRAGMA database_list`, Q.NOT_SELECT],
    [`INSTALL httpfs`, Q.NOT_SELECT],
    [`LOAD httpfs`, Q.NOT_SELECT],
    [`SELECT 1; SELECT * FROM s0_output`, Q.MULTIPLE_STATEMENTS],
    [`SELECT 1; COPY input_1 TO 'x'`, Q.NOT_SELECT],
    [`DESCRIBE s0_output`, Q.CONSTRUCT],
    ['', Q.EMPTY],
    [`SELECT * FROM input_1 WHERE id = $1`, Q.CONSTRUCT],
    // Closing the parenthesis from inside.
    [`SELECT * FROM input_1) AS x, s0_output AS y --`, Q.SYNTAX],
    [`SELECT * FROM input_1 /* ) UNION ALL SELECT * FROM s0_output -- */`, 'ok'],
    [`SELECT * FROM input_1 -- )`, 'ok'],
    [`SELECT * FROM input_1 /*`, Q.SYNTAX],
  ])('%s', async (sql, code) => {
    expect(refusal(await checkQuery(conn, sql, inputs))).toBe(code);
  });

  it('reports where the problem is in the user text', async () => {
    const sql = 'SELECT *\nFROM input_1, secrets';
    const r = await checkQuery(conn, sql, inputs);
    expect(r).toMatchObject({ ok: false, code: Q.UNKNOWN_RELATION, position: sql.indexOf('secrets') });
    expect(r.ok ? '' : r.message).toMatch(/"secrets" is not an input.*input_1, input_2/);
    const fn = 'SELECT ä, getenv(x) FROM input_1';
    expect(await checkQuery(conn, fn, inputs)).toMatchObject({ position: fn.indexOf('getenv') });
    const syntax = 'SELECT * FRM input_1';
    const s = await checkQuery(conn, syntax, inputs);
    expect(s).toMatchObject({ ok: false, code: Q.SYNTAX });
    expect(s.ok ? undefined : s.position).toBe(syntax.indexOf('input_1'));
  });
});
