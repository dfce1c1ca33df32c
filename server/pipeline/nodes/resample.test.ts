import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { resample, ResampleConfig } from './resample';

// Naive UTC timestamps across the night Europe switched to summer time (2024-03-31 01:00 UTC).
const readings: TestInput = {
  columns: [
    { name: 'sensor', type: 'string' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'v', type: 'integer' },
  ],
  rows: [
    { sensor: 'Küche', at: '2024-03-30 23:10:00', day: '2024-03-30', v: 1 },
    { sensor: 'Küche', at: '2024-03-30 23:10:00', day: '2024-03-30', v: 1 },
    { sensor: 'Küche', at: '2024-03-31 00:59:59', day: '2024-03-31', v: 4 },
    { sensor: 'Küche', at: '2024-03-31 03:00:00', day: '2024-03-31', v: null },
    { sensor: 'Küche', at: '2024-03-31 04:30:00', day: '2024-04-02', v: 7 },
    { sensor: '東京', at: '2024-03-31 01:15:00', day: '2024-03-31', v: 10 },
    { sensor: '東京', at: '2024-03-31 02:45:00', day: '2024-03-31', v: 20 },
    { sensor: null, at: '2024-03-31 01:00:00', day: '2024-03-31', v: 5 },
    { sensor: 'Küche', at: null, day: null, v: 100 },
  ],
};
const aggregates = [
  { function: 'count', as: 'n', fill: 'zero' },
  { function: 'sum', column: 'v', as: 'total', fill: 'zero' },
  { function: 'avg', column: 'v', as: 'mean', fill: 'previous' },
  { function: 'max', column: 'v', as: 'peak' },
  { function: 'last', column: 'v', as: 'latest', fill: 'previous' },
];
const hourly = { timeColumn: 'at', every: 1, unit: 'hour', partitionBy: ['sensor'], bucketAs: 'hour', aggregates };
const parse = (config: Record<string, unknown>) => ResampleConfig.parse(config);
const render = (op: StageOp | undefined) => renderSelect((op as { query: Select }).query, { resolveFile: () => '' });

describe('resample config', () => {
  it('fills defaults and refuses bad intervals', () => {
    expect(parse({ timeColumn: 'at', aggregates: [{ function: 'count', as: 'n' }] })).toEqual({
      timeColumn: 'at',
      every: 1,
      unit: 'hour',
      partitionBy: [],
      bucketAs: 'bucket',
      aggregates: [{ function: 'count', column: '', as: 'n', fill: 'null' }],
      fillGaps: true,
    });
    expect(ResampleConfig.safeParse({ timeColumn: 'at', every: 0, aggregates: [{ function: 'count', as: 'n' }] }).error?.issues[0]?.message).toBe('Use at least 1');
    expect(ResampleConfig.safeParse({ timeColumn: 'at', every: 1.5, aggregates: [{ function: 'count', as: 'n' }] }).error?.issues[0]?.message).toBe('Use a whole number');
    expect(ResampleConfig.safeParse({ timeColumn: 'at', unit: 'month', aggregates: [{ function: 'count', as: 'n' }] }).success).toBe(false);
  });
});

