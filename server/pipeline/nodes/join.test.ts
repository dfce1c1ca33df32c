import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { renderSelect, table, type Relation } from '../../sql/ast';
import { harnessDocument, normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { join, JoinConfig } from './join';

const left: Column[] = [
  { name: 'order_id', type: 'integer' },
  { name: 'customer_id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
];
const right: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'Name', type: 'string' },
  { name: 'city', type: 'string' },
  { name: 'order_id', type: 'string' },
];

function issues(config: unknown) {
  const result = JoinConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const key = (l: string, r: string) => ({ left: l, right: r });
const propagate = (config: unknown, l: Column[] = left, r: Column[] = right) => join.propagate({ config: JoinConfig.parse(config), inputs: { left: l, right: r } });

function rendered(config: unknown, inputs: { left: Relation; right: Relation } = { left: table('s0_output'), right: table('s1_output') }, l: Column[] = left, r: Column[] = right) {
  const ops = join.plan({ nodeId: 'j', config: JoinConfig.parse(config), inputs, inputColumns: { left: l, right: r }, outputTable: (port) => `s2_${port}` });
  const [op] = ops;
  if (ops.length !== 1 || op?.op !== 'materialize') throw new Error('expected one materialize op');
  expect(op.table).toBe('s2_output');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('join config', () => {
  it('defaults to an inner join with the suffix "_right"', () => {
    expect(JoinConfig.parse({ keys: [key('a', 'b')] })).toEqual({ kind: 'inner', keys: [{ left: 'a', right: 'b' }], rightSuffix: '_right' });
  });

  it('accepts every join kind', () => {
    for (const kind of ['inner', 'left', 'right', 'full', 'semi', 'anti']) expect(issues({ kind, keys: [key('a', 'b')] })).toEqual([]);
  });

  it.each([
    ['no key pairs', { keys: [] }, ['keys'], 'Add at least one pair of key columns'],
    ['missing keys', {}, ['keys'], /expected array/],
    ['a pair without a left column', { keys: [key('a', 'b'), key('', 'b')] }, ['keys', 1, 'left'], 'Choose a column of the left input'],
    ['a pair without a right column', { keys: [key('a', '')] }, ['keys', 0, 'right'], 'Choose a column of the right input'],
    ['an unknown join kind', { kind: 'cross', keys: [key('a', 'b')] }, ['kind'], /expected one of/],
    ['an empty suffix', { keys: [key('a', 'b')], rightSuffix: '' }, ['rightSuffix'], 'Enter a suffix for right columns whose names clash'],
    ['a suffix with a NUL', { keys: [key('a', 'b')], rightSuffix: '_\0' }, ['rightSuffix'], 'The suffix contains a NUL character'],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('join propagate', () => {
  it('outputs left columns (the key once, under the left name), then right non-key columns, suffixing clashing names', () => {
    const result = propagate({ keys: [key('customer_id', 'id')] });
    expect(result.outputs).toEqual({
      output: [
        { name: 'order_id', type: 'integer' },
        { name: 'customer_id', type: 'integer' },
        { name: 'name', type: 'string' },
        { name: 'amount', type: 'float' },
        { name: 'Name_right', type: 'string' },
        { name: 'city', type: 'string' },
        { name: 'order_id_right', type: 'string' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        order_id: { from: [{ port: 'left', column: 'order_id' }], how: 'copied' },
        customer_id: { from: [{ port: 'left', column: 'customer_id' }], how: 'copied' },
        name: { from: [{ port: 'left', column: 'name' }], how: 'copied' },
        amount: { from: [{ port: 'left', column: 'amount' }], how: 'copied' },
        Name_right: { from: [{ port: 'right', column: 'Name' }], how: 'renamed' },
        city: { from: [{ port: 'right', column: 'city' }], how: 'copied' },
        order_id_right: { from: [{ port: 'right', column: 'order_id' }], how: 'renamed' },
      },
    });
    expect(result.uses).toEqual([
      { port: 'left', column: 'customer_id', how: 'join' },
      { port: 'right', column: 'id', how: 'join' },
    ]);
    expect(result.issues).toEqual([]);
  });

  it.each([
    ['inner', 'integer', { from: [{ port: 'left', column: 'customer_id' }], how: 'copied' }],
    ['left', 'integer', { from: [{ port: 'left', column: 'customer_id' }], how: 'copied' }],
    ['right', 'float', { from: [{ port: 'right', column: 'id' }], how: 'renamed' }],
    [
      'full',
      'float',
      {
        from: [
          { port: 'left', column: 'customer_id' },
          { port: 'right', column: 'id' },
        ],
        how: 'renamed',
      },
    ],
    ['semi', 'integer', { from: [{ port: 'left', column: 'customer_id' }], how: 'copied' }],
    ['anti', 'integer', { from: [{ port: 'left', column: 'customer_id' }], how: 'copied' }],
  ])('a %s join takes the key from the preserved side (integer = float keys; type %s)', (kind, type, lineage) => {
    const floatIds = right.map((c) => (c.name === 'id' ? { name: 'id', type: 'float' as const } : c));
    const result = propagate({ kind, keys: [key('customer_id', 'id')] }, left, floatIds);
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.find((c) => c.name === 'customer_id')).toEqual({ name: 'customer_id', type });
    expect(result.lineage.output?.customer_id).toEqual(lineage);
    expect(result.outputs.output?.map((c) => c.name).indexOf('customer_id')).toBe(1);
  });

  it('says "copied" for a full join key whose columns share the name', () => {
    const result = propagate({ kind: 'full', keys: [key('order_id', 'order_id')] }, left, left);
    expect(result.lineage.output?.order_id).toEqual({
      from: [
        { port: 'left', column: 'order_id' },
        { port: 'right', column: 'order_id' },
      ],
      how: 'copied',
    });
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['order_id', 'customer_id', 'name', 'amount', 'customer_id_right', 'name_right', 'amount_right']);
  });

  it.each(['semi', 'anti'])('a %s join outputs only the left columns', (kind) => {
    const result = propagate({ kind, keys: [key('customer_id', 'id')] });
    expect(result.outputs.output).toEqual(left);
    expect(Object.keys(result.lineage.output ?? {})).toEqual(left.map((c) => c.name));
    expect(result.uses).toHaveLength(2);
  });

  it('suffixes a right non-key column named like the left key, and uses a custom suffix', () => {
    const r: Column[] = [
      { name: 'cid', type: 'integer' },
      { name: 'customer_id', type: 'string' },
    ];
    const result = propagate({ keys: [key('customer_id', 'cid')], rightSuffix: ' (customer)' }, left, r);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['order_id', 'customer_id', 'name', 'amount', 'customer_id (customer)']);
  });

  it('joins on several key pairs', () => {
    const result = propagate({ kind: 'left', keys: [key('customer_id', 'id'), key('name', 'Name')] });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['order_id', 'customer_id', 'name', 'amount', 'city', 'order_id_right']);
  });

  it('reports unknown key columns on each side, naming the side and suggesting a name', () => {
    const result = propagate({ keys: [key('customer_id', 'id'), key('custmer_id', 'idd')] });
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['keys', 1, 'left'],
        message: 'Column "custmer_id" does not exist in the left input; did you mean "customer_id"? (available: order_id, customer_id, name, amount)',
      },
      {
        code: 'UNKNOWN_COLUMN',
        path: ['keys', 1, 'right'],
        message: 'Column "idd" does not exist in the right input; did you mean "id"? (available: id, Name, city, order_id)',
      },
    ]);
  });

  it('makes no suggestion when nothing is close, and says "none" for an input without columns', () => {
    const [far] = propagate({ keys: [key('warehouse_region', 'id')] }).issues ?? [];
    expect(far?.message).toBe('Column "warehouse_region" does not exist in the left input (available: order_id, customer_id, name, amount)');
    const [none] = propagate({ keys: [key('customer_id', 'id')] }, left, []).issues ?? [];
    expect(none?.message).toBe('Column "id" does not exist in the right input (available: none)');
  });

  it('reports keys of incompatible types as a type mismatch at the right column', () => {
    const result = propagate({ keys: [key('customer_id', 'order_id'), key('amount', 'id')] });
    expect(result.issues).toEqual([
      { code: 'TYPE_MISMATCH', path: ['keys', 0, 'right'], message: 'Key "customer_id" (integer) cannot be matched with "order_id" (string); both keys need the same type' },
    ]);
  });

  it('reports a column used in two key pairs', () => {
    const result = propagate({ keys: [key('customer_id', 'id'), key('customer_id', 'city'), key('name', 'id')] });
    expect(result.issues?.map((i) => [i.code, i.path, i.message])).toEqual([
      ['INVALID_CONFIG', ['keys', 1, 'left'], 'Column "customer_id" is already a key in pair 1; use each column in one pair only'],
      ['INVALID_CONFIG', ['keys', 2, 'right'], 'Column "id" is already a key in pair 1; use each column in one pair only'],
    ]);
  });

  it('reports a suffixed name that clashes with another column (case-insensitively)', () => {
    const l: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'city', type: 'string' },
      { name: 'CITY_RIGHT', type: 'string' },
    ];
    const r: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'city', type: 'string' },
    ];
    const result = propagate({ keys: [key('id', 'id')] }, l, r);
    expect(result.issues).toEqual([
      {
        code: 'DUPLICATE_OUTPUT_COLUMN',
        path: ['rightSuffix'],
        message: 'Right column "city" would be renamed to "city_right", but the output already has a column "CITY_RIGHT" (names are case-insensitive); choose another suffix',
      },
    ]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['id', 'city', 'CITY_RIGHT']);
  });

  it('reports a suffixed name that clashes with a right column of that name', () => {
    const r: Column[] = [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string' },
      { name: 'name_right', type: 'string' },
    ];
    const result = propagate({ keys: [key('customer_id', 'id')] }, left, r);
    expect(result.issues?.map((i) => [i.code, i.path])).toEqual([['DUPLICATE_OUTPUT_COLUMN', ['rightSuffix']]]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['order_id', 'customer_id', 'name', 'amount', 'name_right']);
    expect(result.lineage.output?.name_right).toEqual({ from: [{ port: 'right', column: 'name_right' }], how: 'copied' });
  });
});

