import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type Row, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { deduplicate, DeduplicateConfig } from './deduplicate';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'region', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
];

function issues(config: unknown) {
  const result = DeduplicateConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const propagate = (config: unknown, columns: Column[] = input) => deduplicate.propagate({ config: DeduplicateConfig.parse(config), inputs: { input: columns } });

function planOf(config: unknown) {
  return deduplicate.plan({ nodeId: 'dd', config: DeduplicateConfig.parse(config), inputs: { input: table('s0_output') }, inputColumns: { input }, outputTable: (port) => `s1_${port}` });
}

function rendered(config: unknown) {
  const [op] = planOf(config);
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('deduplicate config', () => {
  it('accepts key columns, defaulting to keep "first" with no order column', () => {
    expect(DeduplicateConfig.parse({ keys: ['customer'] })).toEqual({ keys: ['customer'], keep: 'first', orderBy: '' });
    expect(DeduplicateConfig.parse({ keys: ['customer', 'region'], keep: 'last', orderBy: 'updated_at' })).toEqual({
      keys: ['customer', 'region'],
      keep: 'last',
      orderBy: 'updated_at',
    });
  });

  it.each([
    ['no keys', { keys: [] }, ['keys'], 'Pick at least one key column'],
    ['missing keys', {}, ['keys'], /expected array/],
    ['an empty key', { keys: ['id', ''] }, ['keys', 1], /Too small/],
    ['an unknown keep', { keys: ['id'], keep: 'latest' }, ['keep'], /expected one of/],
    ['a non-string order column', { keys: ['id'], orderBy: 3 }, ['orderBy'], /expected string/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('deduplicate propagate', () => {
  it('outputs the input schema, copied, and records the key and order columns it reads', () => {
    const result = propagate({ keys: ['customer', 'region'], keep: 'last', orderBy: 'updated_at' });
    expect(result.outputs).toEqual({ output: input });
    expect(Object.keys(result.lineage.output ?? {})).toEqual(input.map((c) => c.name));
    expect(result.lineage.output?.id).toEqual({ from: [{ port: 'input', column: 'id' }], how: 'copied' });
    expect(result.uses).toEqual([
      { port: 'input', column: 'customer', how: 'filter' },
      { port: 'input', column: 'region', how: 'filter' },
      { port: 'input', column: 'updated_at', how: 'order' },
    ]);
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown key column at its index with a suggestion', () => {
    const result = propagate({ keys: ['customer', 'regoin'] });
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['keys', 1],
        message: 'Column "regoin" does not exist in the input; did you mean "region"? (available: id, customer, region, updated_at)',
      },
    ]);
  });

  it('reports an unknown order column with a suggestion', () => {
    const result = propagate({ keys: ['customer'], orderBy: 'updatedAt' });
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['orderBy'],
        message: 'Column "updatedAt" does not exist in the input; did you mean "updated_at"? (available: id, customer, region, updated_at)',
      },
    ]);
  });

  it('warns about a key listed twice', () => {
    expect(propagate({ keys: ['customer', 'customer'] }).issues).toEqual([
      { code: 'INVALID_CONFIG', severity: 'warning', path: ['keys', 1], message: 'Key column "customer" is listed twice' },
    ]);
  });

  it('warns that ordering by a key column cannot choose a row', () => {
    expect(propagate({ keys: ['customer'], orderBy: 'customer' }).issues).toEqual([
      {
        code: 'INVALID_CONFIG',
        severity: 'warning',
        path: ['orderBy'],
        message: '"customer" is a key column, so it is the same within each key and cannot choose a row',
      },
    ]);
  });

  it('warns that "last" without an order column is as arbitrary as "first"', () => {
    expect(propagate({ keys: ['customer'], keep: 'last' }).issues).toEqual([
      { code: 'INVALID_CONFIG', severity: 'warning', path: ['keep'], message: 'Without an order column, "last" keeps an arbitrary row per key, like "first"' },
    ]);
    expect(propagate({ keys: ['customer'] }).issues).toEqual([]);
  });

  it('treats a missing input as having no columns', () => {
    const result = deduplicate.propagate({ config: DeduplicateConfig.parse({ keys: ['id'] }), inputs: {} });
    expect(result.outputs).toEqual({ output: [] });
    expect(result.issues?.[0]?.message).toBe('Column "id" does not exist in the input (available: none)');
  });
});

describe('deduplicate plan', () => {
  it('keeps row_number() = 1 per key with QUALIFY', () => {
    expect(planOf({ keys: ['customer'], keep: 'last', orderBy: 'updated_at' })).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": "*",
            "qualify": {
              "left": {
                "args": [],
                "fn": "row_number",
                "orderBy": [
                  {
                    "descending": true,
                    "expr": {
                      "name": "updated_at",
                      "t": "column",
                    },
                    "nullsFirst": false,
                  },
                ],
                "partitionBy": [
                  {
                    "name": "customer",
                    "t": "column",
                  },
                ],
                "t": "window",
              },
              "op": "=",
              "right": {
                "t": "literal",
                "value": 1,
              },
              "t": "compare",
            },
            "t": "select",
          },
          "table": "s1_output",
        },
      ]
    `);
  });

  it('renders the window in QUALIFY, ascending for "first" and descending for "last", NULLs last', () => {
    expect(rendered({ keys: ['customer', 'region'], keep: 'first', orderBy: 'updated_at' })).toEqual({
      sql: 'SELECT * FROM "s0_output" QUALIFY (row_number() OVER (PARTITION BY "customer", "region" ORDER BY "updated_at" ASC NULLS LAST) = 1)',
      params: [],
    });
    expect(rendered({ keys: ['customer', 'region'], keep: 'last', orderBy: 'updated_at' }).sql).toBe(
      'SELECT * FROM "s0_output" QUALIFY (row_number() OVER (PARTITION BY "customer", "region" ORDER BY "updated_at" DESC NULLS LAST) = 1)',
    );
  });

  it('partitions by each key once and orders by nothing without an order column', () => {
    expect(rendered({ keys: ['customer', 'customer'], keep: 'last' }).sql).toBe('SELECT * FROM "s0_output" QUALIFY (row_number() OVER (PARTITION BY "customer") = 1)');
  });

  it('refuses to plan without an input relation', () => {
    expect(() => deduplicate.plan({ nodeId: 'dd', config: DeduplicateConfig.parse({ keys: ['id'] }), inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});

const orders: TestInput = {
  columns: input,
  rows: [
    { id: 1, customer: 'Zoë', region: 'EU', updated_at: '2024-02-29 10:00:00' },
    { id: 2, customer: 'Zoë', region: 'EU', updated_at: '2024-03-01 09:00:00' },
    { id: 3, customer: 'Zoë', region: 'EU', updated_at: null },
    { id: 4, customer: 'Zoë', region: 'US', updated_at: '2023-01-01 00:00:00' },
    { id: 5, customer: 'zoë', region: 'EU', updated_at: '2020-01-01 00:00:00' },
    { id: 6, customer: null, region: 'EU', updated_at: '2024-01-01 00:00:00' },
    { id: 7, customer: null, region: 'EU', updated_at: '2024-01-02 00:00:00' },
    { id: 8, customer: null, region: null, updated_at: null },
    { id: 9, customer: '東京 🚀', region: null, updated_at: null },
    { id: 10, customer: '東京 🚀', region: null, updated_at: '1999-12-31 23:59:59' },
    { id: 11, customer: 'O\'Brien, "Bob"', region: 'EU', updated_at: '2024-05-05 05:05:05' },
    { id: 11, customer: 'O\'Brien, "Bob"', region: 'EU', updated_at: '2024-05-05 05:05:05' },
  ],
};

const sorted = (rows: Row[]) => normalizeRows(rows, { sort: true });

describe('deduplicate on DuckDB', () => {
  it.each([
    ['first', 'ASC'],
    ['last', 'DESC'],
  ])('keeps the same row per key as DISTINCT ON in PostgreSQL when keeping the %s', async (keep, direction) => {
    const sluice = await runNode({ kind: 'deduplicate', config: { keys: ['customer', 'region'], keep, orderBy: 'updated_at' }, inputs: { input: orders } });
    const oracle = await postgresRows(
      { orders },
      `SELECT DISTINCT ON (customer, region) * FROM orders ORDER BY customer, region, updated_at ${direction} NULLS LAST`,
    );
    expect(sluice.columns).toEqual(['id', 'customer', 'region', 'updated_at']);
    expect(sorted(sluice.rows)).toEqual(sorted(oracle));
  });

  it('keeps the earliest and latest rows, treats NULL keys as equal, and prefers rows with an order value', async () => {
    const ids = async (keep: string) =>
      (await runNode({ kind: 'deduplicate', config: { keys: ['customer', 'region'], keep, orderBy: 'updated_at' }, inputs: { input: orders } })).rows
        .map((r) => Number(r.id))
        .sort((a, b) => a - b);
    expect(await ids('first')).toEqual([1, 4, 5, 6, 8, 10, 11]);
    expect(await ids('last')).toEqual([2, 4, 5, 7, 8, 10, 11]);
  });

  it('without an order column, keeps one input row per key, like SELECT DISTINCT on the keys in PostgreSQL', async () => {
    const sluice = await runNode({ kind: 'deduplicate', config: { keys: ['customer', 'region'] }, inputs: { input: orders } });
    const keys = await postgresRows({ orders }, 'SELECT DISTINCT customer, region FROM orders');
    const all = await postgresRows({ orders }, 'SELECT * FROM orders');
    expect(sorted(sluice.rows.map((r) => ({ customer: r.customer, region: r.region })))).toEqual(sorted(keys));
    const inputRows = new Set(normalizeRows(all).map((r) => JSON.stringify(r)));
    for (const row of normalizeRows(sluice.rows)) expect(inputRows.has(JSON.stringify(row))).toBe(true);
  });

  it('removes exact duplicates when every column is a key, like SELECT DISTINCT in PostgreSQL', async () => {
    const sluice = await runNode({ kind: 'deduplicate', config: { keys: ['id', 'customer', 'region', 'updated_at'] }, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, 'SELECT DISTINCT * FROM orders');
    expect(sorted(sluice.rows)).toEqual(sorted(oracle));
    expect(sluice.rows).toHaveLength(11);
  });

  it('matches PostgreSQL on an empty input', async () => {
    const empty = { ...orders, rows: [] };
    const sluice = await runNode({ kind: 'deduplicate', config: { keys: ['customer'], orderBy: 'updated_at' }, inputs: { input: empty } });
    const oracle = await postgresRows({ orders: empty }, 'SELECT DISTINCT ON (customer) * FROM orders ORDER BY customer, updated_at');
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['id', 'customer', 'region', 'updated_at']);
  });
});