describe('resample propagate', () => {
  it('outputs partitions, the bucket and the aggregates with lineage', () => {
    const result = resample.propagate({ config: parse(hourly), inputs: { input: readings.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual([
      { name: 'sensor', type: 'string' },
      { name: 'hour', type: 'timestamp' },
      { name: 'n', type: 'integer' },
      { name: 'total', type: 'integer' },
      { name: 'mean', type: 'float' },
      { name: 'peak', type: 'integer' },
      { name: 'latest', type: 'integer' },
    ]);
    expect(result.lineage.output?.hour).toEqual({ from: [{ port: 'input', column: 'at' }], how: 'derived' });
    expect(result.lineage.output?.sensor).toEqual({ from: [{ port: 'input', column: 'sensor' }], how: 'copied' });
    expect(result.lineage.output?.n).toEqual({ from: [], how: 'aggregated' });
    expect(result.lineage.output?.mean).toEqual({ from: [{ port: 'input', column: 'v' }], how: 'aggregated' });
    expect(result.uses).toEqual([{ port: 'input', column: 'at', how: 'order' }]);
    const daily = resample.propagate({ config: parse({ ...hourly, timeColumn: 'day', unit: 'week' }), inputs: { input: readings.columns } });
    expect(daily.outputs.output?.[1]).toEqual({ name: 'hour', type: 'date' });
  });

  it('reports wrong time columns and units, bad aggregates, fills and clashing names', () => {
    const result = resample.propagate({
      config: parse({
        timeColumn: 'day',
        unit: 'minute',
        partitionBy: ['sensr'],
        bucketAs: 'N',
        aggregates: [
          { function: 'count', as: 'n' },
          { function: 'sum', column: 'sensor', as: 's' },
          { function: 'max', column: 'v', as: 'm', fill: 'zero' },
          { function: 'avg', as: 'a' },
        ],
        fillGaps: false,
      }),
      inputs: { input: readings.columns },
    });
    expect(result.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['TYPE_MISMATCH', 'unit', '"day" is a date, so buckets must be days or weeks, not minutes'],
      ['UNKNOWN_COLUMN', 'partitionBy.0', 'Column "sensr" does not exist in the input; did you mean "sensor"? (available: sensor, at, day, v)'],
      ['DUPLICATE_OUTPUT_COLUMN', 'aggregates.0.as', 'The output name "n" is already used by the bucket column (names are case-insensitive); enter another name'],
      ['TYPE_MISMATCH', 'aggregates.1.function', 'Sum needs a numeric column, but "sensor" is string'],
      ['INVALID_CONFIG', 'aggregates.2.fill', 'Only counts and sums fill empty buckets with zero; maximum can fill with NULL or the previous value'],
      ['INVALID_CONFIG', 'aggregates.3.column', 'Choose the column to average; only count may leave it empty'],
      ['INVALID_CONFIG', 'fillGaps', 'Fills only apply when gaps are filled; without gap filling empty buckets are simply absent'],
    ]);
    expect(result.issues?.at(-1)?.severity).toBe('warning');
    expect(resample.propagate({ config: parse({ ...hourly, timeColumn: 'v' }), inputs: { input: readings.columns } }).issues?.[0]?.message).toBe('Resampling needs a timestamp or date column, but "v" is integer');
  });
});

describe('resample plan', () => {
  const planned = (config: Record<string, unknown>) => resample.plan({ nodeId: 'r', config: parse(config), inputs: { input: table('s0_output') }, inputColumns: { input: readings.columns }, outputTable: (p) => `s1_${p}` });

  it('aggregates per bucket in one query without gap filling', () => {
    const ops = planned({ ...hourly, every: 15, unit: 'minute', aggregates: aggregates.slice(0, 2).map((a) => ({ ...a, fill: 'null' })), fillGaps: false });
    expect(ops.map((o) => o.op === 'materialize' && o.table)).toEqual(['s1_output']);
    expect(render(ops[0]).sql).toMatchInlineSnapshot(`"SELECT "sensor", CAST(time_bucket(INTERVAL 15 MINUTE, "at") AS TIMESTAMP) AS "hour", count(*) AS "n", CAST(sum("v") AS BIGINT) AS "total" FROM "s0_output" GROUP BY "sensor", time_bucket(INTERVAL 15 MINUTE, "at")"`);
  });

  it('materialises the buckets, then joins them to a series of every bucket and fills the gaps', () => {
    const ops = planned({ ...hourly, aggregates: [aggregates[0], aggregates[2]] });
    expect(ops.map((o) => o.op === 'materialize' && o.table)).toEqual(['s1_output_buckets', 's1_output']);
    expect(render(ops[1]).sql).toMatchInlineSnapshot(`"SELECT "sensor", "hour", CASE WHEN "__gap" THEN 0 ELSE "n" END AS "n", CASE WHEN "__gap" THEN first_value("mean") OVER (PARTITION BY "sensor", "__run" ORDER BY "hour" ASC NULLS LAST) ELSE "mean" END AS "mean" FROM (SELECT coalesce("grid"."sensor", "aggregated"."sensor") AS "sensor", CAST(coalesce("grid"."hour", "aggregated"."hour") AS TIMESTAMP) AS "hour", "aggregated"."n" AS "n", "aggregated"."mean" AS "mean", (("grid"."hour" IS NOT NULL) AND ("aggregated"."hour" IS NULL)) AS "__gap", count("aggregated"."hour") OVER (PARTITION BY coalesce("grid"."sensor", "aggregated"."sensor") ORDER BY coalesce("grid"."hour", "aggregated"."hour") ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "__run" FROM (SELECT "sensor", unnest(generate_series(min("hour"), max("hour"), INTERVAL 1 HOUR)) AS "hour" FROM "s1_output_buckets" GROUP BY "sensor") AS "grid" FULL OUTER JOIN "s1_output_buckets" AS "aggregated" ON (("grid"."sensor" IS NOT DISTINCT FROM "aggregated"."sensor") AND ("grid"."hour" = "aggregated"."hour"))) AS "filled""`);
  });

  it('keeps helper columns clear of output names', () => {
    const ops = planned({ ...hourly, aggregates: [{ function: 'count', as: '__gap', fill: 'zero' }] });
    expect(render(ops[1]).sql).toContain('CASE WHEN "___gap" THEN 0 ELSE "__gap" END AS "__gap"');
  });
});

// Written independently: date_bin from the same origin, generate_series per sensor, previous values by subquery.
const oracle = (hours: number) => `
  WITH b AS (
    SELECT sensor, date_bin(interval '${hours} hours', at, timestamp '2000-01-03') AS hour,
      count(*) AS n, sum(v) AS total, avg(v) AS mean, max(v) AS peak, (array_agg(v ORDER BY at DESC))[1] AS latest
    FROM readings GROUP BY 1, 2
  ), g AS (
    SELECT sensor, generate_series(min(hour), max(hour), interval '${hours} hours') AS hour FROM b WHERE hour IS NOT NULL GROUP BY sensor
  )
  SELECT g.sensor, g.hour, coalesce(b.n, 0) AS n, CASE WHEN b.hour IS NULL THEN 0 ELSE b.total END AS total,
    CASE WHEN b.hour IS NULL THEN (SELECT p.mean FROM b p WHERE p.sensor IS NOT DISTINCT FROM g.sensor AND p.hour < g.hour ORDER BY p.hour DESC LIMIT 1) ELSE b.mean END AS mean,
    b.peak,
    CASE WHEN b.hour IS NULL THEN (SELECT p.latest FROM b p WHERE p.sensor IS NOT DISTINCT FROM g.sensor AND p.hour < g.hour ORDER BY p.hour DESC LIMIT 1) ELSE b.latest END AS latest
  FROM g LEFT JOIN b ON b.sensor IS NOT DISTINCT FROM g.sensor AND b.hour = g.hour
  UNION ALL SELECT sensor, hour, n, total, mean, peak, latest FROM b WHERE hour IS NULL`;

describe('resample on DuckDB, against PostgreSQL', () => {
  it.each([1, 2])('fills every %i-hour bucket per sensor across the DST night; NULL sensor and NULL time kept', async (hours) => {
    const sluice = await runNode({ kind: 'resample', config: { ...hourly, every: hours }, inputs: { input: readings } });
    expect(sluice.columns).toEqual(['sensor', 'hour', 'n', 'total', 'mean', 'peak', 'latest']);
    const expected = await postgresRows({ readings }, oracle(hours));
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(expected, { sort: true }));
    if (hours === 1) {
      const kitchen = normalizeRows(sluice.rows).filter((r) => r.sensor === 'Küche' && r.hour !== null).sort((a, b) => String(a.hour).localeCompare(String(b.hour)));
      // Six consecutive hours, 23:00 to 04:00, none skipped or doubled by the summer-time switch.
      expect(kitchen.map((r) => [r.hour, r.n, r.total, r.mean, r.latest])).toEqual([
        ['2024-03-30 23:00:00', 2, 2, 1, 1],
        ['2024-03-31 00:00:00', 1, 4, 4, 4],
        ['2024-03-31 01:00:00', 0, 0, 4, 4],
        ['2024-03-31 02:00:00', 0, 0, 4, 4],
        ['2024-03-31 03:00:00', 1, null, null, null],
        ['2024-03-31 04:00:00', 1, 7, 7, 7],
      ]);
      expect(normalizeRows(sluice.rows).find((r) => r.hour === null)).toEqual({ sensor: 'Küche', hour: null, n: 1, total: 100, mean: 100, peak: 100, latest: 100 });
    }
  });

  it('buckets dates into weeks starting on Monday, without gap filling', async () => {
    const config = { timeColumn: 'day', unit: 'week', aggregates: [{ function: 'count', as: 'n' }, { function: 'min', column: 'sensor', as: 'first_sensor' }], fillGaps: false };
    const sluice = await runNode({ kind: 'resample', config, inputs: { input: readings } });
    const expected = await postgresRows({ readings }, `SELECT date_bin('7 days', day::timestamp, timestamp '2000-01-03')::date AS bucket, count(*) AS n, min(sensor COLLATE "C") AS first_sensor FROM readings GROUP BY 1`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(expected, { sort: true }));
    expect(normalizeRows(sluice.rows).map((r) => r.bucket).sort()).toEqual(['2024-03-25', '2024-04-01', null].sort());
  });

  it('outputs nothing for an empty input, with or without gap filling', async () => {
    for (const fillGaps of [true, false]) {
      const sluice = await runNode({ kind: 'resample', config: { ...hourly, fillGaps, aggregates: fillGaps ? aggregates : [{ function: 'count', as: 'n' }] }, inputs: { input: { ...readings, rows: [] } } });
      expect(sluice.rows).toEqual([]);
    }
  });
});
