import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { pivot, PivotConfig } from './pivot';

const sales: TestInput = {
  columns: [
    { name: 'region', type: 'string' },
    { name: 'quarter', type: 'string' },
    { name: 'year', type: 'integer' },
    { name: 'amount', type: 'integer' },
    { name: 'price', type: 'float' },
    { name: 'seq', type: 'integer' },
  ],
  rows: [
    { region: 'Nord', quarter: 'Q1', year: 2024, amount: 10, price: 1.5, seq: 3 },
    { region: 'Nord', quarter: 'Q1', year: 2024, amount: 10, price: 2.5, seq: 1 },
    { region: 'Nord', quarter: 'Q2', year: 2025, amount: null, price: 4, seq: 2 },
    { region: '東京', quarter: 'Q2', year: 2024, amount: 7, price: null, seq: 4 },
    { region: '東京', quarter: 'Q3', year: 2025, amount: 5, price: 3, seq: 5 },
    { region: 'Zoë', quarter: 'Q4', year: 2023, amount: 1, price: 1, seq: 6 },
    { region: null, quarter: 'Q1', year: null, amount: 2, price: 0.5, seq: 7 },
    { region: null, quarter: null, year: 2024, amount: 100, price: 9, seq: 8 },
  ],
};
const columns = sales.columns;

const parse = (config: Record<string, unknown>) => PivotConfig.parse(config);
const propagate = (config: Record<string, unknown>, input: Column[] = columns) => pivot.propagate({ config: parse(config), inputs: { input } });
const quarters = [{ value: 'Q1' }, { value: 'Q2', as: 'spring' }, { value: 'Q3' }];

function rendered(config: Record<string, unknown>) {
  const [op, ...rest] = pivot.plan({ nodeId: 'p', config: parse(config), inputs: { input: table('s0_output') }, inputColumns: { input: columns }, outputTable: (port) => `s1_${port}` });
  expect(rest).toEqual([]);
  return renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
}

describe('pivot config', () => {
  it('fills defaults and needs a pivot column and at least one value', () => {
    expect(parse({ pivotColumn: 'quarter', values: [{ value: 'Q1' }] })).toEqual({ groupBy: [], pivotColumn: 'quarter', valueColumn: '', function: 'sum', orderBy: '', values: [{ value: 'Q1', as: '' }] });
    const missing = PivotConfig.safeParse({ pivotColumn: '', values: [], function: 'median' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['pivotColumn', 'Choose the column whose values become columns'],
      ['function', 'Choose an aggregate function'],
      ['values', 'List at least one pivot value: the output columns must be known before the data is read'],
    ]);
  });
});

