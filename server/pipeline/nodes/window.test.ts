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

const readings: TestInput = {
  columns: [
    { name: 'sensor', type: 'string' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'value', type: 'float' },
  ],
  rows: [
    { sensor: 'α', at: '2026-03-01 00:00:00', day: '2026-03-01', value: 1 },
    { sensor: 'α', at: '2026-03-01 01:30:00', day: '2026-03-02', value: 2 },
    // Same time as the next row: both are in each other's span.
    { sensor: 'α', at: '2026-03-01 02:00:00', day: '2026-03-04', value: null },
    { sensor: 'α', at: '2026-03-01 02:00:00', day: '2026-03-04', value: 4 },
    { sensor: 'α', at: '2026-03-01 04:00:00', day: '2026-03-09', value: 8 },
    { sensor: 'β', at: '2026-03-01 00:00:00', day: '2026-03-01', value: 5 },
    { sensor: 'β', at: null, day: null, value: 6 },
    { sensor: null, at: '2026-03-02 00:00:00', day: '2026-03-02', value: 7 },
  ],
};

const timeConfig = (order: string, span: string, n: number) =>
  WindowConfig.parse({
    partitionBy: ['sensor'],
    orderBy: [{ column: order }],
    computations: [
      { function: 'moving_avg', column: 'value', n, span, as: 'avg_span' },
      { function: 'moving_sum', column: 'value', n, span, as: 'sum_span' },
      { function: 'moving_count', n, span, as: 'n_span' },
      { function: 'moving_min', column: 'value', n, span, as: 'min_span' },
      { function: 'moving_max', column: 'value', n, span, as: 'max_span' },
    ],
  });

describe('window moving computations over rows or a time span', () => {
  it('keeps old configs meaning N rows, and types the new moving functions', () => {
    expect(WindowConfig.parse({ computations: [{ function: 'moving_avg', column: 'x', n: 3, as: 'm' }] }).computations[0]?.span).toBe('rows');
    const result = windowNode.propagate({ config: timeConfig('at', 'hours', 2), inputs: { input: readings.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.slice(4).map((c) => `${c.name}:${c.type}`)).toEqual(['avg_span:float', 'sum_span:float', 'n_span:integer', 'min_span:float', 'max_span:float']);
    expect(result.lineage.output?.n_span).toEqual({
      from: [
        { port: 'input', column: 'sensor' },
        { port: 'input', column: 'at' },
      ],
      how: 'derived',
    });
  });

  it('needs exactly one ascending date or timestamp order column for a time span', () => {
    const issuesOf = (config: WindowConfig) => (windowNode.propagate({ config, inputs: { input: readings.columns } }).issues ?? []).map((i) => [i.code, i.severity ?? 'error', i.path.join('.')]);
    expect(issuesOf(timeConfig('value', 'days', 1))).toContainEqual(['TYPE_MISMATCH', 'error', 'orderBy.0.column']);
    expect(issuesOf(WindowConfig.parse({ computations: [{ function: 'moving_sum', column: 'value', n: 1, span: 'minutes', as: 's' }] }))).toEqual([['INVALID_CONFIG', 'error', 'orderBy']]);
    expect(issuesOf(WindowConfig.parse({ orderBy: [{ column: 'at', descending: true }], computations: [{ function: 'moving_max', column: 'value', span: 'days', as: 'm' }] }))).toEqual([['INVALID_CONFIG', 'error', 'orderBy.0.descending']]);
    expect(issuesOf(WindowConfig.parse({ orderBy: [{ column: 'at' }], computations: [{ function: 'lag', column: 'value', span: 'days', as: 'p' }] }))).toEqual([['INVALID_CONFIG', 'warning', 'computations.0.span']]);
    expect(issuesOf(WindowConfig.parse({ orderBy: [{ column: 'at' }], computations: [{ function: 'moving_min', column: 'sensor', n: 2, as: 'first_name' }] }))).toEqual([]);
  });

  it('renders a RANGE frame in seconds for a time span and a ROWS frame otherwise', () => {
    const config = WindowConfig.parse({
      orderBy: [{ column: 'at' }],
      computations: [
        { function: 'moving_avg', column: 'value', n: 90, span: 'minutes', as: 'a' },
        { function: 'moving_count', n: 3, as: 'c' },
      ],
    });
    const [op] = windowNode.plan({ nodeId: 'w', config, inputs: { input: table('t') }, inputColumns: { input: readings.columns.slice(0, 1) }, outputTable: () => 'o' });
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' }).sql).toMatchInlineSnapshot(`"SELECT "sensor", avg("value") OVER (ORDER BY "at" ASC NULLS LAST RANGE BETWEEN INTERVAL 5400 SECONDS PRECEDING AND CURRENT ROW) AS "a", count(*) OVER (ORDER BY "at" ASC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS "c" FROM "t""`);
  });

  it.each([
    ['at', 'hours', 2, "INTERVAL '7200 seconds'"],
    ['day', 'days', 3, "INTERVAL '3 days'"],
  ])('match PostgreSQL RANGE frames over %s (%s), NULL times, equal times and NULL values included', async (order, span, n, interval) => {
    const sluice = await runNode({ kind: 'window', config: timeConfig(order, span, n), inputs: { input: readings } });
    const w = `PARTITION BY sensor ORDER BY ${order} ASC NULLS LAST RANGE BETWEEN ${interval} PRECEDING AND CURRENT ROW`;
    const oracle = await postgresRows(
      { readings },
      `SELECT sensor, at, day, value,
         avg(value) OVER (${w}) AS avg_span, sum(value) OVER (${w}) AS sum_span, count(*) OVER (${w}) AS n_span,
         min(value) OVER (${w}) AS min_span, max(value) OVER (${w}) AS max_span
       FROM readings`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('counts the rows within the last two hours of each reading', async () => {
    const sluice = await runNode({ kind: 'window', config: timeConfig('at', 'hours', 2), inputs: { input: readings } });
    const alpha = normalizeRows(sluice.rows.filter((r) => r.sensor === 'α'), { sort: true });
    expect(alpha.map((r) => [r.at, r.n_span, r.avg_span])).toEqual([
      ['2026-03-01 00:00:00', 1, 1],
      ['2026-03-01 01:30:00', 2, 1.5],
      ['2026-03-01 02:00:00', 4, 2.33333333],
      ['2026-03-01 02:00:00', 4, 2.33333333],
      ['2026-03-01 04:00:00', 3, 6],
    ]);
  });

  it('handles an empty input with a time span', async () => {
    const sluice = await runNode({ kind: 'window', config: timeConfig('day', 'days', 7), inputs: { input: { ...readings, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toContain('max_span');
  });
});
