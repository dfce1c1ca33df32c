import { describe, expect, it } from 'vitest';
import { renderSelect } from '../../sql/ast';
import { postgresRows } from '../../testing/postgres-oracle';
import { normalizeRows } from '../../testing/node-harness';
import { runSource } from '../../testing/source-harness';
import type { PlanContext } from '../define-node';
import { jsonSource, JsonSourceConfig } from './json-source';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'tags', type: 'string' },
  { name: 'paid_on', type: 'date' },
] as const;
const valid = { path: 'in/orders.json', columns: [...columns] };

function issues(config: unknown) {
  const result = JsonSourceConfig.safeParse(config);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const planContext = (config: JsonSourceConfig): PlanContext<JsonSourceConfig> => ({ nodeId: 'src', config, inputs: {}, inputColumns: {}, outputTable: (p) => `s0_${p}` });

const records = [
  { id: 1, name: 'Zoë 🚀', tags: ['a', 'b'], paid_on: '2024-02-29' },
  { id: 2, name: null, tags: { nested: { deep: true } }, paid_on: null },
  { id: 3, name: 'naïve "quote"', paid_on: '2023-12-31' },
];
const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('json-source config', () => {
  it('defaults the layout to detection', () => {
    expect(JsonSourceConfig.parse(valid)).toEqual({ ...valid, format: 'auto' });
  });

  it.each([
    ['an unknown layout', { ...valid, format: 'xml' }, ['format']],
    ['no columns', { ...valid, columns: [] }, ['columns']],
    ['a path with ..', { ...valid, path: '../x.json' }, ['path']],
    ['a bad folder alias', { ...valid, path: 'A b:x.json' }, ['path']],
    ['columns equal but for case', { ...valid, columns: [{ name: 'a', type: 'string' }, { name: 'A', type: 'string' }] }, ['columns', 1, 'name']],
  ])('rejects %s', (_what, config, path) => {
    expect(issues(config)[0]?.path).toEqual(path);
  });

  it('accepts a path in an allowed server folder', () => {
    expect(issues({ ...valid, path: 'shared:2024/orders.json' })).toEqual([]);
  });

  it('starts incomplete, asking for a path and columns', () => {
    expect(issues(jsonSource.initialConfig).map((i) => i.path)).toEqual([['path'], ['columns']]);
  });
});

describe('json-source propagate and plan', () => {
  it('outputs the declared columns, each read from the file', () => {
    const result = jsonSource.propagate({ config: JsonSourceConfig.parse(valid), inputs: {} });
    expect(result.outputs).toEqual({ output: columns });
    expect(result.lineage.output?.tags).toEqual({ from: [], how: 'read' });
  });

  it('materialises a typed read_json scan', () => {
    const ops = jsonSource.plan(planContext(JsonSourceConfig.parse({ ...valid, format: 'ndjson' })));
    expect(ops.map((o) => o.op)).toEqual(['materialize']);
    const [op] = ops;
    if (op?.op !== 'materialize') throw new Error('expected materialize');
    expect(op.table).toBe('s0_output');
    expect(renderSelect(op.query, { resolveFile: (f) => `/ws/${f.workspacePath}` }).sql).toMatchInlineSnapshot(
      `"SELECT * FROM read_json('/ws/in/orders.json', format = 'newline_delimited', columns = {'id': 'BIGINT', 'name': 'VARCHAR', 'tags': 'VARCHAR', 'paid_on': 'DATE'})"`,
    );
  });
});

describe('json-source on DuckDB', () => {
  const expected = [
    { id: '1', name: 'Zoë 🚀', tags: '["a","b"]', paid_on: '2024-02-29' },
    { id: '2', name: null, tags: '{"nested":{"deep":true}}', paid_on: null },
    { id: '3', name: 'naïve "quote"', tags: null, paid_on: '2023-12-31' },
  ];

  it.each([
    ['an array', 'array', JSON.stringify(records)],
    ['NDJSON', 'ndjson', ndjson],
    ['an array, detected', 'auto', JSON.stringify(records, null, 2)],
    ['NDJSON, detected', 'auto', ndjson],
  ])('reads %s: nested values as JSON text, missing keys and nulls as NULL, unicode intact', async (_what, format, content) => {
    const { rows, types } = await runSource({ kind: 'json-source', config: { path: 'in/o.json', format, columns }, files: { 'in/o.json': content } });
    expect(rows).toEqual(expected);
    expect(types).toEqual(['BIGINT', 'VARCHAR', 'VARCHAR', 'DATE']);
  });

  it('matches PostgreSQL reading the same document with its own JSON parser', async () => {
    const ours = await runSource({ kind: 'json-source', config: { path: 'o.json', format: 'array', columns }, files: { 'o.json': JSON.stringify(records) } });
    const oracle = await postgresRows(
      {},
      `SELECT (e->>'id')::bigint AS id, e->>'name' AS name,
              CASE WHEN jsonb_typeof(e->'tags') IN ('object', 'array') THEN (e->'tags')::text ELSE e->>'tags' END AS tags,
              (e->>'paid_on')::date AS paid_on
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
      [JSON.stringify(records)],
    );
    // PostgreSQL's jsonb text puts spaces after ':' and ','; compare the JSON values, not their spelling.
    const parsedTags = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, tags: typeof r.tags === 'string' && /^[[{]/.test(r.tags) ? (JSON.parse(r.tags) as unknown) : r.tags }));
    expect(normalizeRows(parsedTags(ours.rows))).toEqual(normalizeRows(parsedTags(oracle)));
  });

  it('reads an empty array, an empty file and blank NDJSON lines as no rows', async () => {
    for (const [format, content] of [['array', '[]'], ['ndjson', ''], ['auto', '\n\n']] as const) {
      const { rows, columns: names } = await runSource({ kind: 'json-source', config: { path: 'e.json', format, columns }, files: { 'e.json': content } });
      expect(rows).toEqual([]);
      expect(names).toEqual(['id', 'name', 'tags', 'paid_on']);
    }
  });

  it('fails malformed NDJSON with the file and the line it is on', async () => {
    const content = '{"id": 1}\n{"id": 2}\n{"id": 3,,}\n{"id": 4}\n';
    await expect(runSource({ kind: 'json-source', config: { path: 'in/bad.ndjson', format: 'ndjson', columns }, files: { 'in/bad.ndjson': content } })).rejects.toMatchObject({
      code: 'FILE_MALFORMED',
      message: expect.stringMatching(/^Line 3 of "in\/bad\.ndjson" is not valid JSON: unexpected character \(at byte \d+\)$/) as unknown,
      details: { nodeId: 'source', line: 3 },
    });
  });

  it('fails a malformed array with the file and the record it is in', async () => {
    await expect(runSource({ kind: 'json-source', config: { path: 'bad.json', format: 'array', columns }, files: { 'bad.json': '[{"id": 1}, {"id": 2,,}]' } })).rejects.toMatchObject({
      code: 'FILE_MALFORMED',
      message: expect.stringMatching(/^Record 2 of "bad\.json" is not valid JSON/) as unknown,
      details: { line: 2 },
    });
  });

  it('fails a value that does not fit its declared type with the line and the value', async () => {
    await expect(runSource({ kind: 'json-source', config: { path: 'x.ndjson', format: 'ndjson', columns }, files: { 'x.ndjson': '{"id": 1}\n{"id": "two"}\n' } })).rejects.toMatchObject({
      code: 'FILE_MALFORMED',
      message: expect.stringMatching(/^Line 2 of "x\.ndjson" does not fit the declared columns: .*"two"/) as unknown,
      details: { line: 2 },
    });
  });

  it('fails a missing file by its workspace path', async () => {
    await expect(runSource({ kind: 'json-source', config: { path: 'nope.json', columns } })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('"nope.json"') as unknown });
  });
});