describe('pivot propagate', () => {
  it('outputs the group-by columns, then one column per listed value, typed by the aggregate', () => {
    const result = propagate({ groupBy: ['region'], pivotColumn: 'quarter', valueColumn: 'amount', values: quarters });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual([
      { name: 'region', type: 'string' },
      { name: 'Q1', type: 'integer' },
      { name: 'spring', type: 'integer' },
      { name: 'Q3', type: 'integer' },
    ]);
    expect(result.lineage.output).toEqual({
      region: { from: [{ port: 'input', column: 'region' }], how: 'copied' },
      Q1: { from: [{ port: 'input', column: 'amount' }, { port: 'input', column: 'quarter' }], how: 'aggregated' },
      spring: { from: [{ port: 'input', column: 'amount' }, { port: 'input', column: 'quarter' }], how: 'aggregated' },
      Q3: { from: [{ port: 'input', column: 'amount' }, { port: 'input', column: 'quarter' }], how: 'aggregated' },
    });
    const types = (fn: string, valueColumn: string) => propagate({ pivotColumn: 'quarter', valueColumn, function: fn, values: [{ value: 'Q1' }] }).outputs.output?.[0]?.type;
    expect([types('count', ''), types('count', 'region'), types('avg', 'amount'), types('sum', 'price'), types('min', 'region'), types('first', 'year')]).toEqual(['integer', 'integer', 'float', 'float', 'string', 'integer']);
    const counted = propagate({ pivotColumn: 'year', function: 'count', orderBy: '', values: [{ value: '2024' }] });
    expect(counted.lineage.output?.['2024']).toEqual({ from: [{ port: 'input', column: 'year' }], how: 'aggregated' });
    expect(propagate({ pivotColumn: 'year', valueColumn: 'region', function: 'first', orderBy: 'seq', values: [{ value: '2024' }] }).uses).toEqual([{ port: 'input', column: 'seq', how: 'order' }]);
  });

  it('reports unknown columns, wrong types, unparsable, repeated and clashing values', () => {
    const result = propagate({
      groupBy: ['regio', 'quarter', 'seq'],
      pivotColumn: 'year',
      valueColumn: 'region',
      function: 'sum',
      orderBy: 'seq',
      values: [{ value: '2024' }, { value: ' 2024 ' }, { value: 'twenty' }, { value: '2023', as: 'SEQ' }, { value: '2025', as: ' ' }],
    });
    expect(result.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['UNKNOWN_COLUMN', 'groupBy.0', 'Column "regio" does not exist in the input; did you mean "region"? (available: region, quarter, year, amount, price, seq)'],
      ['TYPE_MISMATCH', 'function', 'Sum needs a numeric value column, but "region" is string'],
      ['INVALID_CONFIG', 'orderBy', 'An order only matters for first; clear it or choose first'],
      ['INVALID_CONFIG', 'values.1.value', 'The value "2024" is already listed (value 1)'],
      ['INVALID_VALUE', 'values.2.value', '"twenty" is not a integer value, but the pivot column "year" is integer'],
      ['DUPLICATE_OUTPUT_COLUMN', 'values.3.as', 'The output name "SEQ" is already used by the group-by column "seq" (names are case-insensitive); enter another name'],
      ['INVALID_VALUE', 'values.4.as', 'Name the output column of this value'],
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['quarter', 'seq', '2024']);
    const grouped = propagate({ groupBy: ['quarter'], pivotColumn: 'quarter', valueColumn: '', function: 'avg', values: [{ value: 'Q1' }] });
    expect(grouped.issues?.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['INVALID_CONFIG', 'groupBy.0'],
      ['INVALID_CONFIG', 'valueColumn'],
    ]);
    expect(propagate({ pivotColumn: 'qarter', values: [{ value: 'Q1' }], valueColumn: 'amount' }).issues?.map((i) => i.path.join('.'))).toEqual(['pivotColumn']);
  });
});

describe('pivot plan', () => {
  it('renders one filtered aggregate per value, each value bound and cast to the pivot column’s type', () => {
    expect(rendered({ groupBy: ['region'], pivotColumn: 'year', valueColumn: 'amount', values: [{ value: ' 2024' }, { value: '2025', as: 'x"; DROP TABLE t;--' }] })).toMatchInlineSnapshot(`
      {
        "params": [
          "2024",
          "2025",
        ],
        "sql": "SELECT "region", CAST(sum("amount") FILTER (WHERE ("year" = CAST($1 AS BIGINT))) AS BIGINT) AS "2024", CAST(sum("amount") FILTER (WHERE ("year" = CAST($2 AS BIGINT))) AS BIGINT) AS "x""; DROP TABLE t;--" FROM "s0_output" GROUP BY "region"",
      }
    `);
  });

  it('renders count of rows, first by an order, and no GROUP BY without group-by columns', () => {
    expect(rendered({ pivotColumn: 'quarter', function: 'count', values: [{ value: "Q1'" }] })).toMatchInlineSnapshot(`
      {
        "params": [
          "Q1'",
        ],
        "sql": "SELECT count(*) FILTER (WHERE ("quarter" = $1)) AS "Q1'" FROM "s0_output"",
      }
    `);
    expect(rendered({ pivotColumn: 'quarter', function: 'first', valueColumn: 'price', orderBy: 'seq', values: [{ value: 'Q1' }] }).sql).toBe(
      'SELECT first("price" ORDER BY "seq" ASC NULLS LAST) FILTER (WHERE ("quarter" = $1)) AS "Q1" FROM "s0_output"',
    );
  });
});

