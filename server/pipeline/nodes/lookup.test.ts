import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { lookup, LookupConfig } from './lookup';

const orders: TestInput = {
  columns: [
    { name: 'order_id', type: 'integer' },
    { name: 'sku', type: 'string' },
    { name: 'country', type: 'string' },
    { name: 'qty', type: 'integer' },
  ],
  rows: [
    { order_id: 1, sku: 'A1', country: 'DE', qty: 2 },
    { order_id: 2, sku: 'A1', country: 'DE', qty: 1 },
    { order_id: 3, sku: 'Ü-9', country: 'FR', qty: 5 },
    { order_id: 4, sku: 'missing', country: 'DE', qty: 1 },
    { order_id: 5, sku: null, country: 'DE', qty: 3 },
    { order_id: 6, sku: '東京', country: null, qty: 1 },
    { order_id: 7, sku: 'A1', country: 'FR', qty: 1 },
  ],
};

const products: TestInput = {
  columns: [
    { name: 'code', type: 'string' },
    { name: 'market', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'qty', type: 'integer' },
    { name: 'updated', type: 'integer' },
  ],
  rows: [
    { code: 'A1', market: 'DE', name: 'Anvil', qty: 10, updated: 1 },
    { code: 'Ü-9', market: 'FR', name: 'Über-Widget', qty: null, updated: 1 },
    { code: null, market: 'DE', name: 'nameless', qty: 0, updated: 1 },
    { code: '東京', market: null, name: 'Tokyo set', qty: 1, updated: 1 },
    { code: 'A1', market: 'FR', name: 'Enclume', qty: 4, updated: 1 },
  ],
};

// The same reference with 'A1'/'DE' twice.
const duplicated: TestInput = { ...products, rows: [...products.rows, { code: 'A1', market: 'DE', name: 'Anvil v2', qty: 11, updated: 2 }] };

const config = (over: Record<string, unknown> = {}) =>
  LookupConfig.parse({
    keys: [
      { input: 'sku', reference: 'code' },
      { input: 'country', reference: 'market' },
    ],
    columns: [{ column: 'name' }, { column: 'qty', as: 'stock' }],
    ...over,
  });
const propagate = (c: LookupConfig) => lookup.propagate({ config: c, inputs: { input: orders.columns, reference: products.columns } });

