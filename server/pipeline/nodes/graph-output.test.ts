import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type Row, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { graphOutput, GraphOutputConfig } from './graph-output';

const follows: TestInput = {
  columns: [
    { name: 'user', type: 'string' },
    { name: 'kind', type: 'string' },
    { name: 'city', type: 'string' },
    { name: 'age', type: 'integer' },
    { name: 'seen', type: 'date' },
    { name: 'follows', type: 'string' },
    { name: 'since', type: 'integer' },
  ],
  rows: [
    { user: 'ana', kind: 'Person', city: 'Zürich', age: 30, seen: '2024-01-02', follows: 'bo', since: 2020 },
    { user: 'ana', kind: 'Person', city: 'Zürich', age: 30, seen: '2024-01-02', follows: 'bo', since: 2020 },
    { user: 'ana', kind: 'Person', city: 'Bern', age: 31, seen: '2024-01-01', follows: '李', since: 2021 },
    { user: 'bo', kind: 'Bot', city: null, age: null, seen: null, follows: null, since: null },
    { user: '李', kind: 'Person', city: '東京', age: 40, seen: '2024-02-01', follows: 'ana', since: 2019 },
    { user: null, kind: 'Person', city: 'x', age: 1, seen: '2024-01-01', follows: 'ana', since: 2018 },
  ],
};
const config = {
  idColumn: 'user',
  labelColumn: 'kind',
  propertyColumns: ['city', 'age', 'seen'],
  orderBy: 'seen',
  sourceColumn: 'user',
  targetColumn: 'follows',
  edgeType: 'FOLLOWS',
  edgePropertyColumns: ['since'],
};
const parse = (c: Record<string, unknown>) => GraphOutputConfig.parse(c);