describe('join plan', () => {
  it('renders an inner join over aliased inputs', () => {
    expect(rendered({ keys: [key('customer_id', 'id')] })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount", "r"."Name" AS "Name_right", "r"."city" AS "city", "r"."order_id" AS "order_id_right" FROM "s0_output" AS "l" INNER JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id"))",
      }
    `);
  });

  it('renders each join kind, taking keys from the preserved side', () => {
    const byKind = Object.fromEntries(['left', 'right', 'full', 'semi', 'anti'].map((kind) => [kind, rendered({ kind, keys: [key('customer_id', 'id'), key('name', 'Name')] }).sql]));
    expect(byKind).toMatchInlineSnapshot(`
      {
        "anti": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount" FROM "s0_output" AS "l" ANTI JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id") AND ("l"."name" = "r"."Name"))",
        "full": "SELECT "l"."order_id" AS "order_id", coalesce("l"."customer_id", "r"."id") AS "customer_id", coalesce("l"."name", "r"."Name") AS "name", "l"."amount" AS "amount", "r"."city" AS "city", "r"."order_id" AS "order_id_right" FROM "s0_output" AS "l" FULL OUTER JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id") AND ("l"."name" = "r"."Name"))",
        "left": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount", "r"."city" AS "city", "r"."order_id" AS "order_id_right" FROM "s0_output" AS "l" LEFT JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id") AND ("l"."name" = "r"."Name"))",
        "right": "SELECT "l"."order_id" AS "order_id", "r"."id" AS "customer_id", "r"."Name" AS "name", "l"."amount" AS "amount", "r"."city" AS "city", "r"."order_id" AS "order_id_right" FROM "s0_output" AS "l" RIGHT JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id") AND ("l"."name" = "r"."Name"))",
        "semi": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount" FROM "s0_output" AS "l" SEMI JOIN "s1_output" AS "r" ON (("l"."customer_id" = "r"."id") AND ("l"."name" = "r"."Name"))",
      }
    `);
  });

  it('re-aliases a subquery input, wraps any other relation, and can join a table with itself', () => {
    const sub: Relation = { t: 'subquery', query: { t: 'select', items: '*', from: table('s0_output') }, alias: 'x' };
    const nested: Relation = { t: 'join', kind: 'inner', left: table('a'), right: table('b'), on: { t: 'literal', value: true } };
    const semi = { kind: 'semi', keys: [key('order_id', 'order_id')] };
    expect({
      subquery: rendered(semi, { left: table('s0_output'), right: sub }, left, left).sql,
      join: rendered(semi, { left: nested, right: table('s0_output') }, left, left).sql,
      self: rendered(semi, { left: table('s0_output'), right: table('s0_output') }, left, left).sql,
    }).toMatchInlineSnapshot(`
      {
        "join": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount" FROM (SELECT * FROM "a" INNER JOIN "b" ON TRUE) AS "l" SEMI JOIN "s0_output" AS "r" ON (("l"."order_id" = "r"."order_id"))",
        "self": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount" FROM "s0_output" AS "l" SEMI JOIN "s0_output" AS "r" ON (("l"."order_id" = "r"."order_id"))",
        "subquery": "SELECT "l"."order_id" AS "order_id", "l"."customer_id" AS "customer_id", "l"."name" AS "name", "l"."amount" AS "amount" FROM "s0_output" AS "l" SEMI JOIN (SELECT * FROM "s0_output") AS "r" ON (("l"."order_id" = "r"."order_id"))",
      }
    `);
  });

  it('refuses to plan without both inputs', () => {
    expect(() =>
      join.plan({ nodeId: 'j', config: JoinConfig.parse({ keys: [key('a', 'b')] }), inputs: { left: table('t') }, inputColumns: {}, outputTable: (p) => p }),
    ).toThrow(/without both inputs/);
  });

  it('compiles in a pipeline, reporting an unconnected input', () => {
    const doc = harnessDocument({ kind: 'join', config: { keys: [key('customer_id', 'id')] }, inputs: { left: { columns: left, rows: [] } } });
    const result = compile(doc);
    expect(result.diagnostics.map((d) => [d.code, d.port])).toContainEqual(['INPUT_NOT_CONNECTED', 'right']);
  });
});

// ── Against PostgreSQL ──────────────────────────────────────────────────────
const orders: TestInput = {
  columns: [
    { name: 'order_id', type: 'integer' },
    { name: 'customer_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'amount', type: 'float' },
  ],
  rows: [
    { order_id: 1, customer_id: 10, name: 'Zoë’s order', amount: 5.5 },
    { order_id: 2, customer_id: 10, name: 'second', amount: 2 },
    { order_id: 3, customer_id: 20, name: '東京', amount: 1.25 },
    { order_id: 4, customer_id: null, name: 'no customer', amount: 9 },
    { order_id: 5, customer_id: 99, name: 'unknown customer', amount: null },
  ],
};
const customers: TestInput = {
  columns: [
    { name: 'customer_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'city', type: 'string' },
  ],
  rows: [
    { customer_id: 10, name: 'Zoë', city: 'Zürich' },
    { customer_id: 20, name: 'Ōsaka Co', city: 'Ōsaka' },
    { customer_id: 20, name: 'duplicate twenty', city: 'Kyoto' },
    { customer_id: null, name: 'null id', city: 'Nowhere' },
    { customer_id: 30, name: 'lonely', city: 'Oslo' },
  ],
};

const joinedColumns = ['order_id', 'customer_id', 'name', 'amount', 'name_right', 'city'];
const postgresJoin: Record<string, string> = {
  inner: 'SELECT o.order_id, o.customer_id, o.name, o.amount, c.name AS name_right, c.city FROM orders o JOIN customers c ON o.customer_id = c.customer_id',
  left: 'SELECT o.order_id, o.customer_id, o.name, o.amount, c.name AS name_right, c.city FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id',
  right: 'SELECT o.order_id, c.customer_id, o.name, o.amount, c.name AS name_right, c.city FROM orders o RIGHT JOIN customers c ON o.customer_id = c.customer_id',
  full: 'SELECT o.order_id, COALESCE(o.customer_id, c.customer_id) AS customer_id, o.name, o.amount, c.name AS name_right, c.city FROM orders o FULL JOIN customers c ON o.customer_id = c.customer_id',
  semi: 'SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)',
  anti: 'SELECT * FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)',
};
const outputColumns = (kind: string) => (kind === 'semi' || kind === 'anti' ? orders.columns.map((c) => c.name) : joinedColumns);

async function differential(kind: string, o: TestInput, c: TestInput) {
  const sluice = await runNode({ kind: 'join', config: { kind, keys: [key('customer_id', 'customer_id')] }, inputs: { left: o, right: c } });
  const oracle = await postgresRows({ orders: o, customers: c }, postgresJoin[kind] ?? '');
  expect(sluice.columns).toEqual(outputColumns(kind));
  expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  return sluice;
}

describe('join on DuckDB, against PostgreSQL', () => {
  it.each(['inner', 'left', 'right', 'full', 'semi', 'anti'])('%s join: NULL keys never match, duplicate keys multiply rows', async (kind) => {
    const sluice = await differential(kind, orders, customers);
    const expectedCount = { inner: 4, left: 6, right: 6, full: 8, semi: 3, anti: 2 }[kind];
    expect(sluice.rows).toHaveLength(expectedCount ?? -1);
  });

  it('gives the rows an inner join should', async () => {
    const sluice = await runNode({ kind: 'join', config: { keys: [key('customer_id', 'customer_id')] }, inputs: { left: orders, right: customers } });
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual([
      { order_id: 1, customer_id: 10, name: 'Zoë’s order', amount: 5.5, name_right: 'Zoë', city: 'Zürich' },
      { order_id: 2, customer_id: 10, name: 'second', amount: 2, name_right: 'Zoë', city: 'Zürich' },
      { order_id: 3, customer_id: 20, name: '東京', amount: 1.25, name_right: 'duplicate twenty', city: 'Kyoto' },
      { order_id: 3, customer_id: 20, name: '東京', amount: 1.25, name_right: 'Ōsaka Co', city: 'Ōsaka' },
    ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
  });

  it.each(['inner', 'left', 'right', 'full', 'semi', 'anti'])('%s join with an empty side', async (kind) => {
    await differential(kind, { ...orders, rows: [] }, customers);
    await differential(kind, orders, { ...customers, rows: [] });
  });

  it('matches integer keys with float keys; a full join outputs the key as float', async () => {
    const prices: TestInput = {
      columns: [
        { name: 'ref', type: 'float' },
        { name: 'label', type: 'string' },
      ],
      rows: [
        { ref: 10, label: 'ten' },
        { ref: 20.5, label: 'twenty and a half' },
        { ref: null, label: 'none' },
      ],
    };
    const sluice = await runNode({ kind: 'join', config: { kind: 'full', keys: [key('customer_id', 'ref')] }, inputs: { left: orders, right: prices } });
    expect(sluice.compiled.schemas.under_test?.output?.find((c) => c.name === 'customer_id')).toEqual({ name: 'customer_id', type: 'float' });
    const oracle = await postgresRows(
      { orders, prices },
      'SELECT o.order_id, COALESCE(o.customer_id::double precision, p.ref) AS customer_id, o.name, o.amount, p.label FROM orders o FULL JOIN prices p ON o.customer_id = p.ref',
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('joins on two key pairs with different names on each side', async () => {
    const labels: TestInput = {
      columns: [
        { name: 'cust', type: 'integer' },
        { name: 'label', type: 'string' },
        { name: 'customer_id', type: 'string' },
      ],
      rows: [
        { cust: 10, label: 'second', customer_id: 'x' },
        { cust: 20, label: '東京', customer_id: 'y' },
        { cust: 20, label: 'other', customer_id: 'z' },
        { cust: null, label: 'no customer', customer_id: 'n' },
      ],
    };
    const sluice = await runNode({ kind: 'join', config: { kind: 'right', keys: [key('customer_id', 'cust'), key('name', 'label')] }, inputs: { left: orders, right: labels } });
    expect(sluice.columns).toEqual(['order_id', 'customer_id', 'name', 'amount', 'customer_id_right']);
    const oracle = await postgresRows(
      { orders, labels },
      'SELECT o.order_id, l.cust AS customer_id, l.label AS name, o.amount, l.customer_id AS customer_id_right FROM orders o RIGHT JOIN labels l ON o.customer_id = l.cust AND o.name = l.label',
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });
});
