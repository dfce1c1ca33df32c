import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { flattenJson, FlattenJsonConfig, jsonPath } from './flatten-json';

const first = '{"customer":{"name":"Zoë","address":{"city":"Zürich"}},"total":12.5,"items":3,"paid":true,"at":"2024-03-31T01:30:00+02:00","day":"2024-03-31"}';
const orders: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'doc', type: 'string' },
  ],
  rows: [
    { id: 1, doc: first },
    { id: 2, doc: first },
    { id: 3, doc: '{"customer":{"name":"李","address":{"city":"東京"}},"total":"7","items":null,"paid":false,"at":"2024-01-01 10:00:00","day":"2024-01-01","key with spaces":"\\u00e9t\\u00e9"}' },
    { id: 4, doc: '{}' },
    { id: 5, doc: null },
    { id: 6, doc: '[1, 2]' },
    { id: 7, doc: '{"customer":{"address":null},"total":1e2,"items":"4","at":"2024-06-01T00:00:00Z","tags":["a","b"]}' },
  ],
};
const fields = [
  { path: 'customer.address.city', as: 'city' },
  { path: '$.customer.name', as: 'name' },
  { path: 'total', as: 'total', type: 'float' },
  { path: 'items', as: 'items', type: 'integer' },
  { path: 'paid', as: 'paid', type: 'boolean' },
  { path: 'at', as: 'at', type: 'timestamp' },
  { path: 'day', as: 'day', type: 'date' },
  { path: '$."key with spaces"', as: 'spaced' },
];
// Hand-written with jsonb operators; timestamps through timestamptz in a UTC session.
const oracleColumns = `id,
  j #>> '{customer,address,city}' AS city, j #>> '{customer,name}' AS name,
  (j ->> 'total')::float8 AS total, (j ->> 'items')::bigint AS items, (j ->> 'paid')::boolean AS paid,
  ((j ->> 'at')::timestamptz AT TIME ZONE 'UTC') AS at, (j ->> 'day')::date AS day, j ->> 'key with spaces' AS spaced`;

const parse = (config: Record<string, unknown>) => FlattenJsonConfig.parse(config);

describe('flatten-json config', () => {
  it('fills defaults and accepts dotted keys and JSON paths', () => {
    expect(parse({ column: 'doc', fields: [{ path: ' a.b ', as: 'b' }] })).toEqual({ column: 'doc', fields: [{ path: 'a.b', as: 'b', type: 'string' }], onInvalid: 'fail', keepSource: true });
    for (const path of ['a', 'städte.名前', '$', '$.a[0].b', '$."key with spaces".c', 'items[2]']) expect(FlattenJsonConfig.safeParse({ column: 'doc', fields: [{ path, as: 'x' }] }).success, path).toBe(true);
    expect([jsonPath('a.b'), jsonPath('$.a'), jsonPath('items[2]')]).toEqual(['$.a.b', '$.a', '$.items[2]']);
  });

  it('refuses paths that are not JSON paths, unnamed fields and no fields', () => {
    for (const path of ['a..b', '$.a.', 'a b', '$[x]', "$.a') OR 1=1 --", '']) {
      expect(FlattenJsonConfig.safeParse({ column: 'doc', fields: [{ path, as: 'x' }] }).success, path).toBe(false);
    }
    expect(FlattenJsonConfig.safeParse({ column: 'doc', fields: [{ path: 'a', as: ' ' }] }).error?.issues[0]?.message).toBe('Name the new column');
    expect(FlattenJsonConfig.safeParse({ column: 'doc', fields: [] }).error?.issues[0]?.message).toBe('Declare at least one field to extract');
  });
});