// ── On DuckDB, against PostgreSQL (written with CASE, not FILTER) ────────────
async function differential(config: Record<string, unknown>, data: TestInput, oracleSql: string) {
  const sluice = await runNode({ kind: 'pivot', config, inputs: { input: data } });
  const oracle = await postgresRows({ sales: data }, oracleSql);
  expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  return sluice;
}

const byRegion = { groupBy: ['region'], pivotColumn: 'quarter', valueColumn: 'amount', function: 'sum', values: quarters };
const byRegionOracle = `SELECT region,
    sum(CASE WHEN quarter = 'Q1' THEN amount END) AS "Q1",
    sum(CASE WHEN quarter = 'Q2' THEN amount END) AS spring,
    sum(CASE WHEN quarter = 'Q3' THEN amount END) AS "Q3"
  FROM sales GROUP BY region`;

describe('pivot on DuckDB, against PostgreSQL', () => {
  it('sums per group and value; NULL is a group; unlisted values are ignored but their groups stay', async () => {
    const sluice = await differential(byRegion, sales, byRegionOracle);
    expect(sluice.columns).toEqual(['region', 'Q1', 'spring', 'Q3']);
    const rows = normalizeRows(sluice.rows);
    // Duplicate rows add up; a NULL amount adds nothing; Zoë only has Q4 (not listed) and still appears.
    expect(rows.find((r) => r.region === 'Nord')).toEqual({ region: 'Nord', Q1: 20, spring: null, Q3: null });
    expect(rows.find((r) => r.region === 'Zoë')).toEqual({ region: 'Zoë', Q1: null, spring: null, Q3: null });
    expect(rows.find((r) => r.region === null)).toEqual({ region: null, Q1: 2, spring: null, Q3: null });
    expect(sluice.compiled.schemas.under_test?.output?.map((c) => c.type)).toEqual(['string', 'integer', 'integer', 'integer']);
  });

  it('counts, averages and takes the first by order, pivoting on an integer column', async () => {
    for (const [fn, valueColumn, pgAggregate] of [
      ['count', '', (y: number) => `count(CASE WHEN year = ${y} THEN 1 END)`],
      ['count', 'amount', (y: number) => `count(CASE WHEN year = ${y} THEN amount END)`],
      ['avg', 'price', (y: number) => `avg(CASE WHEN year = ${y} THEN price END)`],
      ['max', 'region', (y: number) => `max(CASE WHEN year = ${y} THEN region END COLLATE "C")`],
      ['first', 'price', (y: number) => `(array_agg(price ORDER BY seq) FILTER (WHERE year = ${y}))[1]`],
    ] as const) {
      const config = { groupBy: ['quarter'], pivotColumn: 'year', valueColumn, function: fn, orderBy: fn === 'first' ? 'seq' : '', values: [{ value: '2024' }, { value: '2025', as: 'next' }] };
      await differential(config, sales, `SELECT quarter, ${pgAggregate(2024)} AS "2024", ${pgAggregate(2025)} AS next FROM sales GROUP BY quarter`);
    }
  });

  it('pivots unicode values into unicode column names', async () => {
    const sluice = await differential(
      { pivotColumn: 'region', valueColumn: 'amount', function: 'sum', values: [{ value: '東京' }, { value: 'Zoë', as: 'zoë' }] },
      sales,
      `SELECT sum(CASE WHEN region = '東京' THEN amount END) AS "東京", sum(CASE WHEN region = 'Zoë' THEN amount END) AS "zoë" FROM sales`,
    );
    expect(normalizeRows(sluice.rows)).toEqual([{ 東京: 12, zoë: 1 }]);
  });

  it('outputs no rows for an empty input with group-by columns, one row without', async () => {
    const empty = { ...sales, rows: [] };
    const grouped = await differential(byRegion, empty, byRegionOracle);
    expect(grouped.rows).toEqual([]);
    const counted = await differential({ pivotColumn: 'quarter', function: 'count', values: [{ value: 'Q1' }] }, empty, `SELECT count(CASE WHEN quarter = 'Q1' THEN 1 END) AS "Q1" FROM sales`);
    expect(normalizeRows(counted.rows)).toEqual([{ Q1: 0 }]);
  });
});
