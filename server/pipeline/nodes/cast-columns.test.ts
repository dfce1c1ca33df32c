import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { cast, col, renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { ColumnTypeSchema, duckDbTypeOf, type Column, type ColumnType } from '../types';
import { canCast, castColumns, CastColumnsConfig } from './cast-columns';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'code', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'paid', type: 'boolean' },
  { name: 'ordered_on', type: 'date' },
  { name: 'shipped_at', type: 'timestamp' },
];

function issues(config: unknown) {
  const result = CastColumnsConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const rule = (column: string, to: string) => ({ column, to });
const propagate = (casts: { column: string; to: string }[], columns: Column[] = input) =>
  castColumns.propagate({ config: CastColumnsConfig.parse({ casts }), inputs: { input: columns } });

function planOf(casts: { column: string; to: string }[], columns: Column[] = input, from = 's0_output', onError = 'fail') {
  return castColumns.plan({
    nodeId: 'c',
    config: CastColumnsConfig.parse({ casts, onError }),
    inputs: { input: table(from) },
    inputColumns: { input: columns },
    outputTable: (port) => `s1_${port}`,
  });
}

/** The SQL of the op that materialises `table` (the output by default). */
function rendered(casts: { column: string; to: string }[], columns: Column[] = input, from = 's0_output', onError = 'fail', table = 's1_output') {
  const op = planOf(casts, columns, from, onError).find((o) => o.op === 'materialize' && o.table === table);
  if (op?.op !== 'materialize') throw new Error(`no materialize op for ${table}`);
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('cast-columns config', () => {
  it('accepts conversions, defaulting onError to "fail"', () => {
    expect(CastColumnsConfig.parse({ casts: [rule('code', 'integer')] })).toEqual({ casts: [{ column: 'code', to: 'integer' }], onError: 'fail' });
  });

  it('accepts each policy for values that do not convert, and nothing else', () => {
    for (const onError of ['fail', 'null', 'reject']) expect(issues({ casts: [rule('code', 'integer')], onError })).toEqual([]);
    expect(issues({ casts: [rule('code', 'integer')], onError: 'drop' })).toEqual([{ path: ['onError'], message: expect.stringMatching(/expected one of/) as unknown }]);
  });

  it('accepts every column type as a target', () => {
    for (const to of ColumnTypeSchema.options) expect(issues({ casts: [rule('code', to)] })).toEqual([]);
  });

  it.each([
    ['no conversions', { casts: [] }, ['casts'], 'Add at least one column to convert'],
    ['a missing list', {}, ['casts'], /expected array/],
    ['a conversion without a column', { casts: [rule('id', 'string'), rule('', 'integer')] }, ['casts', 1, 'column'], 'Choose a column'],
    ['a conversion without a type', { casts: [{ column: 'id' }] }, ['casts', 0, 'to'], /expected one of/],
    ['an unknown type', { casts: [rule('id', 'money')] }, ['casts', 0, 'to'], /expected one of/],
    // Setting bad values to NULL needs TRY_CAST, which the SQL AST does not have yet.
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('cast-columns propagate', () => {
  it('changes the types of converted columns in place, with derived lineage, and copies the rest', () => {
    const result = propagate([rule('code', 'integer'), rule('shipped_at', 'date')]);
    expect(result.outputs).toEqual({
      output: [
        { name: 'id', type: 'integer' },
        { name: 'code', type: 'integer' },
        { name: 'amount', type: 'float' },
        { name: 'paid', type: 'boolean' },
        { name: 'ordered_on', type: 'date' },
        { name: 'shipped_at', type: 'date' },
      ],
    });
    expect(result.lineage.output?.code).toEqual({ from: [{ port: 'input', column: 'code' }], how: 'derived' });
    expect(result.lineage.output?.shipped_at).toEqual({ from: [{ port: 'input', column: 'shipped_at' }], how: 'derived' });
    expect(result.lineage.output?.id).toEqual({ from: [{ port: 'input', column: 'id' }], how: 'copied' });
    expect(Object.keys(result.lineage.output ?? {})).toEqual(input.map((c) => c.name));
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at the conversion\'s column with a suggestion', () => {
    const result = propagate([rule('cdoe', 'integer')]);
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['casts', 0, 'column'],
        message: 'Column "cdoe" does not exist in the input; did you mean "code"? (available: id, code, amount, paid, ordered_on, shipped_at)',
      },
    ]);
    expect(result.outputs.output).toEqual(input);
  });

  it('reports a column converted twice at the second entry and applies the first', () => {
    const result = propagate([rule('code', 'integer'), rule('code', 'date')]);
    expect(result.issues).toEqual([{ code: 'INVALID_CONFIG', path: ['casts', 1, 'column'], message: 'Column "code" is already converted by an earlier entry' }]);
    expect(result.outputs.output?.[1]).toEqual({ name: 'code', type: 'integer' });
  });

  it('reports a conversion DuckDB does not implement as a type mismatch at the target type', () => {
    const result = propagate([rule('id', 'date'), rule('ordered_on', 'float'), rule('paid', 'timestamp')]);
    expect(result.issues).toEqual([
      {
        code: 'TYPE_MISMATCH',
        path: ['casts', 0, 'to'],
        message: '"id" is integer, which cannot be converted to date (convert it to string first if the text form is what you need)',
      },
      {
        code: 'TYPE_MISMATCH',
        path: ['casts', 1, 'to'],
        message: '"ordered_on" is date, which cannot be converted to float (convert it to string first if the text form is what you need)',
      },
      {
        code: 'TYPE_MISMATCH',
        path: ['casts', 2, 'to'],
        message: '"paid" is boolean, which cannot be converted to timestamp (convert it to string first if the text form is what you need)',
      },
    ]);
    expect(result.outputs.output).toEqual(input);
  });

  it('warns about a conversion to the type the column already has', () => {
    const result = propagate([rule('amount', 'float')]);
    expect(result.issues).toEqual([{ code: 'INVALID_CONFIG', severity: 'warning', path: ['casts', 0, 'to'], message: '"amount" is already float; this conversion does nothing' }]);
    expect(result.lineage.output?.amount?.how).toBe('copied');
  });

  it('treats a missing input as having no columns', () => {
    const result = castColumns.propagate({ config: { casts: [rule('id', 'string') as { column: string; to: ColumnType }], onError: 'fail' }, inputs: {} });
    expect(result.issues?.[0]?.message).toBe('Column "id" does not exist in the input (available: none)');
  });
});

describe('cast-columns plan', () => {
  it('casts the converted columns under their own names and selects the rest as they are', () => {
    expect(planOf([rule('code', 'integer')], input.slice(0, 3)).filter((op) => op.op === 'materialize' && op.table === 's1_output')).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": [
              {
                "expr": {
                  "name": "id",
                  "t": "column",
                },
              },
              {
                "as": "code",
                "expr": {
                  "expr": {
                    "name": "code",
                    "t": "column",
                  },
                  "t": "cast",
                  "to": "integer",
                },
              },
              {
                "expr": {
                  "name": "amount",
                  "t": "column",
                },
              },
            ],
            "t": "select",
          },
          "table": "s1_output",
        },
      ]
    `);
  });

  it('renders one CAST per converted column, in input order, and leaves a no-op conversion out', () => {
    expect(rendered([rule('shipped_at', 'date'), rule('code', 'timestamp'), rule('amount', 'float'), rule('paid', 'string')])).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "id", CAST("code" AS TIMESTAMP) AS "code", "amount", CAST("paid" AS VARCHAR) AS "paid", "ordered_on", CAST("shipped_at" AS DATE) AS "shipped_at" FROM "s0_output"",
      }
    `);
  });

  it('with onError "fail", first materialises the rows that do not convert, numbered in input order, and fails on them', () => {
    const plan = planOf([rule('code', 'integer'), rule('shipped_at', 'date')], input, 's0_output', 'fail');
    expect(plan.map((op) => (op.op === 'materialize' ? [op.table, op.rejects?.action ?? null] : [op.op]))).toEqual([
      ['s1_output_rejects', 'fail'],
      ['s1_output', null],
    ]);
    expect(plan[0]?.op === 'materialize' ? plan[0].rejects : null).toEqual({
      nodeId: 'c',
      reason: 'CAST_FAILED',
      action: 'fail',
      messageColumn: 'reject_message',
      rowColumns: input.map((c) => c.name),
    });
    expect(rendered([rule('code', 'integer'), rule('shipped_at', 'date')], input, 's0_output', 'fail', 's1_output_rejects')).toMatchInlineSnapshot(`
      {
        "params": [
          "code",
          "shipped_at",
        ],
        "sql": "SELECT "id", "code", "amount", "paid", "ordered_on", "shipped_at", concat('Row ', CAST("reject_row" AS VARCHAR), ': ', regexp_replace(concat(CASE WHEN (("code" IS NOT NULL) AND (TRY_CAST("code" AS BIGINT) IS NULL)) THEN concat('column "', $1, '" value ''', CAST("code" AS VARCHAR), ''' does not convert to integer; ') ELSE '' END, CASE WHEN (("shipped_at" IS NOT NULL) AND (TRY_CAST("shipped_at" AS DATE) IS NULL)) THEN concat('column "', $2, '" value ''', CAST("shipped_at" AS VARCHAR), ''' does not convert to date; ') ELSE '' END), '; $', '')) AS "reject_message" FROM (SELECT "id", "code", "amount", "paid", "ordered_on", "shipped_at", row_number() OVER () AS "reject_row" FROM "s0_output") AS "numbered" WHERE ((("code" IS NOT NULL) AND (TRY_CAST("code" AS BIGINT) IS NULL)) OR (("shipped_at" IS NOT NULL) AND (TRY_CAST("shipped_at" AS DATE) IS NULL))) ORDER BY "reject_row" ASC NULLS LAST",
      }
    `);
  });

  it('with onError "reject", keeps the rows where every value converts and dead-letters the others', () => {
    const plan = planOf([rule('code', 'integer')], input.slice(0, 2), 's0_output', 'reject');
    expect(plan.map((op) => (op.op === 'materialize' ? [op.table, op.rejects?.action ?? null] : [op.op]))).toEqual([
      ['s1_output_rejects', 'deadLetter'],
      ['s1_output', null],
    ]);
    expect(rendered([rule('code', 'integer')], input.slice(0, 2), 's0_output', 'reject')).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "id", TRY_CAST("code" AS BIGINT) AS "code" FROM "s0_output" WHERE (NOT ((("code" IS NOT NULL) AND (TRY_CAST("code" AS BIGINT) IS NULL))))",
      }
    `);
  });

  it('names its bookkeeping columns apart from input columns of the same name, in any case', () => {
    const columns: Column[] = [
      { name: 'v', type: 'string' },
      { name: 'Reject_Message', type: 'string' },
      { name: 'reject_row', type: 'string' },
    ];
    const [op] = planOf([rule('v', 'integer')], columns, 's0_output', 'reject');
    expect(op?.op === 'materialize' ? op.rejects : null).toMatchObject({ messageColumn: '_reject_message', rowColumns: ['v', 'Reject_Message', 'reject_row'] });
    expect(rendered([rule('v', 'integer')], columns, 's0_output', 'reject', 's1_output_rejects').sql).toContain('row_number() OVER () AS "_reject_row"');
  });

  it('plans no rejects when nothing is converted', () => {
    expect(planOf([rule('amount', 'float')], input, 's0_output', 'reject').map((op) => op.op === 'materialize' && op.table)).toEqual(['s1_output']);
  });

  it('refuses to plan without an input relation', () => {
    expect(() => castColumns.plan({ nodeId: 'c', config: { casts: [], onError: 'fail' }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(/without an input/);
  });
});

describe('cast-columns type rules agree with DuckDB', () => {
  const sample: Record<ColumnType, string> = {
    string: "'2024-02-29'",
    integer: '1',
    float: '1.5',
    boolean: 'true',
    date: "DATE '2024-02-29'",
    timestamp: "TIMESTAMP '2024-02-29 10:30:00'",
  };

  it('allows exactly the conversions DuckDB implements', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const columns: Column[] = ColumnTypeSchema.options.map((type) => ({ name: `c_${type}`, type }));
      await conn.run(`CREATE TABLE t AS SELECT ${columns.map((c) => `CAST(${sample[c.type]} AS ${duckDbTypeOf[c.type]}) AS ${c.name}`).join(', ')}`);
      const verdicts: string[] = [];
      for (const from of columns) {
        for (const to of ColumnTypeSchema.options) {
          if (from.type === to) continue;
          const { sql } = renderSelect({ t: 'select', items: [{ expr: cast(col(from.name), to) }], from: table('t') }, { resolveFile: () => '' });
          const ok = await conn.runAndReadAll(sql).then(
            () => true,
            (e: unknown) => (String(e).includes('Unimplemented type for cast') ? false : String(e)),
          );
          // Text → number or boolean fails on this value, not on the types.
          const duckdb = from.type === 'string' ? true : ok;
          verdicts.push(`${from.type}→${to}: sluice ${canCast(from.type, to) ? 'yes' : 'no'}, duckdb ${duckdb === true ? 'yes' : duckdb === false ? 'no' : duckdb}`);
        }
      }
      expect(verdicts).toHaveLength(30);
      expect(verdicts).toContain('integer→date: sluice no, duckdb no');
      expect(verdicts).toContain('timestamp→date: sluice yes, duckdb yes');
      for (const v of verdicts) expect(v).toMatch(/sluice (yes|no), duckdb \1$/);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

const typed: TestInput = {
  columns: [
    { name: 'n', type: 'integer' },
    { name: 'x', type: 'float' },
    { name: 'ok', type: 'boolean' },
    { name: 'day', type: 'date' },
    { name: 'at', type: 'timestamp' },
    { name: 'label', type: 'string' },
  ],
  rows: [
    { n: 1, x: 2.5, ok: true, day: '2024-02-29', at: '2024-02-29 13:45:00', label: 'Zoë' },
    { n: 0, x: -2.5, ok: false, day: '1999-12-31', at: '1999-12-31 23:59:59', label: '東京 🚀' },
    { n: 0, x: -2.5, ok: false, day: '1999-12-31', at: '1999-12-31 23:59:59', label: '東京 🚀' },
    { n: null, x: null, ok: null, day: null, at: null, label: null },
    { n: -42, x: 3.7, ok: true, day: '1970-01-01', at: '1970-01-01 00:00:00', label: 'O\'Brien, "Bob"' },
    { n: 123456789012, x: 0.5, ok: null, day: '2000-03-01', at: '2000-02-29 12:00:00.25', label: 'x' },
  ],
};

const texts: TestInput = {
  columns: [
    { name: 'int_text', type: 'string' },
    { name: 'float_text', type: 'string' },
    { name: 'bool_text', type: 'string' },
    { name: 'date_text', type: 'string' },
    { name: 'ts_text', type: 'string' },
  ],
  rows: [
    { int_text: '42', float_text: '3.25', bool_text: 'true', date_text: '2024-02-29', ts_text: '2024-02-29 13:45:00' },
    { int_text: '-7', float_text: '-1e3', bool_text: 'F', date_text: '1999-12-31', ts_text: '2024-02-29T01:02:03' },
    { int_text: '-7', float_text: '-1e3', bool_text: 'F', date_text: '1999-12-31', ts_text: '2024-02-29T01:02:03' },
    { int_text: null, float_text: null, bool_text: null, date_text: null, ts_text: null },
    { int_text: '9223372036854775807', float_text: '0.1', bool_text: 'yes', date_text: '0001-01-01', ts_text: '2024-01-01' },
  ],
};

describe('cast-columns on DuckDB', () => {
  it('converts numbers, booleans, dates and timestamps like the same casts written by hand in PostgreSQL', async () => {
    const config = {
      casts: [rule('n', 'boolean'), rule('x', 'integer'), rule('ok', 'integer'), rule('day', 'timestamp'), rule('at', 'date'), rule('label', 'string')],
    };
    const sluice = await runNode({ kind: 'cast-columns', config, inputs: { input: typed } });
    const oracle = await postgresRows(
      { typed },
      // PostgreSQL has no bigint → boolean cast; nonzero is what the cast means in both.
      `SELECT (n <> 0) AS n, x::bigint AS x, ok::int::bigint AS ok, day::timestamp AS day, at::date AS at, label FROM typed`,
    );
    expect(sluice.columns).toEqual(['n', 'x', 'ok', 'day', 'at', 'label']);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    // Both round float halves to even.
    expect(normalizeRows(sluice.rows).map((r) => r.x)).toEqual([2, -2, -2, null, 4, 0]);
  });

  it('converts to text like PostgreSQL (ISO dates and timestamps, true/false)', async () => {
    const config = { casts: [rule('n', 'string'), rule('ok', 'string'), rule('day', 'string'), rule('at', 'string')] };
    const sluice = await runNode({ kind: 'cast-columns', config, inputs: { input: typed } });
    const oracle = await postgresRows({ typed }, 'SELECT n::text AS n, x, ok::text AS ok, day::text AS day, at::text AS at, label FROM typed');
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.find((r) => r.n === '1')).toMatchObject({ ok: 'true', day: '2024-02-29', at: '2024-02-29 13:45:00' });
  });

  it('parses text like PostgreSQL, dates and timestamps included', async () => {
    const config = {
      casts: [rule('int_text', 'integer'), rule('float_text', 'float'), rule('bool_text', 'boolean'), rule('date_text', 'date'), rule('ts_text', 'timestamp')],
    };
    const sluice = await runNode({ kind: 'cast-columns', config, inputs: { input: texts } });
    const oracle = await postgresRows(
      { texts },
      'SELECT int_text::bigint AS int_text, float_text::float8 AS float_text, bool_text::boolean AS bool_text, date_text::date AS date_text, ts_text::timestamp AS ts_text FROM texts',
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows).toHaveLength(5);
  });

  it('matches PostgreSQL on an empty input', async () => {
    const empty = { ...texts, rows: [] };
    const sluice = await runNode({ kind: 'cast-columns', config: { casts: [rule('date_text', 'date')] }, inputs: { input: empty } });
    const oracle = await postgresRows({ texts: empty }, 'SELECT int_text, float_text, bool_text, date_text::date AS date_text, ts_text FROM texts');
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['int_text', 'float_text', 'bool_text', 'date_text', 'ts_text']);
  });

  // Pins DuckDB behaviour the description promises, so an upgrade that changes it is noticed.
  it('rounds text decimals to integers half away from zero, unlike float values (PostgreSQL rejects such text)', async () => {
    const input = { columns: [{ name: 'v', type: 'string' as const }], rows: [{ v: '2.5' }, { v: '-2.5' }, { v: '1.4' }] };
    const result = await runNode({ kind: 'cast-columns', config: { casts: [rule('v', 'integer')] }, inputs: { input } });
    expect(normalizeRows(result.rows).map((r) => r.v)).toEqual([3, -3, 1]);
  });

  it.each([
    ['integer', 'abc'],
    ['integer', '99999999999999999999'],
    ['boolean', 'maybe'],
    ['date', '2024-02-30'],
    ['date', '31/01/2024'],
    ['timestamp', '2024-01-31 25:00'],
  ])('fails the run on text that is not a valid %s (%s), naming the node, the row, the column and the value', async (to, bad) => {
    const input = { columns: [{ name: 'v', type: 'string' as const }], rows: [{ v: null }, { v: bad }, { v: bad }] };
    const error: unknown = await runNode({ kind: 'cast-columns', config: { casts: [rule('v', to)] }, inputs: { input } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CAST_FAILED', details: { nodeId: 'under_test', rejectedRows: 2 } });
    expect((error as Error).message).toBe(`Row 2: column "v" value '${bad}' does not convert to ${to}. 1 more row(s) fail the same way.`);
  });

  it('fails the run on a float too large for an integer', async () => {
    const input = { columns: [{ name: 'v', type: 'float' as const }], rows: [{ v: 1.5 }, { v: 1e19 }] };
    await expect(runNode({ kind: 'cast-columns', config: { casts: [rule('v', 'integer')] }, inputs: { input } })).rejects.toThrow(
      /^Row 2: column "v" value '1e\+19' does not convert to integer$/,
    );
  });

  it('does not compile a conversion DuckDB does not implement', async () => {
    await expect(runNode({ kind: 'cast-columns', config: { casts: [rule('day', 'integer')] }, inputs: { input: typed } })).rejects.toThrow(/TYPE_MISMATCH/);
  });
});

describe('cast-columns with onError "null"', () => {
  const raw: TestInput = {
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'qty', type: 'string' },
    ],
    rows: [
      { id: 1, qty: '12' },
      { id: 2, qty: 'twelve' },
      { id: 3, qty: null },
      { id: 4, qty: '99999999999999999999' },
    ],
  };

  it('plans TRY_CAST', () => {
    const [op] = castColumns.plan({
      nodeId: 'c',
      config: { casts: [{ column: 'qty', to: 'integer' }], onError: 'null' },
      inputs: { input: table('t') },
      inputColumns: { input: raw.columns },
      outputTable: () => 'out',
    });
    expect(op?.op === 'materialize' ? renderSelect(op.query, { resolveFile: () => '' }).sql : '').toBe('SELECT "id", TRY_CAST("qty" AS BIGINT) AS "qty" FROM "t"');
  });

  it('turns values that do not convert into NULL, like a guarded cast in PostgreSQL', async () => {
    const sluice = await runNode({ kind: 'cast-columns', config: { casts: [{ column: 'qty', to: 'integer' }], onError: 'null' }, inputs: { input: raw } });
    const oracle = await postgresRows({ raw }, `SELECT id, CASE WHEN qty ~ '^[0-9]{1,18}$' THEN qty::bigint END AS qty FROM raw`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(normalizeRows(sluice.rows, { sort: true }).map((r) => r.qty)).toEqual([12, null, null, null]);
  });
});

describe('cast-columns with onError "reject"', () => {
  const raw: TestInput = {
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'qty', type: 'string' },
      { name: 'day', type: 'string' },
      { name: 'flag', type: 'string' },
    ],
    rows: [
      { id: 1, qty: '12', day: '2024-02-29', flag: 'true' },
      { id: 2, qty: 'twelve', day: '2024-02-29', flag: 't' },
      { id: 3, qty: null, day: null, flag: null },
      { id: 4, qty: '99999999999999999999', day: '2024-02-30', flag: 'yes' },
      { id: 5, qty: '-7', day: '31/01/2024', flag: 'no' },
      { id: 6, qty: '7', day: '1999-12-31', flag: 'maybe' },
      { id: 7, qty: '東京 🚀', day: '2024-01-01', flag: 'f' },
      { id: 8, qty: 'twelve', day: '2024-02-29', flag: 't' },
      { id: 9, qty: '0', day: '0001-01-01', flag: 'false' },
      { id: 9, qty: '0', day: '0001-01-01', flag: 'false' },
    ],
  };
  const casts = [rule('qty', 'integer'), rule('day', 'date'), rule('flag', 'boolean')];
  // PostgreSQL 15 has no pg_input_is_valid: try the cast and catch the error.
  const converts = `CREATE FUNCTION pg_temp.converts(v text, t text) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN EXECUTE format('SELECT %L::%s', v, t); RETURN true; EXCEPTION WHEN others THEN RETURN false; END $$`;
  const allConvert = `(qty IS NULL OR pg_temp.converts(qty, 'bigint')) AND (day IS NULL OR pg_temp.converts(day, 'date')) AND (flag IS NULL OR pg_temp.converts(flag, 'boolean'))`;

  it('keeps the rows PostgreSQL can convert, converted, and rejects the others with their original values', async () => {
    const sluice = await runNode({ kind: 'cast-columns', config: { casts, onError: 'reject' }, inputs: { input: raw } });
    const kept = await postgresRows({ raw }, `SELECT id, qty::bigint AS qty, day::date AS day, flag::boolean AS flag FROM raw WHERE ${allConvert}`, [], [converts]);
    const rejected = await postgresRows({ raw }, `SELECT id, qty, day, flag FROM raw WHERE NOT (${allConvert})`, [], [converts]);

    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(kept, { sort: true }));
    expect(sluice.rows).toHaveLength(4);
    const rejects = sluice.rejects.flatMap((b) => b.rows);
    expect(sluice.rejects.every((b) => b.nodeId === 'under_test' && b.reason === 'CAST_FAILED')).toBe(true);
    expect(normalizeRows(rejects.map((r) => r.row ?? {}))).toEqual(normalizeRows(rejected));
    expect(rejects.map((r) => r.message)).toEqual([
      `Row 2: column "qty" value 'twelve' does not convert to integer`,
      `Row 4: column "qty" value '99999999999999999999' does not convert to integer; column "day" value '2024-02-30' does not convert to date`,
      `Row 5: column "day" value '31/01/2024' does not convert to date`,
      `Row 6: column "flag" value 'maybe' does not convert to boolean`,
      `Row 7: column "qty" value '東京 🚀' does not convert to integer`,
      `Row 8: column "qty" value 'twelve' does not convert to integer`,
    ]);
    expect(rejects.every((r) => r.sourceLine === null && r.rawLine === null)).toBe(true);
  });

  it('rejects nothing from an empty input, like PostgreSQL', async () => {
    const empty = { ...raw, rows: [] };
    const sluice = await runNode({ kind: 'cast-columns', config: { casts, onError: 'reject' }, inputs: { input: empty } });
    const oracle = await postgresRows({ raw: empty }, `SELECT id, qty::bigint AS qty, day::date AS day, flag::boolean AS flag FROM raw WHERE ${allConvert}`, [], [converts]);
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.rejects).toEqual([]);
  });
});
