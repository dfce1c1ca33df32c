import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { union, UnionConfig } from './union';

const first: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'score', type: 'integer' },
];
const second: Column[] = [
  { name: 'score', type: 'float' },
  { name: 'region', type: 'string' },
  { name: 'ID', type: 'integer' },
];

const propagate = (a: Column[] = first, b: Column[] = second) => union.propagate({ config: UnionConfig.parse({}), inputs: { first: a, second: b } });

function rendered(a: Column[] = first, b: Column[] = second) {
  const ops = union.plan({
    nodeId: 'u',
    config: UnionConfig.parse({}),
    inputs: { first: table('s0_output'), second: table('s1_output') },
    inputColumns: { first: a, second: b },
    outputTable: (port) => `s2_${port}`,
  });
  const [op] = ops;
  if (ops.length !== 1 || op?.op !== 'materialize') throw new Error('expected one materialize op');
  expect(op.table).toBe('s2_output');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('union config', () => {
  it('has no settings, and ignores unknown keys', () => {
    expect(UnionConfig.parse({})).toEqual({});
    expect(UnionConfig.parse({ legacy: true })).toEqual({});
  });

  it('rejects a config that is not an object', () => {
    const result = UnionConfig.safeParse(null);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[]]);
  });
});

describe('union propagate', () => {
  it('matches columns by name ignoring case, keeping the first input’s order and spelling, then the second’s new columns', () => {
    const result = propagate();
    expect(result.outputs).toEqual({
      output: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'string' },
        { name: 'score', type: 'float' },
        { name: 'region', type: 'string' },
      ],
    });
    expect(result.lineage).toEqual({
      output: {
        id: {
          from: [
            { port: 'first', column: 'id' },
            { port: 'second', column: 'ID' },
          ],
          how: 'renamed',
        },
        name: { from: [{ port: 'first', column: 'name' }], how: 'copied' },
        score: {
          from: [
            { port: 'first', column: 'score' },
            { port: 'second', column: 'score' },
          ],
          how: 'copied',
        },
        region: { from: [{ port: 'second', column: 'region' }], how: 'copied' },
      },
    });
    expect(result.issues).toEqual([]);
  });

  it('outputs the same columns for the same inputs', () => {
    expect(propagate(first, first).outputs.output).toEqual(first);
  });

  it('reports a column whose types cannot be combined', () => {
    const result = propagate(first, [
      { name: 'name', type: 'integer' },
      { name: 'score', type: 'date' },
      { name: 'id', type: 'float' },
    ]);
    expect(result.issues).toEqual([
      { code: 'TYPE_MISMATCH', path: [], message: 'Column "name" is string in the first input but integer in the second; convert one of them first' },
      { code: 'TYPE_MISMATCH', path: [], message: 'Column "score" is integer in the first input but date in the second; convert one of them first' },
    ]);
    expect(result.outputs.output).toEqual([
      { name: 'id', type: 'float' },
      { name: 'name', type: 'string' },
      { name: 'score', type: 'integer' },
    ]);
  });
});

describe('union plan', () => {
  it('projects each side under the output names and types, then unions by name in the output order', () => {
    expect(rendered()).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "id", "name", "score", "region" FROM (SELECT "id", "name", CAST("score" AS DOUBLE) AS "score" FROM "s0_output" UNION ALL BY NAME SELECT "ID" AS "id", "score", "region" FROM "s1_output") AS "u"",
      }
    `);
  });

  it('refuses to plan an input whose relation is missing', () => {
    expect(() =>
      union.plan({ nodeId: 'u', config: {}, inputs: { first: table('t') }, inputColumns: { first, second }, outputTable: (p) => p }),
    ).toThrow(/without its second input/);
  });
});

// ── Against PostgreSQL ──────────────────────────────────────────────────────
const a: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'score', type: 'integer' },
  ],
  rows: [
    { id: 1, name: 'Zoë', score: 3 },
    { id: 2, name: '東京', score: null },
    { id: null, name: null, score: 7 },
    { id: 1, name: 'Zoë', score: 3 },
  ],
};
const b: TestInput = {
  columns: [
    { name: 'score', type: 'float' },
    { name: 'region', type: 'string' },
    { name: 'ID', type: 'integer' },
  ],
  rows: [
    { score: 2.5, region: 'Ōsaka', ID: 1 },
    { score: null, region: null, ID: 9 },
    { score: 3, region: 'Zürich', ID: 1 },
  ],
};
const postgresUnion =
  'SELECT id, name, score::double precision AS score, NULL::text AS region FROM a UNION ALL SELECT "ID" AS id, NULL::text AS name, score, region FROM b';

describe('union on DuckDB, against PostgreSQL', () => {
  it('stacks both inputs, keeping duplicates and filling missing columns with NULL', async () => {
    const sluice = await runNode({ kind: 'union', config: {}, inputs: { first: a, second: b } });
    expect(sluice.columns).toEqual(['id', 'name', 'score', 'region']);
    const oracle = await postgresRows({ a, b }, postgresUnion);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows).toHaveLength(7);
  });

  it.each([
    ['the first', { ...a, rows: [] }, b],
    ['the second', a, { ...b, rows: [] }],
    ['both', { ...a, rows: [] }, { ...b, rows: [] }],
  ])('handles %s input being empty', async (_what, x, y) => {
    const sluice = await runNode({ kind: 'union', config: {}, inputs: { first: x, second: y } });
    expect(sluice.columns).toEqual(['id', 'name', 'score', 'region']);
    const oracle = await postgresRows({ a: x, b: y }, postgresUnion);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('outputs float for a column that is integer in one input and float in the other', async () => {
    const sluice = await runNode({ kind: 'union', config: {}, inputs: { first: a, second: b } });
    expect(sluice.compiled.schemas.under_test?.output?.find((c) => c.name === 'score')).toEqual({ name: 'score', type: 'float' });
  });
});

describe('union of three inputs (the optional ports)', () => {
  const c: TestInput = {
    columns: [
      { name: 'region', type: 'string' },
      { name: 'extra', type: 'boolean' },
    ],
    rows: [
      { region: 'Lagos', extra: true },
      { region: null, extra: null },
    ],
  };

  it('appends the third input’s rows and new columns, matching PostgreSQL', async () => {
    const sluice = await runNode({ kind: 'union', config: {}, inputs: { first: a, second: b, third: c } });
    expect(sluice.columns).toEqual(['id', 'name', 'score', 'region', 'extra']);
    const oracle = await postgresRows(
      { a, b, c },
      `SELECT id, name, score::double precision AS score, NULL::text AS region, NULL::boolean AS extra FROM a
       UNION ALL SELECT "ID", NULL, score, region, NULL FROM b
       UNION ALL SELECT NULL, NULL, NULL, region, extra FROM c`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows).toHaveLength(9);
  });

  it('names the inputs whose types clash', () => {
    const issues = union.propagate({ config: {}, inputs: { first, second, third: [{ name: 'id', type: 'string' }] } }).issues ?? [];
    expect(issues.map((i) => i.message)).toContain('Column "id" is integer in the first input but string in the third; convert one of them first');
  });

  it('needs only the first two inputs connected', async () => {
    const { analyzePipeline } = await import('../../engine/analyze');
    const { harnessDocument } = await import('../../testing/node-harness');
    const result = await analyzePipeline(harnessDocument({ kind: 'union', config: {}, inputs: { first: a, second: b } }));
    expect(result.diagnostics.filter((d) => d.code === 'INPUT_NOT_CONNECTED')).toEqual([]);
    expect(result.plan).not.toBeNull();
  });
});
