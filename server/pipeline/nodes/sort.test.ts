import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { sort, SortConfig } from './sort';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
];

function issues(config: unknown) {
  const result = SortConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const key = (column: string, descending?: boolean, nullsFirst?: boolean) => ({
  column,
  ...(descending === undefined ? {} : { descending }),
  ...(nullsFirst === undefined ? {} : { nullsFirst }),
});
const propagate = (keys: ReturnType<typeof key>[], columns: Column[] = input) => sort.propagate({ config: SortConfig.parse({ keys }), inputs: { input: columns } });

function planOf(keys: ReturnType<typeof key>[]) {
  return sort.plan({ nodeId: 's', config: SortConfig.parse({ keys }), inputs: { input: table('s0_output') }, inputColumns: { input }, outputTable: (port) => `s1_${port}` });
}

describe('sort config', () => {
  it('accepts keys, defaulting to ascending with NULLs last', () => {
    expect(SortConfig.parse({ keys: [key('amount'), key('id', true, true)] })).toEqual({
      keys: [
        { column: 'amount', descending: false, nullsFirst: false },
        { column: 'id', descending: true, nullsFirst: true },
      ],
    });
  });

  it.each([
    ['no keys', { keys: [] }, ['keys'], 'Add at least one sort key'],
    ['a missing list', {}, ['keys'], /expected array/],
    ['a key without a column', { keys: [key('id'), key('')] }, ['keys', 1, 'column'], 'Choose a column'],
    ['a non-boolean direction', { keys: [{ column: 'id', descending: 'yes' }] }, ['keys', 0, 'descending'], /expected boolean/],
    ['a non-boolean NULL placement', { keys: [{ column: 'id', nullsFirst: 1 }] }, ['keys', 0, 'nullsFirst'], /expected boolean/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('sort propagate', () => {
  it('passes its input through unchanged and records the columns it orders by', () => {
    const result = propagate([key('amount', true), key('customer')]);
    expect(result.outputs).toEqual({ output: input });
    expect(Object.values(result.lineage.output ?? {}).every((l) => l.how === 'copied')).toBe(true);
    expect(Object.keys(result.lineage.output ?? {})).toEqual(['id', 'customer', 'amount']);
    expect(result.uses).toEqual([
      { port: 'input', column: 'amount', how: 'order' },
      { port: 'input', column: 'customer', how: 'order' },
    ]);
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at the key\'s column with a suggestion', () => {
    const result = propagate([key('id'), key('amout')]);
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['keys', 1, 'column'],
        message: 'Column "amout" does not exist in the input; did you mean "amount"? (available: id, customer, amount)',
      },
    ]);
  });

  it('warns about a key that repeats an earlier column', () => {
    const result = propagate([key('id'), key('amount'), key('id', true)]);
    expect(result.issues).toEqual([
      { code: 'INVALID_CONFIG', severity: 'warning', path: ['keys', 2, 'column'], message: 'Rows are already sorted by "id"; this key changes nothing' },
    ]);
  });

  it('treats a missing input as having no columns', () => {
    const result = sort.propagate({ config: SortConfig.parse({ keys: [key('id')] }), inputs: {} });
    expect(result.outputs).toEqual({ output: [] });
    expect(result.issues?.[0]?.message).toBe('Column "id" does not exist in the input (available: none)');
  });
});

describe('sort plan', () => {
  it('materialises the input ordered by the keys', () => {
    expect(planOf([key('amount', true)])).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": "*",
            "orderBy": [
              {
                "descending": true,
                "expr": {
                  "name": "amount",
                  "t": "column",
                },
                "nullsFirst": false,
              },
            ],
            "t": "select",
          },
          "table": "s1_output",
        },
      ]
    `);
  });

  it('renders every key with an explicit direction and NULL placement', () => {
    const [op] = planOf([key('amount', true), key('customer', false, true), key('we"ird')]);
    if (op?.op !== 'materialize') throw new Error('expected a materialize op');
    expect(renderSelect(op.query, { resolveFile: () => '' })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT * FROM "s0_output" ORDER BY "amount" DESC NULLS LAST, "customer" ASC NULLS FIRST, "we""ird" ASC NULLS LAST",
      }
    `);
  });

  it('refuses to plan without an input relation', () => {
    expect(() => sort.plan({ nodeId: 's', config: SortConfig.parse({ keys: [key('id')] }), inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'score', type: 'float' },
    { name: 'active', type: 'boolean' },
    { name: 'joined', type: 'date' },
    { name: 'seen_at', type: 'timestamp' },
  ],
  rows: [
    { id: 1, name: 'Zoë', score: 9.5, active: true, joined: '2024-02-29', seen_at: '2024-02-29 10:00:00' },
    { id: 2, name: 'zoe', score: null, active: false, joined: null, seen_at: '2024-02-29 09:59:59' },
    { id: 3, name: 'Zoe', score: 9.5, active: null, joined: '1999-12-31', seen_at: null },
    { id: 4, name: 'Ärger', score: -1, active: true, joined: '2024-02-29', seen_at: '2000-01-01 00:00:00' },
    { id: 5, name: null, score: 9.5, active: false, joined: '1970-01-01', seen_at: '2024-02-29 10:00:00' },
    { id: 6, name: 'émile', score: 0, active: true, joined: '2024-03-01', seen_at: '2024-02-29 10:00:00.5' },
    { id: 7, name: '東京', score: null, active: null, joined: null, seen_at: null },
    { id: 8, name: 'apple', score: 0, active: false, joined: '2024-03-01', seen_at: '1999-12-31 23:59:59' },
    { id: 9, name: 'Apple', score: 0, active: false, joined: '2024-03-01', seen_at: '1999-12-31 23:59:59' },
    { id: 9, name: 'Apple', score: 0, active: false, joined: '2024-03-01', seen_at: '1999-12-31 23:59:59' },
  ],
};

async function compare(keys: ReturnType<typeof key>[], orderBy: string, data: TestInput = people) {
  const sluice = await runNode({ kind: 'sort', config: { keys }, inputs: { input: data } });
  const oracle = await postgresRows({ people: data }, `SELECT * FROM people ORDER BY ${orderBy}`);
  expect(sluice.columns).toEqual(data.columns.map((c) => c.name));
  // Order matters: no sorting before comparing.
  expect(normalizeRows(sluice.rows)).toEqual(normalizeRows(oracle));
  return sluice.rows;
}

describe('sort on DuckDB', () => {
  it('orders like PostgreSQL with several keys, mixed directions and NULL placements', async () => {
    const rows = await compare(
      [key('score', true), key('name', false, true), key('id')],
      'score DESC NULLS LAST, name COLLATE "C" ASC NULLS FIRST, id ASC NULLS LAST',
    );
    expect(rows.map((r) => Number(r.id))).toEqual([5, 3, 1, 9, 9, 8, 6, 4, 2, 7]);
  });

  it('sorts text by code point, like PostgreSQL\'s "C" collation: upper case, then lower case, then accented letters', async () => {
    const rows = await compare([key('name'), key('id', true)], 'name COLLATE "C" ASC NULLS LAST, id DESC');
    expect(rows.map((r) => r.name)).toEqual(['Apple', 'Apple', 'Zoe', 'Zoë', 'apple', 'zoe', 'Ärger', 'émile', '東京', null]);
  });

  it('sorts booleans, dates and timestamps like PostgreSQL', async () => {
    await compare([key('active', false, true), key('joined', true), key('seen_at'), key('id')], 'active ASC NULLS FIRST, joined DESC NULLS LAST, seen_at ASC NULLS LAST, id');
  });

  it('matches PostgreSQL on an empty input', async () => {
    const rows = await compare([key('name')], 'name', { ...people, rows: [] });
    expect(rows).toEqual([]);
  });

  it('keeps the order through to the destination for a larger input', async () => {
    const big: TestInput = {
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'v', type: 'float' },
      ],
      rows: Array.from({ length: 5000 }, (_, n) => ({ n, v: ((n * 7919) % 5003) / 7 })),
    };
    const result = await runNode({ kind: 'sort', config: { keys: [key('v', true)] }, inputs: { input: big } });
    const values = result.rows.map((r) => Number(r.v));
    expect(values).toHaveLength(5000);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });
});
