import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { unnestArray, UnnestArrayConfig } from './unnest-array';

const posts: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'tags', type: 'string' },
  ],
  rows: [
    { id: 1, tags: '["etl", "duckdb", "etl"]' },
    { id: 2, tags: '["東京", null, "Zoë", {"k": 1}]' },
    { id: 3, tags: '[]' },
    { id: 4, tags: null },
    { id: 5, tags: '["😀"]' },
    { id: 5, tags: '["😀"]' },
  ],
};
const parse = (config: Record<string, unknown>) => UnnestArrayConfig.parse(config);

describe('unnest-array config', () => {
  it('fills defaults', () => {
    expect(parse({ column: 'tags' })).toEqual({ column: 'tags', as: 'element', type: 'string', indexColumn: '', keepEmpty: false, keepSource: false, onInvalid: 'fail' });
    expect(UnnestArrayConfig.safeParse({ column: 'tags', as: ' ' }).error?.issues[0]?.message).toBe('Name the element column');
    expect(UnnestArrayConfig.safeParse({ column: '' }).error?.issues[0]?.message).toBe('Choose the column holding JSON arrays');
  });
});

describe('unnest-array propagate', () => {
  it('replaces the array column with the typed element and position, derived from it', () => {
    const result = unnestArray.propagate({ config: parse({ column: 'tags', as: 'tag', indexColumn: 'pos' }), inputs: { input: posts.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'tag', type: 'string' },
      { name: 'pos', type: 'integer' },
    ]);
    expect(result.lineage.output).toEqual({
      id: { from: [{ port: 'input', column: 'id' }], how: 'copied' },
      tag: { from: [{ port: 'input', column: 'tags' }], how: 'derived' },
      pos: { from: [{ port: 'input', column: 'tags' }], how: 'derived' },
    });
    const kept = unnestArray.propagate({ config: parse({ column: 'tags', type: 'integer', keepSource: true }), inputs: { input: posts.columns } });
    expect(kept.outputs.output).toEqual([...posts.columns, { name: 'element', type: 'integer' }]);
  });

  it('reports an unknown or non-text column and clashing names', () => {
    const result = unnestArray.propagate({ config: parse({ column: 'tag', as: 'ID', indexColumn: 'id' }), inputs: { input: posts.columns } });
    expect(result.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['UNKNOWN_COLUMN', 'column', 'Column "tag" does not exist in the input; did you mean "tags"? (available: id, tags)'],
      ['DUPLICATE_OUTPUT_COLUMN', 'as', 'The output name "ID" is already used by the input column "id" (names are case-insensitive); enter another name'],
      ['DUPLICATE_OUTPUT_COLUMN', 'indexColumn', 'The output name "id" is already used by the element column (names are case-insensitive); enter another name'],
    ]);
    expect(unnestArray.propagate({ config: parse({ column: 'id' }), inputs: { input: posts.columns } }).issues).toEqual([
      { code: 'TYPE_MISMATCH', path: ['column'], message: 'Arrays are read from JSON text, but "id" is integer' },
    ]);
  });
});

describe('unnest-array plan', () => {
  const rendered = (config: Record<string, unknown>) => {
    const [op] = unnestArray.plan({ nodeId: 'u', config: parse(config), inputs: { input: table('s0_output') }, inputColumns: { input: posts.columns }, outputTable: () => 'o' });
    return renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
  };

  it('renders lists, then zipped unnests, then typing; NULL for invalid arrays', () => {
    expect(rendered({ column: 'tags', indexColumn: 'pos', onInvalid: 'null' })).toMatchInlineSnapshot(`
      {
        "params": [
          "$[*]",
        ],
        "sql": "SELECT "id", "element" AS "element", "pos" FROM (SELECT "id", unnest("element") AS "element", generate_subscripts("element", 1) AS "pos" FROM (SELECT "id", CASE WHEN (NOT json_valid("tags")) THEN NULL WHEN (json_type("tags") <> 'ARRAY') THEN NULL ELSE json_extract_string("tags", $1) END AS "element" FROM "s0_output") AS "arrays") AS "elements"",
      }
    `);
  });

  it('renders a placeholder element for empty arrays and failures that quote the text', () => {
    expect(rendered({ column: 'tags', type: 'integer', indexColumn: 'pos', keepEmpty: true })).toMatchInlineSnapshot(`
      {
        "params": [
          "An element of "tags" does not convert to integer: ",
          "Column "tags" holds text that is not valid JSON: ",
          "Column "tags" holds JSON that is not an array: ",
          "$[*]",
        ],
        "sql": "SELECT "id", CASE WHEN (("element" IS NOT NULL) AND (TRY_CAST("element" AS BIGINT) IS NULL)) THEN error(concat($1, left("element", 200))) ELSE TRY_CAST("element" AS BIGINT) END AS "element", "pos" FROM (SELECT "id", unnest(CASE WHEN (len("element") > 0) THEN "element" ELSE [NULL] END) AS "element", unnest(CASE WHEN (len("element") > 0) THEN generate_series(1, len("element")) ELSE [NULL] END) AS "pos" FROM (SELECT "id", CASE WHEN (NOT json_valid("tags")) THEN error(concat($2, left("tags", 200))) WHEN (json_type("tags") <> 'ARRAY') THEN error(concat($3, left("tags", 200))) ELSE json_extract_string("tags", $4) END AS "element" FROM "s0_output") AS "arrays") AS "elements"",
      }
    `);
  });
});

