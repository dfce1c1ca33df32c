import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type Row, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { MAX_SEED, sample, SampleConfig } from './sample';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
];

function issues(config: unknown) {
  const result = SampleConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

function planOf(config: unknown) {
  return sample.plan({ nodeId: 'smp', config: SampleConfig.parse(config), inputs: { input: table('s0_output') }, inputColumns: { input }, outputTable: (port) => `s1_${port}` });
}

function rendered(config: unknown) {
  const [op] = planOf(config);
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' }).sql;
}

describe('sample config', () => {
  it('accepts a row count or a percentage, with an optional seed', () => {
    expect(SampleConfig.parse({ size: 10 })).toEqual({ mode: 'rows', size: 10 });
    expect(SampleConfig.parse({ mode: 'percent', size: 12.5, seed: 42 })).toEqual({ mode: 'percent', size: 12.5, seed: 42 });
    expect(SampleConfig.parse({ mode: 'rows', size: 0, seed: 0 })).toEqual({ mode: 'rows', size: 0, seed: 0 });
    expect(SampleConfig.parse({ mode: 'percent', size: 100, seed: MAX_SEED })).toEqual({ mode: 'percent', size: 100, seed: MAX_SEED });
  });

  it.each([
    ['a missing size', {}, ['size'], 'Enter the sample size as a number'],
    ['a negative size', { size: -1 }, ['size'], 'The sample size cannot be negative'],
    ['a fractional number of rows', { mode: 'rows', size: 2.5 }, ['size'], 'A number of rows must be a whole number'],
    ['more rows than DuckDB samples', { size: 1_000_000_001 }, ['size'], 'A sample can have at most 1,000,000,000 rows'],
    ['a percentage above 100', { mode: 'percent', size: 100.5 }, ['size'], 'A percentage can be at most 100'],
    ['an unknown mode', { mode: 'system', size: 5 }, ['mode'], /expected one of/],
    ['a negative seed', { size: 5, seed: -1 }, ['seed'], 'The seed cannot be negative'],
    ['a fractional seed', { size: 5, seed: 1.5 }, ['seed'], 'The seed must be a whole number'],
    ['a seed DuckDB cannot parse', { size: 5, seed: MAX_SEED + 1 }, ['seed'], 'The seed can be at most 2147483647'],
    ['a null seed', { size: 5, seed: null }, ['seed'], 'Enter the seed as a number'],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('sample propagate', () => {
  it('passes its input through unchanged', () => {
    const result = sample.propagate({ config: { mode: 'rows', size: 5 }, inputs: { input } });
    expect(result.outputs).toEqual({ output: input });
    expect(result.lineage.output?.id).toEqual({ from: [{ port: 'input', column: 'id' }], how: 'copied' });
    expect(result.issues).toEqual([]);
  });

  it.each(['rows', 'percent'] as const)('warns that a sample of 0 %s keeps no rows', (mode) => {
    expect(sample.propagate({ config: { mode, size: 0 }, inputs: { input } }).issues).toEqual([
      { code: 'INVALID_VALUE', severity: 'warning', path: ['size'], message: 'A sample of size 0 keeps no rows' },
    ]);
  });

  it('treats a missing input as having no columns', () => {
    expect(sample.propagate({ config: { mode: 'rows', size: 5 }, inputs: {} }).outputs).toEqual({ output: [] });
  });
});

describe('sample plan', () => {
  it('draws a small row sample from a 2,048-row reservoir pool (DuckDB\'s small reservoirs are skewed)', () => {
    expect(planOf({ size: 10, seed: 42 })).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "alias": "sample_pool",
              "query": {
                "from": {
                  "name": "s0_output",
                  "t": "table",
                },
                "items": "*",
                "sample": {
                  "kind": "rows",
                  "rows": 2048,
                  "seed": 42,
                },
                "t": "select",
              },
              "t": "subquery",
            },
            "items": "*",
            "sample": {
              "kind": "rows",
              "rows": 10,
              "seed": 42,
            },
            "t": "select",
          },
          "table": "s1_output",
        },
      ]
    `);
    expect(rendered({ size: 10, seed: 42 })).toMatchInlineSnapshot(
      `"SELECT * FROM (SELECT * FROM "s0_output" USING SAMPLE 2048 ROWS (reservoir, 42)) AS "sample_pool" USING SAMPLE 10 ROWS (reservoir, 42)"`,
    );
  });

  it('samples 2,048 rows or more directly', () => {
    expect(rendered({ size: 2048, seed: 7 })).toBe('SELECT * FROM "s0_output" USING SAMPLE 2048 ROWS (reservoir, 7)');
    expect(rendered({ size: 1_000_000_000 })).toBe('SELECT * FROM "s0_output" USING SAMPLE 1000000000 ROWS (reservoir)');
  });

  it('samples a percentage with Bernoulli sampling, with or without a seed', () => {
    expect(rendered({ mode: 'percent', size: 12.5, seed: 0 })).toBe('SELECT * FROM "s0_output" USING SAMPLE 12.5 PERCENT (bernoulli, 0)');
    expect(rendered({ mode: 'percent', size: 100 })).toBe('SELECT * FROM "s0_output" USING SAMPLE 100 PERCENT (bernoulli)');
  });

  it('leaves the seed out when there is none', () => {
    expect(rendered({ size: 3 })).toBe('SELECT * FROM (SELECT * FROM "s0_output" USING SAMPLE 2048 ROWS (reservoir)) AS "sample_pool" USING SAMPLE 3 ROWS (reservoir)');
  });

  it('refuses to plan without an input relation', () => {
    expect(() => sample.plan({ nodeId: 'smp', config: { mode: 'rows', size: 1 }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(/without an input/);
  });
});

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'joined', type: 'date' },
  ],
  rows: [
    { id: 1, name: 'Zoë', joined: '2024-02-29' },
    { id: 2, name: null, joined: null },
    { id: 2, name: null, joined: null },
    { id: 3, name: '東京 🚀', joined: '1999-12-31' },
    { id: null, name: 'O\'Brien, "Bob"', joined: '1970-01-01' },
    ...Array.from({ length: 45 }, (_, i) => ({ id: 10 + i, name: `n${i}`, joined: '2000-01-01' })),
  ],
};

const run = async (config: Record<string, unknown>, data: TestInput = people) => (await runNode({ kind: 'sample', config, inputs: { input: data } })).rows;
const key = (rows: Row[]) => JSON.stringify(normalizeRows(rows, { sort: true }));

/** Whether every sampled row is a distinct row of `all` (as a multiset). */
function isSubMultiset(sampled: Row[], all: Row[]): boolean {
  const pool = normalizeRows(all).map((r) => JSON.stringify(r));
  return normalizeRows(sampled).every((r) => {
    const i = pool.indexOf(JSON.stringify(r));
    if (i < 0) return false;
    pool.splice(i, 1);
    return true;
  });
}

describe('sample on DuckDB', () => {
  it.each([
    { mode: 'rows', size: 7, seed: 42 },
    { mode: 'rows', size: 3000, seed: 42 },
    { mode: 'percent', size: 30, seed: 42 },
  ])('gives the same rows on every run with the same seed: %j', async (config) => {
    const [first, second] = [await run(config), await run(config)];
    expect(key(first)).toBe(key(second));
    expect(first.length).toBeGreaterThan(0);
  });

  it('gives different rows for different seeds', async () => {
    expect(key(await run({ mode: 'rows', size: 7, seed: 1 }))).not.toBe(key(await run({ mode: 'rows', size: 7, seed: 2 })));
  });

  it('keeps the requested number of input rows, each at most as often as it occurs', async () => {
    const oracle = await postgresRows({ people }, 'SELECT * FROM people');
    for (const seed of [1, 2, 3]) {
      const rows = await run({ mode: 'rows', size: 7, seed });
      expect(rows).toHaveLength(7);
      expect(isSubMultiset(rows, oracle)).toBe(true);
    }
  });

  it('keeps a subset of the input rows for a percentage', async () => {
    const oracle = await postgresRows({ people }, 'SELECT * FROM people');
    const rows = await run({ mode: 'percent', size: 50, seed: 5 });
    expect(isSubMultiset(rows, oracle)).toBe(true);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(45);
  });

  it.each([
    ['more rows than the input has', { mode: 'rows', size: 1000 }, 'SELECT * FROM people'],
    ['100 percent', { mode: 'percent', size: 100, seed: 3 }, 'SELECT * FROM people TABLESAMPLE BERNOULLI (100) REPEATABLE (3)'],
    ['0 rows', { mode: 'rows', size: 0, seed: 3 }, 'SELECT * FROM people LIMIT 0'],
    ['0 percent', { mode: 'percent', size: 0 }, 'SELECT * FROM people TABLESAMPLE BERNOULLI (0)'],
  ])('keeps the same rows as PostgreSQL for %s', async (_what, config, sql) => {
    const oracle = await postgresRows({ people }, sql);
    expect(normalizeRows(await run(config), { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it.each([
    { mode: 'rows', size: 5, seed: 1 },
    { mode: 'percent', size: 50, seed: 1 },
  ])('matches PostgreSQL on an empty input: %j', async (config) => {
    const empty = { ...people, rows: [] };
    const oracle = await postgresRows({ people: empty }, 'SELECT * FROM people TABLESAMPLE BERNOULLI (50) REPEATABLE (1)');
    const sluice = await runNode({ kind: 'sample', config, inputs: { input: empty } });
    expect(sluice.rows).toEqual(oracle);
    expect(sluice.columns).toEqual(['id', 'name', 'joined']);
  });

  // Regression: sampled directly, DuckDB 1.5's reservoir never picks a row past about the first 20,000 for 12 rows or fewer.
  it('samples a few rows from the whole of a large input, not just its beginning', async () => {
    const big: TestInput = { columns: [{ name: 'n', type: 'integer' }], rows: Array.from({ length: 60_000 }, (_, n) => ({ n })) };
    const picked: number[] = [];
    for (const seed of [1, 2, 3, 4]) picked.push(...(await run({ mode: 'rows', size: 5, seed }, big)).map((r) => Number(r.n)));
    expect(picked).toHaveLength(20);
    expect(new Set(picked).size).toBe(20);
    expect(picked.filter((n) => n >= 30_000).length).toBeGreaterThan(0);
    expect(picked.filter((n) => n < 30_000).length).toBeGreaterThan(0);
  });
});
