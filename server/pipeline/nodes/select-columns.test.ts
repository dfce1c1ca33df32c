import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import type { Column } from '../types';
import { selectColumns, SelectColumnsConfig } from './select-columns';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
];

function issues(config: unknown) {
  const result = SelectColumnsConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const propagate = (columns: string[], available: Column[] = input) =>
  selectColumns.propagate({ config: SelectColumnsConfig.parse({ columns }), inputs: { input: available } });

describe('select-columns config', () => {
  it('accepts a list of names', () => {
    expect(SelectColumnsConfig.parse({ columns: ['b', 'a'] })).toEqual({ columns: ['b', 'a'] });
  });

  it.each([
    ['an empty list', { columns: [] }, ['columns'], 'Pick at least one column'],
    ['a missing list', {}, ['columns'], /expected array/],
    ['an empty name', { columns: ['a', ''] }, ['columns', 1], /Too small/],
    ['a non-string name', { columns: ['a', 3] }, ['columns', 1], /expected string/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('select-columns propagate', () => {
  it('outputs the chosen columns in the chosen order, with their types, each copied from the input', () => {
    const result = propagate(['amount', 'id']);
    expect(result.outputs).toEqual({
      output: [
        { name: 'amount', type: 'float' },
        { name: 'id', type: 'integer' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        amount: { from: [{ port: 'input', column: 'amount' }], how: 'copied' },
        id: { from: [{ port: 'input', column: 'id' }], how: 'copied' },
      },
    });
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at its index with a suggestion, and leaves it out of the output', () => {
    const result = propagate(['id', 'custmer']);
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['columns', 1],
        message: 'Column "custmer" does not exist in the input; did you mean "customer"? (available: id, customer, amount)',
      },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['id']);
    expect(Object.keys(result.lineage.output ?? {})).toEqual(['id']);
  });

  it('reports a column selected twice at the second occurrence and outputs it once', () => {
    const result = propagate(['customer', 'id', 'customer']);
    expect(result.issues).toEqual([{ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['columns', 2], message: 'Column "customer" is selected twice' }]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['customer', 'id']);
  });

  it('reports an unknown column every time it is named, not as a duplicate', () => {
    const result = propagate(['nope', 'nope']);
    expect(result.issues?.map((i) => [i.code, i.path])).toEqual([
      ['UNKNOWN_COLUMN', ['columns', 0]],
      ['UNKNOWN_COLUMN', ['columns', 1]],
    ]);
    expect(result.outputs.output).toEqual([]);
  });

  it('treats a missing input as having no columns', () => {
    const result = selectColumns.propagate({ config: { columns: ['id'] }, inputs: {} });
    expect(result.issues?.[0]?.message).toContain('(available: none)');
  });
});

describe('select-columns plan', () => {
  const plan = (columns: string[]) =>
    selectColumns.plan({
      nodeId: 'sel',
      config: { columns },
      inputs: { input: table('s1_output') },
      inputColumns: { input },
      outputTable: (port) => `s2_${port}`,
    });

  it('materialises the chosen columns into its output table', () => {
    expect(plan(['amount', 'id'])).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s1_output",
              "t": "table",
            },
            "items": [
              {
                "expr": {
                  "name": "amount",
                  "t": "column",
                },
              },
              {
                "expr": {
                  "name": "id",
                  "t": "column",
                },
              },
            ],
            "t": "select",
          },
          "table": "s2_output",
        },
      ]
    `);
  });

  it('renders quoted identifiers in the chosen order', () => {
    const [op] = plan(['amount', 'we"ird']);
    if (op?.op !== 'materialize') throw new Error('expected a materialize op');
    expect(renderSelect(op.query, { resolveFile: () => '' })).toEqual({ sql: 'SELECT "amount", "we""ird" FROM "s1_output"', params: [] });
  });

  it('refuses to plan without an input relation', () => {
    expect(() => selectColumns.plan({ nodeId: 'sel', config: { columns: ['id'] }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});
