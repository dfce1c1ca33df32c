import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { openDuckSession, type DuckSession } from './duckdb';
import { assertExpression, checkExpression, ExpressionIssueCodes as C, MAX_EXPRESSION_LENGTH, type ExpressionIssueCode } from './expression-guard';

let dir: string;
let session: DuckSession;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-guard-'));
  session = await openDuckSession(dir, { threads: 1 });
  conn = session.connection;
  await conn.run(`CREATE TABLE orders AS SELECT * FROM (VALUES (1, 'paid', 10.5, [1, 2]), (2, 'open', 3.0, [3]), (3, 'paid', 150.25, [])) v(order_id, status, amount, tags)`);
});
afterAll(async () => {
  session.close();
  await rm(dir, { recursive: true, force: true });
});

describe('checkExpression accepts plain expressions', () => {
  it.each([
    `amount * 2 > 10 AND lower(status) = 'paid'`,
    `status IN ('paid', 'open') AND amount BETWEEN 1 AND 100 AND order_id IS NOT NULL`,
    `CASE WHEN amount > 100 THEN 'big' ELSE 'small' END = 'big'`,
    `amount::INTEGER + CAST(order_id AS DOUBLE) > 3`,
    `coalesce(nullif(status, ''), 'none') LIKE 'p%'`,
    `status ILIKE 'PAID' OR status GLOB 'o*' OR regexp_matches(status, '^p')`,
    `len(list_filter(tags, lambda t: t > 1)) > 0`,
    `[x * 2 FOR x IN tags IF x > 0] <> []`,
    `{'a': amount}.a > 1`,
    `strftime(DATE '2024-01-01' + INTERVAL 1 DAY, '%Y') = '2024'`,
    `TIMESTAMPTZ '2024-01-01 10:00:00+02' < now()`,
    `json_extract('{"a": 1}', '$.a')::INTEGER = 1`,
    `split_part(status, 'a', 1) = 'p'`,
    `TRY(amount / 0) IS NULL`,
    `status = 'paid' -- a trailing comment`,
    `"status" = 'it''s'`,
  ])('%s', async (expr) => {
    const result = await checkExpression(conn, expr);
    expect(result).toEqual({ ok: true, sql: `(\n${expr}\n)` });
    if (result.ok) await conn.run(`SELECT count(*) FROM orders WHERE ${result.sql}`);
  });

  it('returns text that cannot comment out or swallow what follows it', async () => {
    const result = await checkExpression(conn, `status = 'paid' --`);
    if (!result.ok) throw new Error(result.message);
    const reader = await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM orders WHERE ${result.sql} AND false`);
    expect(reader.getRows()).toEqual([[0]]);
  });

  it('admits aggregates and window functions only when asked', async () => {
    expect(await checkExpression(conn, 'sum(amount)')).toMatchObject({ ok: false, code: C.AGGREGATE, message: 'Aggregate function sum() cannot be used in a row expression' });
    expect(await checkExpression(conn, 'row_number() OVER (ORDER BY amount)')).toMatchObject({ ok: false, code: C.AGGREGATE });
    for (const expr of ['sum(amount)', 'count(*) FILTER (WHERE amount > 1)', 'row_number() OVER (ORDER BY amount)', 'sum(amount) OVER (PARTITION BY status)']) {
      expect(await checkExpression(conn, expr, { aggregates: true }), expr).toMatchObject({ ok: true });
    }
    expect(await checkExpression(conn, 'sum(amount) FILTER (WHERE amount IN (SELECT 1))', { aggregates: true })).toMatchObject({ ok: false, code: C.SUBQUERY });
  });
});

describe('checkExpression refuses', () => {
  const cases: [string, ExpressionIssueCode, string | RegExp][] = [
    ['(SELECT 1)', C.SUBQUERY, /^Subqueries/],
    ['EXISTS (SELECT 1)', C.SUBQUERY, /^Subqueries/],
    ['order_id IN (SELECT order_id FROM orders)', C.SUBQUERY, /^Subqueries/],
    ['ARRAY(SELECT 1)', C.SUBQUERY, /^Subqueries/],
    ['CAST((SELECT 1) AS INT)', C.SUBQUERY, /^Subqueries/],
    ['list_transform(tags, lambda t: (SELECT t))', C.SUBQUERY, /^Subqueries/],
    [`read_csv('x')`, C.TABLE_FUNCTION, 'read_csv() is a table function; expressions cannot read tables or files'],
    [`read_text('/proc/self/environ')`, C.TABLE_FUNCTION, /table function/],
    [`read_blob('/etc/hostname')`, C.TABLE_FUNCTION, /table function/],
    [`read_parquet('x.parquet')`, C.TABLE_FUNCTION, /table function/],
    [`read_json_auto('x.json')`, C.TABLE_FUNCTION, /table function/],
    [`glob('/*')`, C.TABLE_FUNCTION, /table function/],
    [`query('SELECT 1')`, C.TABLE_FUNCTION, /table function/],
    [`unnest(tags)`, C.TABLE_FUNCTION, /table function/],
    [`1 FROM read_text('/etc/passwd')`, C.TABLE_FUNCTION, 'Expressions cannot read tables or files (FROM …)'],
    [`getenv('HOME')`, C.FUNCTION_NOT_ALLOWED, 'Function getenv() is not allowed in expressions'],
    [`current_setting('allowed_directories')`, C.FUNCTION_NOT_ALLOWED, 'Function current_setting() is not allowed in expressions'],
    [`getvariable('x')`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`current_query()`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`json_serialize_plan('SELECT * FROM read_csv(''/etc/passwd'')')`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`sleep_ms(100000)`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`pg_sleep(100)`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`pg_get_viewdef(1)`, C.FUNCTION_NOT_ALLOWED, /not allowed/],
    [`no_such_function(1)`, C.UNKNOWN_FUNCTION, 'Unknown function no_such_function()'],
    [`status.lower() = 'x'`, C.CONSTRUCT, /^Call functions as name\(arguments\)/],
    [`system.main.lower(status)`, C.CONSTRUCT, /^Call functions as name\(arguments\)/],
    ['*', C.CONSTRUCT, '* and COLUMNS(…) cannot be used in an expression'],
    [`COLUMNS('a.*')`, C.CONSTRUCT, /cannot be used/],
    ['$1', C.CONSTRUCT, /^Parameters/],
    ['?', C.CONSTRUCT, /^Parameters/],
    ['#1', C.CONSTRUCT, /^Positional references/],
    ['DEFAULT', C.CONSTRUCT, 'DEFAULT cannot be used in an expression'],
    ['1; DROP TABLE orders', C.MULTIPLE_STATEMENTS, 'An expression cannot contain ";" followed by another statement'],
    ['1; SELECT 2', C.MULTIPLE_STATEMENTS, /another statement/],
    ['1;', C.MULTIPLE_STATEMENTS, 'Remove the ";": an expression is not a statement'],
    ['1, 2', C.NOT_SINGLE, 'Write one expression, not a comma-separated list'],
    ['amount AS a', C.NOT_SINGLE, /^Remove the alias "a"/],
    ['DISTINCT amount', C.NOT_SINGLE, /DISTINCT/],
    ['1 LIMIT 1', C.NOT_SINGLE, /LIMIT/],
    ['1 ORDER BY 1', C.NOT_SINGLE, /ORDER BY/],
    ['1 WHERE true', C.NOT_SINGLE, /WHERE/],
    ['1 GROUP BY 1', C.NOT_SINGLE, /GROUP BY/],
    ['1 HAVING true', C.NOT_SINGLE, /HAVING/],
    ['1 QUALIFY true', C.NOT_SINGLE, /QUALIFY/],
    ['1 USING SAMPLE 1', C.NOT_SINGLE, /USING SAMPLE/],
    ['1 FROM orders', C.NOT_SINGLE, 'Write a single expression without FROM'],
    ['1 UNION SELECT 2', C.NOT_SINGLE, /not a query/],
    // json_serialize_sql drops a named WINDOW clause; the parenthesised re-parse catches it.
    ['1 WINDOW w AS (ORDER BY (SELECT count(*) FROM orders))', C.NOT_SINGLE, /WINDOW/],
    ['1) UNION (SELECT 2', C.SYNTAX, 'syntax error at or near ")"'],
    ['WITH a AS (SELECT 1) SELECT 1', C.SYNTAX, /syntax error/],
    ['', C.EMPTY, 'The expression is empty'],
    ['  \n ', C.EMPTY, 'The expression is empty'],
  ];

  it.each(cases)('%s', async (expr, code, message) => {
    const result = await checkExpression(conn, expr);
    expect(result).toMatchObject({ ok: false, code });
    if (result.ok) return;
    if (typeof message === 'string') expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
  });

  it('refuses over-long text and NUL characters without asking DuckDB', async () => {
    expect(await checkExpression(conn, '1'.repeat(MAX_EXPRESSION_LENGTH + 1))).toMatchObject({ ok: false, code: C.TOO_LONG });
    expect(await checkExpression(conn, `'a\0b'`)).toEqual({ ok: false, code: C.SYNTAX, message: 'The expression contains a NUL character', position: 2 });
  });

  it('survives deep nesting', async () => {
    expect(await checkExpression(conn, `${'('.repeat(3000)}1${')'.repeat(3000)}`)).toMatchObject({ ok: true });
    expect(await checkExpression(conn, `${'lower('.repeat(1200)}status${')'.repeat(1200)}`)).toEqual({
      ok: false,
      code: C.TOO_LONG,
      message: 'The expression is nested too deeply',
    });
  });
});

describe('positions', () => {
  it('translates DuckDB parser positions into the user text', async () => {
    expect(await checkExpression(conn, 'amount * > 2')).toEqual({ ok: false, code: C.SYNTAX, message: 'syntax error at or near ">"', position: 9 });
    expect(await checkExpression(conn, 'amount +')).toEqual({ ok: false, code: C.SYNTAX, message: 'syntax error at end of input', position: 8 });
    expect(await checkExpression(conn, `status = 'paid`)).toMatchObject({ ok: false, code: C.SYNTAX, position: 9 });
    // DuckDB counts code points here; JavaScript indexes UTF-16 units.
    expect(await checkExpression(conn, `'😀é' = )`)).toEqual({ ok: false, code: C.SYNTAX, message: 'syntax error at or near ")"', position: 8 });
  });

  it('points at the refused node, also after multi-byte text', async () => {
    expect(await checkExpression(conn, `status = 'é😀' OR order_id IN (SELECT 1)`)).toMatchObject({ code: C.SUBQUERY, position: 27 });
    expect(await checkExpression(conn, `amount > 1 AND glob('/*') IS NULL`)).toMatchObject({ code: C.TABLE_FUNCTION, position: 15 });
  });
});

describe('assertExpression', () => {
  it('returns the text to embed', async () => {
    expect(await assertExpression(conn, 'amount > 1')).toBe('(\namount > 1\n)');
  });

  it('throws AppError BAD_INPUT with the reason, node and position', async () => {
    const error = await assertExpression(conn, 'amount > (SELECT 1)', { nodeId: 'keep', field: 'Keep rows where' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'BAD_INPUT',
      message: 'Keep rows where: Subqueries (SELECT …, EXISTS, IN (SELECT …)) are not allowed in an expression (at character 10)',
      details: { nodeId: 'keep', reason: C.SUBQUERY, position: 9 },
    });
  });
});
