import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { renameColumns, RenameColumnsConfig } from './rename-columns';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'ordered_on', type: 'date' },
];

function issues(config: unknown) {
  const result = RenameColumnsConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const rename = (from: string, to: string) => ({ from, to });
const propagate = (renames: { from: string; to: string }[], columns: Column[] = input) =>
  renameColumns.propagate({ config: RenameColumnsConfig.parse({ renames }), inputs: { input: columns } });

function planOf(renames: { from: string; to: string }[], columns: Column[] = input) {
  return renameColumns.plan({
    nodeId: 'r',
    config: RenameColumnsConfig.parse({ renames }),
    inputs: { input: table('s0_output') },
    inputColumns: { input: columns },
    outputTable: (port) => `s1_${port}`,
  });
}

function rendered(renames: { from: string; to: string }[], columns: Column[] = input) {
  const [op] = planOf(renames, columns);
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('rename-columns config', () => {
  it('accepts a list of renames, trimming the new names', () => {
    expect(RenameColumnsConfig.parse({ renames: [rename('id', 'customer_id'), rename('name', ' Full name ')] })).toEqual({
      renames: [
        { from: 'id', to: 'customer_id' },
        { from: 'name', to: 'Full name' },
      ],
    });
  });

  it.each([
    ['no renames', { renames: [] }, ['renames'], 'Add at least one rename'],
    ['a missing list', {}, ['renames'], /expected array/],
    ['a rename without a column', { renames: [rename('id', 'a'), rename('', 'b')] }, ['renames', 1, 'from'], 'Choose a column'],
    ['an empty new name', { renames: [rename('id', '')] }, ['renames', 0, 'to'], 'Enter the new name'],
    ['a blank new name', { renames: [rename('id', '  ')] }, ['renames', 0, 'to'], 'Enter the new name'],
    ['a missing new name', { renames: [{ from: 'id' }] }, ['renames', 0, 'to'], /expected string/],
    ['a new name over 255 characters', { renames: [rename('id', 'x'.repeat(256))] }, ['renames', 0, 'to'], 'The new name is longer than 255 characters'],
    ['a new name with a NUL character', { renames: [rename('id', 'a\0b')] }, ['renames', 0, 'to'], 'The new name contains a NUL character'],
    ['a non-string new name', { renames: [{ from: 'id', to: 7 }] }, ['renames', 0, 'to'], /expected string/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('rename-columns propagate', () => {
  it('renames in place, keeping order and types, with renamed and copied lineage', () => {
    const result = propagate([rename('amount', 'total'), rename('id', 'order id')]);
    expect(result.outputs).toEqual({
      output: [
        { name: 'order id', type: 'integer' },
        { name: 'customer', type: 'string' },
        { name: 'total', type: 'float' },
        { name: 'ordered_on', type: 'date' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        'order id': { from: [{ port: 'input', column: 'id' }], how: 'renamed' },
        customer: { from: [{ port: 'input', column: 'customer' }], how: 'copied' },
        total: { from: [{ port: 'input', column: 'amount' }], how: 'renamed' },
        ordered_on: { from: [{ port: 'input', column: 'ordered_on' }], how: 'copied' },
      },
    });
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at the rename\'s column with a suggestion, and leaves the output unchanged', () => {
    const result = propagate([rename('custmer', 'client')]);
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['renames', 0, 'from'],
        message: 'Column "custmer" does not exist in the input; did you mean "customer"? (available: id, customer, amount, ordered_on)',
      },
    ]);
    expect(result.outputs.output).toEqual(input);
  });

  it('reports a new name that is already another column\'s, at the new name, and does not apply it', () => {
    const result = propagate([rename('id', 'amount')]);
    expect(result.issues).toEqual([
      { code: 'DUPLICATE_OUTPUT_COLUMN', path: ['renames', 0, 'to'], message: '"amount" is already the name of another column, "amount"' },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['id', 'customer', 'amount', 'ordered_on']);
  });

  it('treats names as case-insensitive, as DuckDB does', () => {
    const result = propagate([rename('id', 'Customer')]);
    expect(result.issues).toEqual([
      {
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: ['renames', 0, 'to'],
        message: '"Customer" is already the name of another column, "customer" (column names are case-insensitive)',
      },
    ]);
  });

  it('reports the later of two renames to the same name', () => {
    const result = propagate([rename('id', 'key'), rename('customer', 'KEY')]);
    expect(result.issues).toEqual([
      { code: 'DUPLICATE_OUTPUT_COLUMN', path: ['renames', 1, 'to'], message: '"KEY" is also the new name of "id" (column names are case-insensitive)' },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['key', 'customer', 'amount', 'ordered_on']);
  });

  it('lets columns swap names, change case, or keep their name, because renames apply together', () => {
    const result = propagate([rename('id', 'amount'), rename('amount', 'id'), rename('customer', 'CUSTOMER'), rename('ordered_on', 'ordered_on')]);
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual([
      { name: 'amount', type: 'integer' },
      { name: 'CUSTOMER', type: 'string' },
      { name: 'id', type: 'float' },
      { name: 'ordered_on', type: 'date' },
    ]);
    expect(result.lineage.output?.ordered_on).toEqual({ from: [{ port: 'input', column: 'ordered_on' }], how: 'copied' });
    expect(result.lineage.output?.id).toEqual({ from: [{ port: 'input', column: 'amount' }], how: 'renamed' });
  });

  it('reports a rename that clashes only because another clashing rename was not applied', () => {
    // customer → id clashes with id (kept), so "customer" stays, and then amount → customer clashes too.
    const result = propagate([rename('amount', 'customer'), rename('customer', 'id')]);
    expect(result.issues?.map((i) => [i.code, i.path, i.message])).toEqual([
      ['DUPLICATE_OUTPUT_COLUMN', ['renames', 0, 'to'], '"customer" is already the name of another column, "customer"'],
      ['DUPLICATE_OUTPUT_COLUMN', ['renames', 1, 'to'], '"id" is already the name of another column, "id"'],
    ]);
    expect(result.outputs.output).toEqual(input);
  });

  it('reports a column renamed twice at the second entry', () => {
    const result = propagate([rename('id', 'a'), rename('id', 'b')]);
    expect(result.issues).toEqual([{ code: 'INVALID_CONFIG', path: ['renames', 1, 'from'], message: 'Column "id" is already renamed by an earlier entry' }]);
    expect(result.outputs.output?.[0]?.name).toBe('a');
  });

  it('treats a missing input as having no columns', () => {
    const result = renameColumns.propagate({ config: { renames: [rename('id', 'x')] }, inputs: {} });
    expect(result.issues?.[0]?.message).toBe('Column "id" does not exist in the input (available: none)');
    expect(result.outputs).toEqual({ output: [] });
  });
});

describe('rename-columns plan', () => {
  it('selects every input column in order, aliasing the renamed ones', () => {
    expect(planOf([rename('amount', 'total')])).toMatchInlineSnapshot(`
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
                  "name": "customer",
                  "t": "column",
                },
              },
              {
                "as": "total",
                "expr": {
                  "name": "amount",
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

  it('renders quoted identifiers and aliases, with no parameters', () => {
    expect(rendered([rename('id', 'amount'), rename('amount', 'id'), rename('customer', 'we"ird name')])).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "id" AS "amount", "customer" AS "we""ird name", "amount" AS "id", "ordered_on" FROM "s0_output"",
      }
    `);
  });

  it('refuses to plan without an input relation', () => {
    expect(() => renameColumns.plan({ nodeId: 'r', config: { renames: [rename('id', 'x')] }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'city', type: 'string' },
    { name: 'joined', type: 'date' },
  ],
  rows: [
    { id: 1, name: 'Zoë', city: 'Łódź', joined: '2024-02-29' },
    { id: 2, name: 'O\'Brien, "Bob"', city: null, joined: '1999-12-31' },
    { id: 2, name: 'O\'Brien, "Bob"', city: null, joined: '1999-12-31' },
    { id: null, name: '東京 🚀', city: 'Zürich', joined: null },
    { id: 4, name: null, city: 'São Paulo', joined: '2024-01-01' },
  ],
};

describe('rename-columns on DuckDB', () => {
  const config = { renames: [rename('name', 'Full name'), rename('id', 'customer_id'), rename('city', 'CITY')] };

  it('renames the columns in place and leaves values alone', async () => {
    const result = await runNode({ kind: 'rename-columns', config, inputs: { input: people } });
    expect(result.columns).toEqual(['customer_id', 'Full name', 'CITY', 'joined']);
    expect(normalizeRows(result.rows)).toEqual(
      normalizeRows(people.rows.map((r) => ({ customer_id: r.id, 'Full name': r.name, CITY: r.city, joined: r.joined }))),
    );
  });

  it('matches the same renames written by hand in PostgreSQL, duplicates and NULLs included', async () => {
    const sluice = await runNode({ kind: 'rename-columns', config, inputs: { input: people } });
    const oracle = await postgresRows({ people }, 'SELECT id AS customer_id, name AS "Full name", city AS "CITY", joined FROM people');
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows).toHaveLength(5);
  });

  it('matches PostgreSQL on an empty input, keeping the renamed header', async () => {
    const empty = { ...people, rows: [] };
    const sluice = await runNode({ kind: 'rename-columns', config: { renames: [rename('id', 'name'), rename('name', 'id')] }, inputs: { input: empty } });
    const oracle = await postgresRows({ people: empty }, 'SELECT id AS name, name AS id, city, joined FROM people');
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['name', 'id', 'city', 'joined']);
  });

  it('swaps two columns\' names without mixing up their values', async () => {
    const result = await runNode({ kind: 'rename-columns', config: { renames: [rename('name', 'city'), rename('city', 'name')] }, inputs: { input: people } });
    expect(result.columns).toEqual(['id', 'city', 'name', 'joined']);
    expect(result.rows[0]).toMatchObject({ city: 'Zoë', name: 'Łódź' });
  });

  it('does not compile when a new name clashes with another column', async () => {
    await expect(runNode({ kind: 'rename-columns', config: { renames: [rename('id', 'Name')] }, inputs: { input: people } })).rejects.toThrow(/DUPLICATE_OUTPUT_COLUMN/);
  });
});
