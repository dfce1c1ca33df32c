import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { aggregate, AggregateConfig, aggregateOutputName, AggregateSpec } from './aggregate';

const input: Column[] = [
  { name: 'region', type: 'string' },
  { name: 'product', type: 'string' },
  { name: 'qty', type: 'integer' },
  { name: 'price', type: 'float' },
  { name: 'paid', type: 'boolean' },
  { name: 'sold_on', type: 'date' },
  { name: 'seq', type: 'integer' },
];

function issues(config: unknown) {
  const result = AggregateConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const agg = (fn: string, column = '', extra: Record<string, unknown> = {}) => ({ function: fn, column, ...extra });
const propagate = (config: unknown, columns: Column[] = input) => aggregate.propagate({ config: AggregateConfig.parse(config), inputs: { input: columns } });

function rendered(config: unknown) {
  const ops = aggregate.plan({ nodeId: 'a', config: AggregateConfig.parse(config), inputs: { input: table('s0_output') }, inputColumns: { input }, outputTable: (port) => `s1_${port}` });
  const [op] = ops;
  if (ops.length !== 1 || op?.op !== 'materialize') throw new Error('expected one materialize op');
  expect(op.table).toBe('s1_output');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('aggregate config', () => {
  it('fills in defaults for each kind of aggregate and drops settings a function does not use', () => {
    expect(
      AggregateConfig.parse({
        aggregates: [
          agg('count'),
          agg('sum', 'qty', { fraction: 0.3, separator: '-' }),
          agg('percentile', 'price'),
          agg('last', 'product'),
          agg('string_agg', 'product', { as: 'products' }),
        ],
      }),
    ).toEqual({
      groupBy: [],
      aggregates: [
        { function: 'count', column: '', as: '' },
        { function: 'sum', column: 'qty', as: '' },
        { function: 'percentile', column: 'price', fraction: 0.5, as: '' },
        { function: 'last', column: 'product', orderBy: '', as: '' },
        { function: 'string_agg', column: 'product', separator: ', ', orderBy: '', as: 'products' },
      ],
    });
  });

  it('accepts every function', () => {
    for (const fn of ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'median', 'stddev', 'variance', 'percentile', 'first', 'last', 'string_agg', 'any', 'all']) {
      expect(issues({ groupBy: ['region'], aggregates: [agg(fn, 'qty')] })).toEqual([]);
    }
  });

  it('accepts fractions 0 and 1 and an empty separator', () => {
    expect(issues({ aggregates: [agg('percentile', 'qty', { fraction: 0 }), agg('percentile', 'qty', { fraction: 1 }), agg('string_agg', 'product', { separator: '' })] })).toEqual([]);
  });

  it.each([
    ['no aggregates', { aggregates: [] }, ['aggregates'], 'Add at least one aggregate'],
    ['missing aggregates', { groupBy: ['region'] }, ['aggregates'], /expected array/],
    ['an unknown function', { aggregates: [agg('count'), agg('mode', 'qty')] }, ['aggregates', 1, 'function'], 'Choose an aggregate function'],
    ['a missing function', { aggregates: [{ column: 'qty' }] }, ['aggregates', 0, 'function'], 'Choose an aggregate function'],
    ['an aggregate that is not an object', { aggregates: ['sum'] }, ['aggregates', 0], /expected object/],
    ['sum without a column', { aggregates: [agg('sum')] }, ['aggregates', 0, 'column'], 'Choose a column'],
    ['a fraction above 1', { aggregates: [agg('percentile', 'qty', { fraction: 1.5 })] }, ['aggregates', 0, 'fraction'], 'The fraction must be between 0 and 1'],
    ['a negative fraction', { aggregates: [agg('percentile', 'qty', { fraction: -0.1 })] }, ['aggregates', 0, 'fraction'], 'The fraction must be between 0 and 1'],
    ['a fraction given as text', { aggregates: [agg('percentile', 'qty', { fraction: '0.5' })] }, ['aggregates', 0, 'fraction'], /expected number/],
    ['an output name with a NUL', { aggregates: [agg('count', '', { as: 'a\0b' })] }, ['aggregates', 0, 'as'], 'The name contains a NUL character'],
    ['a separator with a NUL', { aggregates: [agg('string_agg', 'product', { separator: '\0' })] }, ['aggregates', 0, 'separator'], 'The separator contains a NUL character'],
    ['an empty group-by column', { groupBy: ['region', ''], aggregates: [agg('count')] }, ['groupBy', 1], 'Choose a column'],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('aggregate output names', () => {
  it.each([
    [agg('count'), 'count'],
    [agg('count', 'qty'), 'count_qty'],
    [agg('count_distinct', 'product'), 'count_distinct_product'],
    [agg('sum', 'price'), 'sum_price'],
    [agg('percentile', 'price'), 'p50_price'],
    [agg('percentile', 'price', { fraction: 0.95 }), 'p95_price'],
    [agg('percentile', 'price', { fraction: 0.999 }), 'p99_9_price'],
    [agg('percentile', 'price', { fraction: 0.07 }), 'p7_price'],
    [agg('any', 'paid', { as: 'Paid?' }), 'Paid?'],
  ])('%j is called %s', (spec, name) => {
    expect(aggregateOutputName(AggregateSpec.parse(spec))).toBe(name);
  });
});

describe('aggregate propagate', () => {
  it('outputs the group-by columns, copied, then one aggregated column per aggregate', () => {
    const result = propagate({ groupBy: ['region', 'paid'], aggregates: [agg('count'), agg('sum', 'qty', { as: 'units' })] });
    expect(result.outputs).toEqual({
      output: [
        { name: 'region', type: 'string' },
        { name: 'paid', type: 'boolean' },
        { name: 'count', type: 'integer' },
        { name: 'units', type: 'integer' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        region: { from: [{ port: 'input', column: 'region' }], how: 'copied' },
        paid: { from: [{ port: 'input', column: 'paid' }], how: 'copied' },
        count: { from: [], how: 'aggregated' },
        units: { from: [{ port: 'input', column: 'qty' }], how: 'aggregated' },
      },
    });
    expect(result.uses).toEqual([]);
    expect(result.issues).toEqual([]);
  });

  it('types each function’s output', () => {
    const aggregates = [
      agg('count', 'product'),
      agg('count_distinct', 'price'),
      agg('sum', 'qty'),
      agg('sum', 'price'),
      agg('avg', 'qty'),
      agg('median', 'qty'),
      agg('stddev', 'qty'),
      agg('variance', 'price'),
      agg('percentile', 'qty'),
      agg('min', 'sold_on'),
      agg('max', 'product'),
      agg('first', 'paid'),
      agg('last', 'price'),
      agg('string_agg', 'qty'),
      agg('any', 'paid'),
      agg('all', 'paid'),
    ];
    const result = propagate({ aggregates });
    expect(result.issues).toEqual([]);
    expect(Object.fromEntries((result.outputs.output ?? []).map((c) => [c.name, c.type]))).toEqual({
      count_product: 'integer',
      count_distinct_price: 'integer',
      sum_qty: 'integer',
      sum_price: 'float',
      avg_qty: 'float',
      median_qty: 'float',
      stddev_qty: 'float',
      variance_price: 'float',
      p50_qty: 'float',
      min_sold_on: 'date',
      max_product: 'string',
      first_paid: 'boolean',
      last_price: 'float',
      string_agg_qty: 'string',
      any_paid: 'boolean',
      all_paid: 'boolean',
    });
  });

  it('records the columns that order first, last and string_agg', () => {
    const result = propagate({ aggregates: [agg('first', 'product', { orderBy: 'seq' }), agg('string_agg', 'product', { orderBy: 'sold_on' })] });
    expect(result.uses).toEqual([
      { port: 'input', column: 'seq', how: 'order' },
      { port: 'input', column: 'sold_on', how: 'order' },
    ]);
  });

  it('reports unknown columns with suggestions, and leaves those columns out', () => {
    const result = propagate({ groupBy: ['regin', 'product'], aggregates: [agg('sum', 'qt'), agg('first', 'price', { orderBy: 'Seq' }), agg('count')] });
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['groupBy', 0],
        message: 'Column "regin" does not exist in the input; did you mean "region"? (available: region, product, qty, price, paid, sold_on, seq)',
      },
      {
        code: 'UNKNOWN_COLUMN',
        path: ['aggregates', 0, 'column'],
        message: 'Column "qt" does not exist in the input; did you mean "qty"? (available: region, product, qty, price, paid, sold_on, seq)',
      },
      {
        code: 'UNKNOWN_COLUMN',
        path: ['aggregates', 1, 'orderBy'],
        message: 'Column "Seq" does not exist in the input; did you mean "seq"? (available: region, product, qty, price, paid, sold_on, seq)',
      },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['product', 'count']);
  });

  it.each([
    ['sum', 'product', 'Sum needs a numeric column, but "product" is string'],
    ['avg', 'paid', 'Average needs a numeric column, but "paid" is boolean'],
    ['median', 'sold_on', 'Median needs a numeric column, but "sold_on" is date'],
    ['stddev', 'region', 'Standard deviation (sample) needs a numeric column, but "region" is string'],
    ['variance', 'product', 'Variance (sample) needs a numeric column, but "product" is string'],
    ['percentile', 'sold_on', 'Percentile needs a numeric column, but "sold_on" is date'],
    ['any', 'qty', 'Any is true needs a boolean column, but "qty" is integer'],
    ['all', 'product', 'All are true needs a boolean column, but "product" is string'],
  ])('reports %s over %s as a type mismatch at the function', (fn, column, message) => {
    const result = propagate({ aggregates: [agg('count'), agg(fn, column)] });
    expect(result.issues).toEqual([{ code: 'TYPE_MISMATCH', path: ['aggregates', 1, 'function'], message }]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['count']);
  });

  it('reports duplicate output names, case-insensitively, at the later aggregate’s name', () => {
    const result = propagate({ aggregates: [agg('sum', 'qty'), agg('sum', 'qty'), agg('count', '', { as: 'SUM_QTY' })] });
    expect(result.issues).toEqual([
      { code: 'DUPLICATE_OUTPUT_COLUMN', path: ['aggregates', 1, 'as'], message: 'The output name "sum_qty" is already used by aggregate 1 (names are case-insensitive); enter another name' },
      { code: 'DUPLICATE_OUTPUT_COLUMN', path: ['aggregates', 2, 'as'], message: 'The output name "SUM_QTY" is already used by aggregate 1 (names are case-insensitive); enter another name' },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['sum_qty']);
  });

  it('reports an aggregate named like a group-by column', () => {
    const result = propagate({ groupBy: ['region'], aggregates: [agg('max', 'product', { as: 'Region' })] });
    expect(result.issues).toEqual([
      {
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: ['aggregates', 0, 'as'],
        message: 'The output name "Region" is already used by the group-by column "region" (names are case-insensitive); enter another name',
      },
    ]);
  });

  it('reports a column grouped by twice', () => {
    const result = propagate({ groupBy: ['region', 'region'], aggregates: [agg('count')] });
    expect(result.issues).toEqual([{ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['groupBy', 1], message: 'Column "region" is grouped by twice' }]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['region', 'count']);
  });
});

describe('aggregate plan', () => {
  it('renders a grouped aggregate, binding the fraction and separator as parameters', () => {
    expect(
      rendered({
        groupBy: ['region', 'paid'],
        aggregates: [
          agg('count'),
          agg('count', 'qty'),
          agg('count_distinct', 'product'),
          agg('sum', 'qty'),
          agg('sum', 'price'),
          agg('avg', 'qty'),
          agg('median', 'price'),
          agg('stddev', 'qty'),
          agg('variance', 'price'),
          agg('percentile', 'qty', { fraction: 0.9 }),
          agg('min', 'sold_on'),
          agg('max', 'product'),
          agg('first', 'product', { orderBy: 'seq' }),
          agg('last', 'product', { orderBy: 'sold_on' }),
          agg('first', 'qty', { as: 'any_qty' }),
          agg('string_agg', 'product', { separator: "'; DROP TABLE t;--", orderBy: 'seq' }),
          agg('string_agg', 'sold_on'),
          agg('any', 'paid', { as: 'some paid' }),
          agg('all', 'paid'),
        ],
      }),
    ).toMatchInlineSnapshot(`
      {
        "params": [
          0.9,
          "'; DROP TABLE t;--",
          ", ",
        ],
        "sql": "SELECT "region", "paid", count(*) AS "count", count("qty") AS "count_qty", count(DISTINCT "product") AS "count_distinct_product", CAST(sum("qty") AS BIGINT) AS "sum_qty", sum("price") AS "sum_price", avg("qty") AS "avg_qty", median("price") AS "median_price", stddev_samp("qty") AS "stddev_qty", var_samp("price") AS "variance_price", quantile_cont("qty", $1) AS "p90_qty", min("sold_on") AS "min_sold_on", max("product") AS "max_product", first("product" ORDER BY "seq" ASC NULLS LAST) AS "first_product", last("product" ORDER BY "sold_on" ASC NULLS FIRST) AS "last_product", first("qty") AS "any_qty", string_agg("product", $2 ORDER BY "seq" ASC NULLS LAST) AS "string_agg_product", string_agg(CAST("sold_on" AS VARCHAR), $3) AS "string_agg_sold_on", bool_or("paid") AS "some paid", bool_and("paid") AS "all_paid" FROM "s0_output" GROUP BY "region", "paid"",
      }
    `);
  });

  it('renders an aggregate over all rows without GROUP BY', () => {
    expect(rendered({ aggregates: [agg('count'), agg('sum', 'price')] })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT count(*) AS "count", sum("price") AS "sum_price" FROM "s0_output"",
      }
    `);
  });

  it('refuses to plan without an input relation', () => {
    expect(() =>
      aggregate.plan({ nodeId: 'a', config: AggregateConfig.parse({ aggregates: [agg('count')] }), inputs: {}, inputColumns: {}, outputTable: (p) => p }),
    ).toThrow(/without an input/);
  });
});

// ── Against PostgreSQL ──────────────────────────────────────────────────────
const sales: TestInput = {
  columns: input,
  rows: [
    { region: 'Nord', product: 'Äpfel', qty: 3, price: 1.5, paid: true, sold_on: '2024-01-03', seq: 1 },
    { region: 'Nord', product: 'Birnen', qty: 5, price: 2.25, paid: false, sold_on: '2024-01-01', seq: 2 },
    { region: 'Nord', product: 'Kirschen', qty: null, price: 4, paid: true, sold_on: '2024-01-02', seq: 3 },
    { region: '東京', product: 'お茶', qty: 7, price: null, paid: null, sold_on: '2024-02-01', seq: 4 },
    { region: '東京', product: '抹茶', qty: 7, price: 3.5, paid: true, sold_on: null, seq: 5 },
    { region: null, product: 'Zoë', qty: 1, price: 10, paid: false, sold_on: '2024-03-01', seq: 6 },
    { region: null, product: null, qty: 2, price: 0.5, paid: false, sold_on: '2024-03-02', seq: 0 },
  ],
};

const everyAggregate = [
  agg('count'),
  agg('count', 'qty'),
  agg('count_distinct', 'product'),
  agg('sum', 'qty'),
  agg('sum', 'price'),
  agg('avg', 'qty'),
  agg('min', 'price'),
  agg('max', 'product'),
  agg('min', 'sold_on'),
  agg('median', 'price'),
  agg('stddev', 'qty'),
  agg('variance', 'price'),
  agg('percentile', 'qty', { fraction: 0.9 }),
  agg('first', 'product', { orderBy: 'seq' }),
  agg('last', 'product', { orderBy: 'sold_on' }),
  agg('string_agg', 'product', { separator: ' | ', orderBy: 'seq' }),
  agg('any', 'paid'),
  agg('all', 'paid'),
];
// Written independently; COLLATE "C" because DuckDB compares text by code point.
const postgresAggregates = `
  count(*) AS count, count(qty) AS count_qty, count(DISTINCT product) AS count_distinct_product,
  sum(qty) AS sum_qty, sum(price) AS sum_price, avg(qty) AS avg_qty,
  min(price) AS min_price, max(product COLLATE "C") AS max_product, min(sold_on) AS min_sold_on,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median_price,
  stddev_samp(qty) AS stddev_qty, var_samp(price) AS variance_price,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY qty) AS p90_qty,
  (array_agg(product ORDER BY seq))[1] AS first_product,
  (array_agg(product ORDER BY sold_on DESC NULLS LAST))[1] AS last_product,
  string_agg(product, ' | ' ORDER BY seq) AS string_agg_product,
  bool_or(paid) AS any_paid, bool_and(paid) AS all_paid`;
const outputNames = ['count', 'count_qty', 'count_distinct_product', 'sum_qty', 'sum_price', 'avg_qty', 'min_price', 'max_product', 'min_sold_on', 'median_price', 'stddev_qty', 'variance_price', 'p90_qty', 'first_product', 'last_product', 'string_agg_product', 'any_paid', 'all_paid'];

async function differential(groupBy: string[], data: TestInput) {
  const sluice = await runNode({ kind: 'aggregate', config: { groupBy, aggregates: everyAggregate }, inputs: { input: data } });
  const oracle = await postgresRows({ sales: data }, `SELECT ${[...groupBy, postgresAggregates].join(', ')} FROM sales${groupBy.length ? ` GROUP BY ${groupBy.join(', ')}` : ''}`);
  expect(sluice.columns).toEqual([...groupBy, ...outputNames]);
  expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  return sluice;
}

describe('aggregate on DuckDB, against PostgreSQL', () => {
  it('groups, with NULL as a group of its own', async () => {
    const sluice = await differential(['region'], sales);
    expect(sluice.rows).toHaveLength(3);
    const nord = normalizeRows(sluice.rows).find((r) => r.region === 'Nord');
    expect(nord).toMatchObject({ count: 3, count_qty: 2, sum_qty: 8, first_product: 'Äpfel', last_product: 'Äpfel', string_agg_product: 'Äpfel | Birnen | Kirschen', p90_qty: 4.8 });
    // A NULL value is a value for first: the NULL region's first row by seq has no product.
    expect(normalizeRows(sluice.rows).find((r) => r.region === null)).toMatchObject({ first_product: null, string_agg_product: 'Zoë' });
    // first and last follow the order column, not the input order; last skips rows without an
    // order value: 東京's last by sold_on is the row sold on 2024-02-01, not the one sold on NULL.
    expect(normalizeRows(sluice.rows).find((r) => r.region === '東京')).toMatchObject({ last_product: 'お茶', stddev_qty: 0, any_paid: true, all_paid: true });
  });

  it('groups by several columns', async () => {
    await differential(['region', 'paid'], sales);
  });

  it('aggregates all rows into one without group-by columns', async () => {
    const sluice = await differential([], sales);
    expect(normalizeRows(sluice.rows)).toMatchObject([{ count: 7, sum_qty: 25, max_product: '抹茶' }]);
  });

  it('outputs no rows for an empty input with group-by columns', async () => {
    const sluice = await differential(['region'], { ...sales, rows: [] });
    expect(sluice.rows).toEqual([]);
  });

  it('outputs one row for an empty input without group-by columns: count 0, the rest NULL', async () => {
    const sluice = await differential([], { ...sales, rows: [] });
    expect(normalizeRows(sluice.rows)).toEqual([Object.fromEntries(outputNames.map((n) => [n, n.startsWith('count') ? 0 : null]))]);
  });

  it('writes the propagated types', async () => {
    const sluice = await runNode({ kind: 'aggregate', config: { groupBy: ['region'], aggregates: everyAggregate }, inputs: { input: sales } });
    const schema = sluice.compiled.schemas.under_test?.output ?? [];
    expect(schema.map((c) => c.name)).toEqual(sluice.columns);
    expect(Object.fromEntries(schema.map((c) => [c.name, c.type]))).toMatchObject({ sum_qty: 'integer', sum_price: 'float', avg_qty: 'float', min_sold_on: 'date', p90_qty: 'float', any_paid: 'boolean' });
  });
});