function sqlOf(c: LookupConfig) {
  const [op] = lookup.plan({
    nodeId: 'l',
    config: c,
    inputs: { input: table('in'), reference: table('ref') },
    inputColumns: { input: orders.columns, reference: products.columns },
    outputTable: () => 'o',
  });
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('lookup config', () => {
  it('defaults to keeping unmatched rows and failing on duplicated keys', () => {
    expect(LookupConfig.parse({ keys: [{ input: 'a', reference: 'b' }], columns: [{ column: 'c' }] })).toEqual({
      keys: [{ input: 'a', reference: 'b' }],
      columns: [{ column: 'c', as: '' }],
      prefix: '',
      onNoMatch: 'keep',
      onDuplicateKeys: 'fail',
      referenceOrder: [],
    });
  });

  it.each([
    ['no keys', { keys: [], columns: [{ column: 'c' }] }, ['keys']],
    ['no columns', { keys: [{ input: 'a', reference: 'b' }], columns: [] }, ['columns']],
    ['a half key', { keys: [{ input: 'a', reference: '' }], columns: [{ column: 'c' }] }, ['keys', 0, 'reference']],
    ['an unknown duplicate policy', { keys: [{ input: 'a', reference: 'b' }], columns: [{ column: 'c' }], onDuplicateKeys: 'all' }, ['onDuplicateKeys']],
  ])('rejects %s', (_what, c, path) => {
    expect(LookupConfig.safeParse(c).error?.issues.map((i) => i.path)).toEqual([path]);
  });
});

describe('lookup propagation and lineage', () => {
  it('appends the brought columns, copied or renamed from the reference, and records the keys as join uses', () => {
    const result = propagate(config({ onDuplicateKeys: 'first', referenceOrder: [{ column: 'updated', descending: true }] }));
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => `${c.name}:${c.type}`)).toEqual(['order_id:integer', 'sku:string', 'country:string', 'qty:integer', 'name:string', 'stock:integer']);
    expect(result.lineage.output?.name).toEqual({ from: [{ port: 'reference', column: 'name' }], how: 'copied' });
    expect(result.lineage.output?.stock).toEqual({ from: [{ port: 'reference', column: 'qty' }], how: 'renamed' });
    expect(result.lineage.output?.qty).toEqual({ from: [{ port: 'input', column: 'qty' }], how: 'copied' });
    expect(result.uses).toEqual([
      { port: 'input', column: 'sku', how: 'join' },
      { port: 'reference', column: 'code', how: 'join' },
      { port: 'input', column: 'country', how: 'join' },
      { port: 'reference', column: 'market', how: 'join' },
      { port: 'reference', column: 'updated', how: 'order' },
    ]);
  });

  it('reports a name clash instead of renaming, and accepts a prefix that avoids it', () => {
    const clash = propagate(config({ columns: [{ column: 'qty' }, { column: 'name', as: 'SKU' }] }));
    expect(clash.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['DUPLICATE_OUTPUT_COLUMN', 'columns.0.column', 'Reference column "qty" would be output as "qty", which clashes with the input column "qty"; rename it or set a prefix'],
      ['DUPLICATE_OUTPUT_COLUMN', 'columns.1.as', 'Reference column "name" would be output as "SKU", which clashes with the input column "sku"; rename it or set a prefix'],
    ]);
    expect(clash.outputs.output?.map((c) => c.name)).toEqual(['order_id', 'sku', 'country', 'qty']);
    const prefixed = propagate(config({ columns: [{ column: 'qty' }, { column: 'name' }], prefix: 'ref_' }));
    expect(prefixed.issues).toEqual([]);
    expect(prefixed.outputs.output?.slice(4).map((c) => c.name)).toEqual(['ref_qty', 'ref_name']);
    expect(propagate(config({ columns: [{ column: 'name', as: 'n' }, { column: 'qty', as: 'N' }] })).issues?.[0]?.message).toContain('clashes with the brought column "n"');
  });

  it('reports unknown columns on either side, key types that cannot match, and "first" without an order', () => {
    const result = propagate(
      LookupConfig.parse({
        keys: [
          { input: 'skuu', reference: 'code' },
          { input: 'qty', reference: 'market' },
        ],
        columns: [{ column: 'nmae' }],
        onDuplicateKeys: 'first',
      }),
    );
    expect(result.issues?.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['UNKNOWN_COLUMN', 'keys.0.input'],
      ['TYPE_MISMATCH', 'keys.1.reference'],
      ['UNKNOWN_COLUMN', 'columns.0.column'],
      ['INVALID_CONFIG', 'referenceOrder'],
    ]);
    expect(result.issues?.[2]?.message).toBe('Column "nmae" does not exist in the reference; did you mean "name"? (available: code, market, name, qty, updated)');
  });
});

describe('lookup plan', () => {
  it('left-joins the reference with a per-key row count that fails the run on a repeated match', () => {
    expect(sqlOf(config())).toMatchInlineSnapshot(`
      {
        "params": [
          ""sku" = '",
          ""country" = '",
        ],
        "sql": "SELECT "i"."order_id" AS "order_id", "i"."sku" AS "sku", "i"."country" AS "country", "i"."qty" AS "qty", CASE WHEN ("r"."__sluice_matches" > 1) THEN error(concat('The reference has ', "r"."__sluice_matches", ' rows for the key ', $1, CAST("i"."sku" AS VARCHAR), '''', ', ', $2, CAST("i"."country" AS VARCHAR), '''', '; remove the duplicates or choose to take the first row by an order')) ELSE "r"."name" END AS "name", "r"."qty" AS "stock" FROM "in" AS "i" LEFT JOIN (SELECT "code", "market", "name", "qty", "updated", count(*) OVER (PARTITION BY "code", "market") AS "__sluice_matches" FROM "ref") AS "r" ON (("i"."sku" = "r"."code") AND ("i"."country" = "r"."market"))",
      }
    `);
  });

  it('inner-joins the first reference row per key when dropping unmatched rows', () => {
    expect(sqlOf(config({ onNoMatch: 'drop', onDuplicateKeys: 'first', referenceOrder: [{ column: 'updated', descending: true }] })).sql).toMatchInlineSnapshot(
      `"SELECT "i"."order_id" AS "order_id", "i"."sku" AS "sku", "i"."country" AS "country", "i"."qty" AS "qty", "r"."name" AS "name", "r"."qty" AS "stock" FROM "in" AS "i" INNER JOIN (SELECT * FROM "ref" QUALIFY (row_number() OVER (PARTITION BY "code", "market" ORDER BY "updated" DESC NULLS LAST) = 1)) AS "r" ON (("i"."sku" = "r"."code") AND ("i"."country" = "r"."market"))"`,
    );
  });
});