describe('unnest-array on DuckDB, against PostgreSQL', () => {
  it.each([false, true])('matches jsonb_array_elements_text WITH ORDINALITY (keep empty: %s)', async (keepEmpty) => {
    const sluice = await runNode({ kind: 'unnest-array', config: { column: 'tags', as: 'tag', indexColumn: 'pos', keepEmpty }, inputs: { input: posts } });
    expect(sluice.columns).toEqual(['id', 'tag', 'pos']);
    const oracle = await postgresRows(
      { posts },
      `SELECT p.id, e.tag, e.pos FROM posts p
       ${keepEmpty ? 'LEFT JOIN LATERAL' : 'CROSS JOIN LATERAL'} jsonb_array_elements_text(p.tags::jsonb) WITH ORDINALITY AS e(tag, pos) ${keepEmpty ? 'ON true' : ''}`,
    );
    // jsonb renders a nested object as {"k": 1}; DuckDB keeps the source's spacing, {"k":1} here.
    const compact = (rows: ReturnType<typeof normalizeRows>) => rows.map((r) => ({ ...r, tag: typeof r.tag === 'string' ? r.tag.replace(/": /g, '":') : r.tag }));
    expect(compact(normalizeRows(sluice.rows, { sort: true }))).toEqual(compact(normalizeRows(oracle, { sort: true })));
    expect(sluice.rows).toHaveLength(keepEmpty ? 11 : 9);
    expect(normalizeRows(sluice.rows).filter((r) => r.id === 1)).toEqual([
      { id: 1, tag: 'etl', pos: 1 },
      { id: 1, tag: 'duckdb', pos: 2 },
      { id: 1, tag: 'etl', pos: 3 },
    ]);
  });

  it('types elements, keeps the array column on request and outputs nothing for an empty input', async () => {
    const numbers: TestInput = { columns: posts.columns, rows: [{ id: 1, tags: '[3, "4", null, 5.0]' }] };
    const sluice = await runNode({ kind: 'unnest-array', config: { column: 'tags', type: 'integer', keepSource: true }, inputs: { input: numbers } });
    expect(normalizeRows(sluice.rows)).toEqual([3, 4, null, 5].map((element) => ({ id: 1, tags: '[3, "4", null, 5.0]', element })));
    expect(sluice.compiled.schemas.under_test?.output?.at(-1)).toEqual({ name: 'element', type: 'integer' });
    const empty = await runNode({ kind: 'unnest-array', config: { column: 'tags' }, inputs: { input: { ...posts, rows: [] } } });
    expect(empty.rows).toEqual([]);
  });

  it('fails on text that is not a JSON array or an element that does not convert, quoting it', async () => {
    const notArray: TestInput = { columns: posts.columns, rows: [...posts.rows, { id: 9, tags: '{"a": 1}' }] };
    await expect(runNode({ kind: 'unnest-array', config: { column: 'tags' }, inputs: { input: notArray } })).rejects.toThrow('Column "tags" holds JSON that is not an array: {"a": 1}');
    const invalid: TestInput = { columns: posts.columns, rows: [{ id: 9, tags: 'a, b' }] };
    await expect(runNode({ kind: 'unnest-array', config: { column: 'tags' }, inputs: { input: invalid } })).rejects.toThrow('Column "tags" holds text that is not valid JSON: a, b');
    await expect(runNode({ kind: 'unnest-array', config: { column: 'tags', type: 'date' }, inputs: { input: posts } })).rejects.toThrow('An element of "tags" does not convert to date: etl');
  });

  it('treats invalid arrays as NULL when asked', async () => {
    const mixed: TestInput = { columns: posts.columns, rows: [{ id: 1, tags: 'nope' }, { id: 2, tags: '"x"' }, { id: 3, tags: '["2024-02-29", "no date"]' }] };
    const sluice = await runNode({ kind: 'unnest-array', config: { column: 'tags', type: 'date', keepEmpty: true, onInvalid: 'null' }, inputs: { input: mixed } });
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual([
      { id: 1, element: null },
      { id: 2, element: null },
      { id: 3, element: '2024-02-29' },
      { id: 3, element: null },
    ]);
  });
});
