import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { dropColumns, DropColumnsConfig } from './drop-columns';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'ordered_on', type: 'date' },
];

function issues(config: unknown) {
  const result = DropColumnsConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const propagate = (columns: string[], available: Column[] = input) =>
  dropColumns.propagate({ config: DropColumnsConfig.parse({ columns }), inputs: { input: available } });

const planOf = (columns: string[]) =>
  dropColumns.plan({
    nodeId: 'd',
    config: { columns },
    inputs: { input: table('s0_output') },
    inputColumns: { input },
    outputTable: (port) => `s1_${port}`,
  });

describe('drop-columns config', () => {
  it('accepts a list of names', () => {
    expect(DropColumnsConfig.parse({ columns: ['amount'] })).toEqual({ columns: ['amount'] });
  });

  it.each([
    ['an empty list', { columns: [] }, ['columns'], 'Pick at least one column to drop'],
    ['a missing list', {}, ['columns'], /expected array/],
    ['an empty name', { columns: ['a', ''] }, ['columns', 1], /Too small/],
    ['a non-string name', { columns: [3] }, ['columns', 0], /expected string/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('drop-columns propagate', () => {
  it('outputs the other columns in input order, each copied', () => {
    const result = propagate(['customer', 'id']);
    expect(result.outputs).toEqual({
      output: [
        { name: 'amount', type: 'float' },
        { name: 'ordered_on', type: 'date' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        amount: { from: [{ port: 'input', column: 'amount' }], how: 'copied' },
        ordered_on: { from: [{ port: 'input', column: 'ordered_on' }], how: 'copied' },
      },
    });
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at its index with a suggestion', () => {
    const result = propagate(['id', 'ammount']);
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['columns', 1],
        message: 'Column "ammount" does not exist in the input; did you mean "amount"? (available: id, customer, amount, ordered_on)',
      },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['customer', 'amount', 'ordered_on']);
  });

  it('does not drop a column whose name differs only in case, and suggests it', () => {
    const result = propagate(['ID']);
    expect(result.issues?.[0]).toMatchObject({ code: 'UNKNOWN_COLUMN', path: ['columns', 0] });
    expect(result.issues?.[0]?.message).toContain('did you mean "id"?');
  });

  it('warns about a column listed twice', () => {
    const result = propagate(['amount', 'id', 'amount']);
    expect(result.issues).toEqual([{ code: 'INVALID_CONFIG', severity: 'warning', path: ['columns', 2], message: 'Column "amount" is listed twice' }]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['customer', 'ordered_on']);
  });

  it('refuses to drop every column', () => {
    const result = propagate(['ordered_on', 'amount', 'customer', 'id']);
    expect(result.issues).toEqual([{ code: 'INVALID_CONFIG', path: ['columns'], message: 'Every column would be dropped; keep at least one' }]);
    expect(result.outputs).toEqual({ output: [] });
  });

  it('treats a missing input as having no columns', () => {
    const result = dropColumns.propagate({ config: { columns: ['id'] }, inputs: {} });
    expect(result.issues).toEqual([{ code: 'UNKNOWN_COLUMN', path: ['columns', 0], message: 'Column "id" does not exist in the input (available: none)' }]);
  });
});

describe('drop-columns plan', () => {
  it('selects the remaining input columns', () => {
    expect(planOf(['customer', 'amount'])).toMatchInlineSnapshot(`
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
                "expr": {
                  "name": "ordered_on",
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

  it('renders quoted identifiers', () => {
    const [op] = planOf(['id']);
    if (op?.op !== 'materialize') throw new Error('expected a materialize op');
    expect(renderSelect(op.query, { resolveFile: () => '' })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "customer", "amount", "ordered_on" FROM "s0_output"",
      }
    `);
  });

  it('refuses to plan without an input relation', () => {
    expect(() => dropColumns.plan({ nodeId: 'd', config: { columns: ['id'] }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(/without an input/);
  });
});

const orders: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'customer', type: 'string' },
    { name: 'secret', type: 'string' },
    { name: 'amount', type: 'float' },
    { name: 'ordered_on', type: 'date' },
  ],
  rows: [
    { id: 1, customer: 'Zoë', secret: 'x', amount: 9.5, ordered_on: '2024-02-29' },
    { id: 2, customer: 'Ōsaka 大阪', secret: null, amount: null, ordered_on: null },
    { id: 2, customer: 'Ōsaka 大阪', secret: null, amount: null, ordered_on: null },
    { id: null, customer: null, secret: 'y', amount: -0.25, ordered_on: '1970-01-01' },
  ],
};

describe('drop-columns on DuckDB', () => {
  it('matches the same projection written by hand in PostgreSQL', async () => {
    const sluice = await runNode({ kind: 'drop-columns', config: { columns: ['secret', 'id'] }, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, 'SELECT customer, amount, ordered_on FROM orders');
    expect(sluice.columns).toEqual(['customer', 'amount', 'ordered_on']);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows).toHaveLength(4);
  });

  it('matches PostgreSQL on an empty input', async () => {
    const empty = { ...orders, rows: [] };
    const sluice = await runNode({ kind: 'drop-columns', config: { columns: ['secret'] }, inputs: { input: empty } });
    const oracle = await postgresRows({ orders: empty }, 'SELECT id, customer, amount, ordered_on FROM orders');
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['id', 'customer', 'amount', 'ordered_on']);
  });

  it('does not compile when every column would be dropped', async () => {
    await expect(runNode({ kind: 'drop-columns', config: { columns: orders.columns.map((c) => c.name) }, inputs: { input: orders } })).rejects.toThrow(
      /Every column would be dropped/,
    );
  });
});
