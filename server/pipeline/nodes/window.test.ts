import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { windowNode, WindowConfig } from './window';

const sales: TestInput = {
  columns: [
    { name: 'region', type: 'string' },
    { name: 'day', type: 'date' },
    { name: 'amount', type: 'integer' },
    { name: 'note', type: 'string' },
  ],
  rows: [
    { region: 'north', day: '2026-01-01', amount: 10, note: 'a' },
    { region: 'north', day: '2026-01-02', amount: 30, note: 'b' },
    { region: 'north', day: '2026-01-03', amount: null, note: 'c' },
    { region: 'north', day: '2026-01-04', amount: 20, note: 'd' },
    { region: 'süd', day: '2026-01-01', amount: 5, note: 'e' },
    { region: 'süd', day: '2026-01-02', amount: 5, note: 'f' },
    { region: null, day: '2026-01-01', amount: 7, note: 'g' },
  ],
};

const config = WindowConfig.parse({
  partitionBy: ['region'],
  orderBy: [{ column: 'day' }],
  computations: [
    { function: 'row_number', as: 'rn' },
    { function: 'rank', as: 'rk' },
    { function: 'lag', column: 'amount', n: 1, as: 'prev' },
    { function: 'lead', column: 'note', n: 2, as: 'next2' },
    { function: 'first_value', column: 'note', as: 'first_note' },
    { function: 'last_value', column: 'note', as: 'last_note' },
    { function: 'running_count', as: 'n_so_far' },
    { function: 'running_sum', column: 'amount', as: 'total_so_far' },
    { function: 'running_avg', column: 'amount', as: 'avg_so_far' },
    { function: 'moving_avg', column: 'amount', n: 2, as: 'avg2' },
    { function: 'ntile', n: 2, as: 'half' },
  ],
});

describe('window propagation', () => {
  it('adds typed columns with lineage from the column, partition and order keys', () => {
    const result = windowNode.propagate({ config, inputs: { input: sales.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.slice(4).map((c) => `${c.name}:${c.type}`)).toEqual([
      'rn:integer',
      'rk:integer',
      'prev:integer',
      'next2:string',
      'first_note:string',
      'last_note:string',
      'n_so_far:integer',
      'total_so_far:integer',
      'avg_so_far:float',
      'avg2:float',
      'half:integer',
    ]);
    expect(result.lineage.output?.prev?.from.map((f) => f.column)).toEqual(['amount', 'region', 'day']);
  });

  it('reports unknown columns, non-numeric sums, name clashes and a missing order', () => {
    const bad = WindowConfig.parse({
      partitionBy: ['regoin'],
      computations: [
        { function: 'running_sum', column: 'note', as: 's' },
        { function: 'row_number', as: 'amount' },
      ],
    });
    const issues = windowNode.propagate({ config: bad, inputs: { input: sales.columns } }).issues ?? [];
    expect(issues.map((i) => [i.code, i.severity ?? 'error', i.path.join('.')])).toEqual([
      ['UNKNOWN_COLUMN', 'error', 'partitionBy.0'],
      ['TYPE_MISMATCH', 'error', 'computations.0.column'],
      ['INVALID_CONFIG', 'warning', 'orderBy'],
      ['INVALID_CONFIG', 'warning', 'orderBy'],
      ['DUPLICATE_OUTPUT_COLUMN', 'error', 'computations.1.as'],
    ]);
    expect(issues[0]?.message).toContain('did you mean "region"');
  });
});

describe('window plan', () => {
  it('renders one window per computation with explicit frames', () => {
    const small = WindowConfig.parse({ partitionBy: ['region'], orderBy: [{ column: 'day', descending: true }], computations: [{ function: 'moving_avg', column: 'amount', n: 3, as: 'm' }, { function: 'last_value', column: 'note', as: 'l' }] });
    const [op] = windowNode.plan({ nodeId: 'w', config: small, inputs: { input: table('t') }, inputColumns: { input: sales.columns.slice(0, 2) }, outputTable: () => 'o' });
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' }).sql).toMatchInlineSnapshot(
      `"SELECT "region", "day", avg("amount") OVER (PARTITION BY "region" ORDER BY "day" DESC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS "m", last_value("note") OVER (PARTITION BY "region" ORDER BY "day" DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS "l" FROM "t""`,
    );
  });
});

describe('window rows', () => {
  it('match the same window functions in PostgreSQL, NULL partition and NULL values included', async () => {
    const sluice = await runNode({ kind: 'window', config, inputs: { input: sales } });
    const w = 'PARTITION BY region ORDER BY day ASC NULLS LAST';
    const oracle = await postgresRows(
      { sales },
      `SELECT region, day, amount, note,
         row_number() OVER (${w}) AS rn, rank() OVER (${w}) AS rk,
         lag(amount, 1) OVER (${w}) AS prev, lead(note, 2) OVER (${w}) AS next2,
         first_value(note) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_note,
         last_value(note) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_note,
         count(*) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n_so_far,
         sum(amount) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total_so_far,
         avg(amount) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)::float8 AS avg_so_far,
         avg(amount) OVER (${w} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)::float8 AS avg2,
         ntile(2) OVER (${w}) AS half
       FROM sales`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'window', config, inputs: { input: { ...sales, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toContain('avg2');
  });
});