describe('flatten-json propagate', () => {
  it('adds the declared fields, derived from the JSON column, keeping or dropping it', () => {
    const kept = flattenJson.propagate({ config: parse({ column: 'doc', fields: fields.slice(2, 4) }), inputs: { input: orders.columns } });
    expect(kept.issues).toEqual([]);
    expect(kept.outputs.output).toEqual([...orders.columns, { name: 'total', type: 'float' }, { name: 'items', type: 'integer' }]);
    expect(kept.lineage.output).toEqual({
      id: { from: [{ port: 'input', column: 'id' }], how: 'copied' },
      doc: { from: [{ port: 'input', column: 'doc' }], how: 'copied' },
      total: { from: [{ port: 'input', column: 'doc' }], how: 'derived' },
      items: { from: [{ port: 'input', column: 'doc' }], how: 'derived' },
    });
    const dropped = flattenJson.propagate({ config: parse({ column: 'doc', fields: [{ path: 'a', as: 'doc' }], keepSource: false }), inputs: { input: orders.columns } });
    expect(dropped.issues).toEqual([]);
    expect(dropped.outputs.output).toEqual([{ name: 'id', type: 'integer' }, { name: 'doc', type: 'string' }]);
  });

  it('reports an unknown or non-text column and clashing names', () => {
    const unknown = flattenJson.propagate({ config: parse({ column: 'dco', fields: [{ path: 'a', as: 'ID' }, { path: 'b', as: 'x' }, { path: 'c', as: 'X' }] }), inputs: { input: orders.columns } });
    expect(unknown.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['UNKNOWN_COLUMN', 'column', 'Column "dco" does not exist in the input; did you mean "doc"? (available: id, doc)'],
      ['DUPLICATE_OUTPUT_COLUMN', 'fields.0.as', 'The output name "ID" is already used by the input column "id" (names are case-insensitive); enter another name'],
      ['DUPLICATE_OUTPUT_COLUMN', 'fields.2.as', 'The output name "X" is already used by field 2 (names are case-insensitive); enter another name'],
    ]);
    const numeric = flattenJson.propagate({ config: parse({ column: 'id', fields: [{ path: 'a', as: 'a' }] }), inputs: { input: orders.columns } });
    expect(numeric.issues).toEqual([{ code: 'TYPE_MISMATCH', path: ['column'], message: 'JSON is read from text, but "id" is integer' }]);
  });
});

describe('flatten-json plan', () => {
  const rendered = (config: Record<string, unknown>) => {
    const [op] = flattenJson.plan({ nodeId: 'f', config: parse(config), inputs: { input: table('s0_output') }, inputColumns: { input: orders.columns }, outputTable: () => 'o' });
    return renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
  };

  it('renders NULL for invalid JSON, binding the paths', () => {
    expect(rendered({ column: 'doc', fields: [{ path: 'customer.name', as: 'name' }, { path: 'n', as: 'n', type: 'integer' }], onInvalid: 'null', keepSource: false })).toMatchInlineSnapshot(`
      {
        "params": [
          "$.customer.name",
          "$.n",
        ],
        "sql": "SELECT "id", CASE WHEN json_valid("doc") THEN json_extract_string("doc", $1) END AS "name", CASE WHEN json_valid("doc") THEN TRY_CAST(json_extract_string("doc", $2) AS BIGINT) END AS "n" FROM "s0_output"",
      }
    `);
  });

  it('renders failures that quote the document and value, and timestamps that honour offsets', () => {
    expect(rendered({ column: 'doc', fields: [{ path: 'at', as: 'at', type: 'timestamp' }] })).toMatchInlineSnapshot(`
      {
        "params": [
          "Column "doc" holds text that is not valid JSON: ",
          "$.at",
          "$.at",
          "(Z|z|[+-]\\d{2}(:?\\d{2})?)$",
          "$.at",
          "$.at",
          "Field "at" ($.at) does not convert to timestamp: ",
          "$.at",
          ", in the document ",
          "$.at",
          "(Z|z|[+-]\\d{2}(:?\\d{2})?)$",
          "$.at",
          "$.at",
        ],
        "sql": "SELECT "id", "doc", CASE WHEN (NOT json_valid("doc")) THEN error(concat($1, left("doc", 200))) WHEN ((json_extract_string("doc", $2) IS NOT NULL) AND (CASE WHEN regexp_matches(json_extract_string("doc", $3), $4) THEN timezone('UTC', TRY_CAST(json_extract_string("doc", $5) AS TIMESTAMPTZ)) ELSE TRY_CAST(json_extract_string("doc", $6) AS TIMESTAMP) END IS NULL)) THEN error(concat($7, left(json_extract_string("doc", $8), 200), $9, left("doc", 200))) ELSE CASE WHEN regexp_matches(json_extract_string("doc", $10), $11) THEN timezone('UTC', TRY_CAST(json_extract_string("doc", $12) AS TIMESTAMPTZ)) ELSE TRY_CAST(json_extract_string("doc", $13) AS TIMESTAMP) END END AS "at" FROM "s0_output"",
      }
    `);
  });
});

