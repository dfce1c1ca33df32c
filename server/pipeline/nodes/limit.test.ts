import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { limit, LimitConfig } from './limit';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
];

function issues(config: unknown) {
  const result = LimitConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

function planOf(config: unknown) {
  return limit.plan({ nodeId: 'l', config: LimitConfig.parse(config), inputs: { input: table('s0_output') }, inputColumns: { input }, outputTable: (port) => `s1_${port}` });
}

function rendered(config: unknown) {
  const [op] = planOf(config);
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('limit config', () => {
  it('accepts a row count, defaulting the offset to 0', () => {
    expect(LimitConfig.parse({ rows: 10 })).toEqual({ rows: 10, offset: 0 });
    expect(LimitConfig.parse({ rows: 0, offset: 5 })).toEqual({ rows: 0, offset: 5 });
  });

  it.each([
    ['a missing row count', {}, ['rows'], 'Enter the number of rows to keep as a number'],
    ['a row count given as text', { rows: '10' }, ['rows'], 'Enter the number of rows to keep as a number'],
    ['a fractional row count', { rows: 2.5 }, ['rows'], 'The number of rows to keep must be a whole number'],
    ['a negative row count', { rows: -1 }, ['rows'], 'The number of rows to keep cannot be negative'],
    ['a row count beyond 2^53', { rows: 2 ** 60 }, ['rows'], 'The number of rows to keep is too large'],
    ['a negative offset', { rows: 1, offset: -3 }, ['offset'], 'The number of rows to skip cannot be negative'],
    ['a fractional offset', { rows: 1, offset: 0.5 }, ['offset'], 'The number of rows to skip must be a whole number'],
    ['a null offset', { rows: 1, offset: null }, ['offset'], 'Enter the number of rows to skip as a number'],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('limit propagate', () => {
  it('passes its input through unchanged', () => {
    const result = limit.propagate({ config: { rows: 5, offset: 0 }, inputs: { input } });
    expect(result.outputs).toEqual({ output: input });
    expect(result.lineage.output?.customer).toEqual({ from: [{ port: 'input', column: 'customer' }], how: 'copied' });
    expect(result.issues).toEqual([]);
  });

  it('warns that a limit of 0 keeps no rows', () => {
    expect(limit.propagate({ config: { rows: 0, offset: 0 }, inputs: { input } }).issues).toEqual([
      { code: 'INVALID_VALUE', severity: 'warning', path: ['rows'], message: 'A limit of 0 keeps no rows' },
    ]);
  });

  it('treats a missing input as having no columns', () => {
    expect(limit.propagate({ config: { rows: 5, offset: 0 }, inputs: {} }).outputs).toEqual({ output: [] });
  });
});

describe('limit plan', () => {
  it('materialises the input with a LIMIT', () => {
    expect(planOf({ rows: 10 })).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": "*",
            "limit": 10,
            "t": "select",
          },
          "table": "s1_output",
        },
      ]
    `);
  });

  it('renders the offset only when it is not 0', () => {
    expect(rendered({ rows: 10 })).toEqual({ sql: 'SELECT * FROM "s0_output" LIMIT 10', params: [] });
    expect(rendered({ rows: 0, offset: 25 })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT * FROM "s0_output" LIMIT 0 OFFSET 25",
      }
    `);
  });

  it('refuses to plan without an input relation', () => {
    expect(() => limit.plan({ nodeId: 'l', config: { rows: 1, offset: 0 }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(/without an input/);
  });
});

// `pos` records the input order, which PostgreSQL does not otherwise promise to keep.
const orders: TestInput = {
  columns: [
    { name: 'pos', type: 'integer' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'float' },
    { name: 'ordered_on', type: 'date' },
  ],
  rows: [
    { pos: 1, customer: 'Zoë', amount: 9.5, ordered_on: '2024-02-29' },
    { pos: 2, customer: null, amount: null, ordered_on: null },
    { pos: 3, customer: '東京 🚀', amount: 1, ordered_on: '1999-12-31' },
    { pos: 4, customer: '東京 🚀', amount: 1, ordered_on: '1999-12-31' },
    { pos: 5, customer: 'O\'Brien, "Bob"', amount: -2.25, ordered_on: '1970-01-01' },
    { pos: 6, customer: 'Zoë', amount: 9.5, ordered_on: '2024-02-29' },
  ],
};

describe('limit on DuckDB', () => {
  it.each([
    [3, 0],
    [2, 2],
    [100, 0],
    [100, 4],
    [0, 0],
    [3, 6],
    [3, 99],
  ])('keeps the same rows, in the same order, as LIMIT %i OFFSET %i over the input order in PostgreSQL', async (rows, offset) => {
    const sluice = await runNode({ kind: 'limit', config: { rows, offset }, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, 'SELECT * FROM orders ORDER BY pos LIMIT $1 OFFSET $2', [rows, offset]);
    expect(normalizeRows(sluice.rows)).toEqual(normalizeRows(oracle));
    expect(sluice.columns).toEqual(['pos', 'customer', 'amount', 'ordered_on']);
  });

  it('matches PostgreSQL on an empty input', async () => {
    const empty = { ...orders, rows: [] };
    const sluice = await runNode({ kind: 'limit', config: { rows: 5 }, inputs: { input: empty } });
    const oracle = await postgresRows({ orders: empty }, 'SELECT * FROM orders ORDER BY pos LIMIT 5');
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['pos', 'customer', 'amount', 'ordered_on']);
  });

  it('takes rows in input order from a larger input', async () => {
    const big: TestInput = { columns: [{ name: 'n', type: 'integer' }], rows: Array.from({ length: 5000 }, (_, n) => ({ n })) };
    const result = await runNode({ kind: 'limit', config: { rows: 10, offset: 4000 }, inputs: { input: big } });
    expect(result.rows.map((r) => Number(r.n))).toEqual(Array.from({ length: 10 }, (_, i) => 4000 + i));
  });
});
