import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import { chainEdges, csvSourceNode } from '../testing/pipelines';
import { col, renderSelect, type Expr, type Select } from './ast';
import { flattenProjections } from './flatten';

const noFiles = { resolveFile: () => '' };
const sql = (s: Select) => renderSelect(s, noFiles).sql;

const call = (fn: 'trim' | 'lower', ...args: Expr[]): Expr => ({ t: 'call', fn, args });
const cleaned = (from = 't'): Select => ({
  t: 'select',
  items: [{ expr: col('id') }, { expr: call('lower', call('trim', col('email'))), as: 'email' }, { expr: col('amount') }],
  from: { t: 'table', name: from },
});
const sub = (query: Select, alias = 'cleaned') => ({ t: 'subquery' as const, query, alias });
const rowNumber: Expr = { t: 'window', fn: 'row_number', args: [], partitionBy: [], orderBy: [] };
const amountIsBad: Expr = { t: 'isNull', expr: { t: 'cast', expr: col('amount'), to: 'float', orNull: true }, negated: false };

/** What cast-columns asks for over a fused cleaning step: the rows that do not convert, numbered in input order. */
const rejectsOverCleaning = (): Select => ({
  t: 'select',
  items: [{ expr: col('id') }, { expr: col('email') }, { expr: col('amount') }, { expr: { t: 'call', fn: 'concat', args: [{ t: 'literal', value: 'Row ' }, { t: 'cast', expr: col('n'), to: 'string' }] }, as: 'message' }],
  from: sub({ t: 'select', items: [{ expr: col('id') }, { expr: col('email') }, { expr: col('amount') }, { expr: rowNumber, as: 'n' }], from: sub(cleaned()) }, 'numbered'),
  where: amountIsBad,
  orderBy: [{ expr: col('n') }],
});

let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run(`CREATE TABLE t AS SELECT i AS id, '  User' || i || '@Example.COM ' AS email, CASE WHEN i % 7 = 3 THEN 'n/a' ELSE CAST(i AS VARCHAR) END AS amount FROM range(1, 50) r(i)`);
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

async function rows(s: Select): Promise<unknown[]> {
  const { sql: text, params } = renderSelect(s, noFiles);
  return (await conn.runAndReadAll(text, params)).getRowsJson();
}

describe('flattenProjections', () => {
  it('numbers the rows before the cleaning and cleans only the rejected ones, with the same rows and numbers', async () => {
    const query = rejectsOverCleaning();
    const flat = flattenProjections(query);
    // One SELECT over the numbered table: the filter and the cleaning sit together, the numbering below them.
    expect(sql(flat)).toBe(
      `SELECT "id", lower(trim("email")) AS "email", "amount", concat('Row ', CAST("n" AS VARCHAR)) AS "message" FROM (SELECT "id", "email", "amount", row_number() OVER () AS "n" FROM "t") AS "cleaned_numbered" WHERE (TRY_CAST("amount" AS DOUBLE) IS NULL) ORDER BY "n" ASC NULLS LAST`,
    );
    const expected = await rows(query);
    expect(expected).toHaveLength(7);
    expect(expected[0]).toEqual(['3', 'user3@example.com', 'n/a', 'Row 3']);
    expect(await rows(flat)).toEqual(expected);
  });

  it('merges a projection into a reader that uses each computed column once', async () => {
    const query: Select = { t: 'select', items: '*', from: sub(cleaned()), where: { t: 'compare', op: '>', left: col('id'), right: { t: 'param', value: 40 } } };
    const flat = flattenProjections(query);
    expect(sql(flat)).toBe(`SELECT "id", lower(trim("email")) AS "email", "amount" FROM "t" WHERE ("id" > $1)`);
    expect(await rows(flat)).toEqual(await rows(query));
  });

  it('leaves a projection alone where its reader would compute an expression twice', () => {
    // email is filtered on and returned: merged, lower(trim()) would run twice per row.
    const query: Select = { t: 'select', items: '*', from: sub(cleaned()), where: { t: 'compare', op: '=', left: col('email'), right: { t: 'param', value: 'user3@example.com' } } };
    expect(flattenProjections(query)).toEqual(query);
  });

  it('leaves a reader with a user expression alone, since it cannot see which columns the text reads', () => {
    const query: Select = { t: 'select', items: [{ expr: { t: 'checkedSql', sql: 'upper(email)' }, as: 'shout' }], from: sub(cleaned()) };
    expect(flattenProjections(query)).toEqual(query);
  });

  it('leaves ORDER BY alone when it may name the reader\'s own output alias', () => {
    const query: Select = { t: 'select', items: [{ expr: col('email'), as: 'id' }], from: sub(cleaned()), orderBy: [{ expr: col('id') }] };
    expect(flattenProjections(query)).toEqual(query);
  });

  it('does not number below a projection whose input has a column of the number\'s name that it reads', async () => {
    // The cleaning reads "email" and calls its result "contact"; the numbering is called "email".
    const projection: Select = { t: 'select', items: [{ expr: call('lower', col('email')), as: 'contact' }], from: { t: 'table', name: 't' } };
    const query: Select = { t: 'select', items: [{ expr: col('contact') }, { expr: rowNumber, as: 'email' }], from: sub(projection) };
    const flat = flattenProjections(query);
    // Merged as one SELECT (which numbers and lowers together, as before), not numbered in a subquery of its own.
    expect(sql(flat)).toBe(`SELECT lower("email") AS "contact", row_number() OVER () AS "email" FROM "t"`);
    expect(await rows(flat)).toEqual(await rows(query));
  });

  it('leaves projections over aggregates and windows as they are', () => {
    const counted: Select = { t: 'select', items: [{ expr: { t: 'aggregate', fn: 'count', args: [] }, as: 'n' }], from: { t: 'table', name: 't' } };
    const query: Select = { t: 'select', items: '*', from: sub(counted) };
    expect(flattenProjections(query)).toEqual(query);
  });
});

describe('compiled casts over a cleaning step', () => {
  const doc: VisualPipeline = {
    formatVersion: FORMAT_VERSION,
    nodes: [
      csvSourceNode('src', 'in.csv', [{ name: 'id', type: 'integer' }, { name: 'email', type: 'string' }, { name: 'amount', type: 'string' }]),
      { id: 'clean', kind: 'clean-text', version: 1, position: { x: 0, y: 0 }, config: { steps: [{ column: 'email', operation: 'trim' }, { column: 'email', operation: 'lower' }] } },
      { id: 'typed', kind: 'cast-columns', version: 1, position: { x: 0, y: 0 }, config: { casts: [{ column: 'amount', to: 'float' }], onError: 'reject' } },
      { id: 'out', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out.csv' } },
    ],
    edges: chainEdges(['src', 'clean', 'typed', 'out']),
  };

  it('find the rejected rows with the cleaning after the numbering and the filter', () => {
    const stage = compile(doc).plan?.stages.find((s) => s.nodeIds.includes('typed'));
    const rejects = stage?.ops.find((op) => op.op === 'materialize' && op.rejects);
    if (rejects?.op !== 'materialize') throw new Error('expected the cast\'s rejects query');
    const text = sql(rejects.query);
    // The table is numbered as it is; lower(trim()) runs in the statement that filters.
    expect(text).toMatch(/FROM \(SELECT "id", "email", "amount", row_number\(\) OVER \(\) AS "reject_row" FROM "s0_output"\)/);
    expect(text).toMatch(/^SELECT "id", lower\(trim\("email"\)\) AS "email"/);
  });
});