describe('lookup rows', () => {
  const oracleJoin = (kind: 'LEFT' | 'INNER') =>
    `SELECT o.order_id, o.sku, o.country, o.qty, p.name, p.qty AS stock FROM orders o ${kind} JOIN products p ON o.sku = p.code AND o.country = p.market`;

  it('match a PostgreSQL left join: every input row once, NULL keys never matching', async () => {
    const sluice = await runNode({ kind: 'lookup', config: config(), inputs: { input: orders, reference: products } });
    const oracle = await postgresRows({ orders, products }, oracleJoin('LEFT'));
    expect(sluice.rows).toHaveLength(orders.rows.length);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('match a PostgreSQL inner join when unmatched rows are dropped', async () => {
    const sluice = await runNode({ kind: 'lookup', config: config({ onNoMatch: 'drop' }), inputs: { input: orders, reference: products } });
    const oracle = await postgresRows({ orders, products }, oracleJoin('INNER'));
    expect(sluice.rows.map((r) => String(r.order_id)).sort()).toEqual(['1', '2', '3', '7']);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('take the first reference row by the chosen order, like a PostgreSQL lateral LIMIT 1', async () => {
    const c = config({ onDuplicateKeys: 'first', referenceOrder: [{ column: 'updated', descending: true }] });
    const sluice = await runNode({ kind: 'lookup', config: c, inputs: { input: orders, reference: duplicated } });
    const oracle = await postgresRows(
      { orders, products: duplicated },
      `SELECT o.order_id, o.sku, o.country, o.qty, p.name, p.qty AS stock FROM orders o
       LEFT JOIN LATERAL (SELECT name, qty FROM products WHERE code = o.sku AND market = o.country ORDER BY updated DESC LIMIT 1) p ON true`,
    );
    expect(sluice.rows).toHaveLength(orders.rows.length);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.filter((r) => r.sku === 'A1' && r.country === 'DE').map((r) => r.name)).toEqual(['Anvil v2', 'Anvil v2']);
  });

  it('fail the run, naming the key, when a row matches a repeated key', async () => {
    await expect(runNode({ kind: 'lookup', config: config(), inputs: { input: orders, reference: duplicated } })).rejects.toThrow(
      `lookup failed: Invalid Input Error: The reference has 2 rows for the key "sku" = 'A1', "country" = 'DE'; remove the duplicates or choose to take the first row by an order`,
    );
  });

  it('do not fail on a repeated key no row looks up, nor on an empty input or reference', async () => {
    const unused: TestInput = { ...products, rows: [...products.rows, { code: 'zz', market: 'DE', name: 'x', qty: 1, updated: 1 }, { code: 'zz', market: 'DE', name: 'y', qty: 2, updated: 2 }] };
    expect((await runNode({ kind: 'lookup', config: config(), inputs: { input: orders, reference: unused } })).rows).toHaveLength(orders.rows.length);
    const empty = await runNode({ kind: 'lookup', config: config(), inputs: { input: { ...orders, rows: [] }, reference: products } });
    expect(empty.rows).toEqual([]);
    expect(empty.columns).toEqual(['order_id', 'sku', 'country', 'qty', 'name', 'stock']);
    const noReference = await runNode({ kind: 'lookup', config: config(), inputs: { input: orders, reference: { ...products, rows: [] } } });
    expect(noReference.rows.map((r) => [r.name, r.stock])).toEqual(orders.rows.map(() => [null, null]));
  });
});