describe('graph-output config', () => {
  it('fills defaults and needs id, source and target', () => {
    expect(parse({ idColumn: 'a', sourceColumn: 'b', targetColumn: 'c' })).toEqual({ idColumn: 'a', labelColumn: '', label: '', propertyColumns: [], orderBy: '', sourceColumn: 'b', targetColumn: 'c', edgeTypeColumn: '', edgeType: '', edgePropertyColumns: [] });
    expect(GraphOutputConfig.safeParse({ idColumn: '' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['idColumn', 'sourceColumn', 'targetColumn']);
  });
});

describe('graph-output propagate', () => {
  it('declares both ports with lineage per port', () => {
    const result = graphOutput.propagate({ config: parse(config), inputs: { input: follows.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs).toEqual({
      nodes: [
        { name: 'id', type: 'string' },
        { name: 'label', type: 'string' },
        { name: 'properties', type: 'string' },
      ],
      edges: [
        { name: 'source', type: 'string' },
        { name: 'target', type: 'string' },
        { name: 'type', type: 'string' },
        { name: 'properties', type: 'string' },
      ],
    });
    expect(result.lineage).toEqual({
      nodes: {
        id: { from: [{ port: 'input', column: 'user' }], how: 'renamed' },
        label: { from: [{ port: 'input', column: 'kind' }], how: 'renamed' },
        properties: { from: ['city', 'age', 'seen'].map((column) => ({ port: 'input', column })), how: 'derived' },
      },
      edges: {
        source: { from: [{ port: 'input', column: 'user' }], how: 'renamed' },
        target: { from: [{ port: 'input', column: 'follows' }], how: 'renamed' },
        type: { from: [], how: 'derived' },
        properties: { from: [{ port: 'input', column: 'since' }], how: 'derived' },
      },
    });
    expect(result.uses).toEqual([{ port: 'input', column: 'seen', how: 'order' }]);
  });

  it('reports unknown and repeated columns, and warns when edge ends and ids differ in type', () => {
    const result = graphOutput.propagate({ config: parse({ ...config, labelColumn: 'knd', targetColumn: 'since', propertyColumns: ['city', 'city'] }), inputs: { input: follows.columns } });
    expect(result.issues?.map((i) => [i.code, i.severity ?? 'error', i.path.join('.'), i.message])).toEqual([
      ['UNKNOWN_COLUMN', 'error', 'labelColumn', 'Column "knd" does not exist in the input; did you mean "kind"? (available: user, kind, city, age, seen, follows, since)'],
      ['INVALID_CONFIG', 'error', 'propertyColumns.1', 'Column "city" is chosen twice'],
      ['TYPE_MISMATCH', 'warning', 'targetColumn', 'Edge ends should match node ids, but "since" is integer and the id column "user" is string'],
    ]);
  });
});

describe('graph-output plan', () => {
  it('plans one table per port: unique ids by order, edges without NULL ends', () => {
    const ops = graphOutput.plan({ nodeId: 'g', config: parse({ ...config, labelColumn: '', label: 'Person', edgeType: '', edgeTypeColumn: 'since' }), inputs: { input: table('s0_output') }, inputColumns: { input: follows.columns }, outputTable: (p) => `s1_${p}` });
    expect(ops.map((o) => o.op === 'materialize' && o.table)).toEqual(['s1_nodes', 's1_edges']);
    const [nodes, edges] = ops.map((o) => renderSelect((o as { query: Select }).query, { resolveFile: () => '' }));
    expect(nodes).toMatchInlineSnapshot(`
      {
        "params": [
          "Person",
          "city",
          "age",
          "seen",
          "Person",
          "city",
          "age",
          "seen",
        ],
        "sql": "SELECT "user" AS "id", $1 AS "label", CAST(json_object($2, "city", $3, "age", $4, "seen") AS VARCHAR) AS "properties" FROM "s0_output" WHERE ("user" IS NOT NULL) QUALIFY (row_number() OVER (PARTITION BY "user" ORDER BY "seen" ASC NULLS LAST, $5 ASC NULLS LAST, CAST(json_object($6, "city", $7, "age", $8, "seen") AS VARCHAR) ASC NULLS LAST) = 1)",
      }
    `);
    expect(edges).toMatchInlineSnapshot(`
      {
        "params": [
          "since",
        ],
        "sql": "SELECT "user" AS "source", "follows" AS "target", CAST("since" AS VARCHAR) AS "type", CAST(json_object($1, "since") AS VARCHAR) AS "properties" FROM "s0_output" WHERE (("user" IS NOT NULL) AND ("follows" IS NOT NULL))",
      }
    `);
  });
});

// Property JSON compared as objects: PostgreSQL spaces and orders keys differently.
const parsed = (rows: Row[]) => normalizeRows(rows.map((r) => ({ ...r, properties: JSON.parse(String(r.properties)) as unknown })), { sort: true });

describe('graph-output on DuckDB, against PostgreSQL', () => {
  it('outputs one node per id, the first by order; NULL ids dropped; unicode kept', async () => {
    const sluice = await runNode({ kind: 'graph-output', config, inputs: { input: follows }, output: 'nodes' });
    expect(sluice.columns).toEqual(['id', 'label', 'properties']);
    const oracle = await postgresRows(
      { follows },
      `SELECT DISTINCT ON ("user") "user" AS id, kind AS label, json_build_object('city', city, 'age', age, 'seen', seen)::text AS properties
       FROM follows WHERE "user" IS NOT NULL ORDER BY "user", seen NULLS LAST, kind`,
    );
    expect(parsed(sluice.rows)).toEqual(parsed(oracle));
    // ana's earliest row is the Bern one (seen 2024-01-01).
    expect(normalizeRows(sluice.rows).find((r) => r.id === 'ana')).toEqual({ id: 'ana', label: 'Person', properties: '{"city":"Bern","age":31,"seen":"2024-01-01"}' });
    expect(normalizeRows(sluice.rows).find((r) => r.id === 'bo')).toEqual({ id: 'bo', label: 'Bot', properties: '{"city":null,"age":null,"seen":null}' });
  });

  it('outputs every edge with both ends, duplicates included', async () => {
    const sluice = await runNode({ kind: 'graph-output', config, inputs: { input: follows }, output: 'edges' });
    const oracle = await postgresRows({ follows }, `SELECT "user" AS source, follows AS target, 'FOLLOWS' AS type, json_build_object('since', since)::text AS properties FROM follows WHERE "user" IS NOT NULL AND follows IS NOT NULL`);
    expect(parsed(sluice.rows)).toEqual(parsed(oracle));
    expect(sluice.rows).toHaveLength(4);
  });

  it('gives an empty object without property columns and nothing for an empty input', async () => {
    const bare = { idColumn: 'user', label: 'User', sourceColumn: 'user', targetColumn: 'follows', edgeTypeColumn: 'kind' };
    const nodes = await runNode({ kind: 'graph-output', config: bare, inputs: { input: follows }, output: 'nodes' });
    expect(normalizeRows(nodes.rows, { sort: true })).toEqual(['ana', 'bo', '李'].map((id) => ({ id, label: 'User', properties: '{}' })));
    const edges = await runNode({ kind: 'graph-output', config: bare, inputs: { input: { ...follows, rows: [] } }, output: 'edges' });
    expect(edges.rows).toEqual([]);
    expect(edges.columns).toEqual(['source', 'target', 'type', 'properties']);
  });
});