describe('flatten-json on DuckDB, against PostgreSQL', () => {
  it('extracts typed fields: nested keys, unicode, duplicates, NULL, empty and non-object documents, offsets', async () => {
    const sluice = await runNode({ kind: 'flatten-json', config: { column: 'doc', fields, keepSource: false }, inputs: { input: orders } });
    expect(sluice.columns).toEqual(['id', 'city', 'name', 'total', 'items', 'paid', 'at', 'day', 'spaced']);
    const oracle = await postgresRows({ orders }, `SELECT ${oracleColumns} FROM (SELECT id, doc::jsonb AS j FROM orders) o`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    const rows = normalizeRows(sluice.rows);
    // 01:30 at +02:00 is 23:30 UTC the day before; "Z" and no offset are UTC already.
    expect(rows.find((r) => r.id === 1)).toMatchObject({ city: 'Zürich', name: 'Zoë', total: 12.5, items: 3, paid: true, at: '2024-03-30 23:30:00', day: '2024-03-31' });
    expect(rows.find((r) => r.id === 3)).toMatchObject({ city: '東京', total: 7, items: null, at: '2024-01-01 10:00:00', spaced: 'été' });
    expect(rows.find((r) => r.id === 7)).toMatchObject({ items: 4, at: '2024-06-01 00:00:00' });
  });

  it('gives nested values as JSON text and rounds integers given with decimals', async () => {
    const data: TestInput = { columns: orders.columns, rows: [{ id: 1, doc: '{"tags":["a","b"],"n":2.6,"o":{"k":1}}' }] };
    const sluice = await runNode({ kind: 'flatten-json', config: { column: 'doc', fields: [{ path: 'tags', as: 'tags' }, { path: 'n', as: 'n', type: 'integer' }, { path: 'o', as: 'o' }, { path: 'tags[1]', as: 'second' }] }, inputs: { input: data } });
    expect(normalizeRows(sluice.rows)).toEqual([{ id: 1, doc: '{"tags":["a","b"],"n":2.6,"o":{"k":1}}', tags: '["a","b"]', n: 3, o: '{"k":1}', second: 'b' }]);
  });

  it('turns invalid JSON and values that do not convert into NULL when asked', async () => {
    const data: TestInput = { columns: orders.columns, rows: [...orders.rows, { id: 8, doc: 'nope' }, { id: 9, doc: '{"items":"many","total":"ä"}' }] };
    const config = { column: 'doc', fields: fields.slice(2, 4), onInvalid: 'null' };
    const sluice = await runNode({ kind: 'flatten-json', config, inputs: { input: data } });
    const oracle = await postgresRows(
      { orders: data },
      `SELECT id, doc, CASE WHEN (j ->> 'total') ~ '^[0-9.e+-]+$' THEN (j ->> 'total')::float8 END AS total, CASE WHEN (j ->> 'items') ~ '^[0-9]+$' THEN (j ->> 'items')::bigint END AS items
       FROM (SELECT id, doc, CASE WHEN doc = 'nope' THEN NULL ELSE doc::jsonb END AS j FROM orders) o`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('fails on invalid JSON or a value that does not convert, quoting it', async () => {
    const invalid: TestInput = { columns: orders.columns, rows: [...orders.rows, { id: 8, doc: '{"customer": nope}' }] };
    await expect(runNode({ kind: 'flatten-json', config: { column: 'doc', fields }, inputs: { input: invalid } })).rejects.toThrow('Column "doc" holds text that is not valid JSON: {"customer": nope}');
    const unconvertible: TestInput = { columns: orders.columns, rows: [...orders.rows, { id: 8, doc: '{"items":"viele"}' }] };
    await expect(runNode({ kind: 'flatten-json', config: { column: 'doc', fields }, inputs: { input: unconvertible } })).rejects.toThrow('Field "items" ($.items) does not convert to integer: viele, in the document {"items":"viele"}');
  });

  it('outputs nothing for an empty input', async () => {
    const sluice = await runNode({ kind: 'flatten-json', config: { column: 'doc', fields }, inputs: { input: { ...orders, rows: [] } } });
    expect(sluice.rows).toEqual([]);
  });
});
