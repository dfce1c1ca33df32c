import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { fillNulls, FillNullsConfig } from './fill-nulls';

const readings: TestInput = {
  columns: [
    { name: 'seq', type: 'integer' },
    { name: 'city', type: 'string' },
    { name: 'qty', type: 'integer' },
    { name: 'temp', type: 'float' },
    { name: 'seen', type: 'date' },
    { name: 'label', type: 'string' },
  ],
  rows: [
    { seq: 1, city: null, qty: 1, temp: 1.5, seen: null, label: 'b' },
    { seq: 2, city: 'Zürich', qty: null, temp: null, seen: '2026-01-02', label: null },
    { seq: 3, city: null, qty: 2, temp: 4, seen: null, label: 'a' },
    { seq: 4, city: 'Łódź', qty: 2, temp: 2.25, seen: null, label: 'b' },
    { seq: 5, city: null, qty: null, temp: null, seen: '2026-03-04', label: 'a' },
    { seq: 6, city: null, qty: 8, temp: 10, seen: null, label: null },
  ],
};

const config = FillNullsConfig.parse({
  orderBy: 'seq',
  fills: [
    { column: 'city', strategy: 'previous' },
    { column: 'qty', strategy: 'mean' },
    { column: 'temp', strategy: 'median' },
    { column: 'seen', strategy: 'constant', value: ' 2000-01-01 ' },
    { column: 'label', strategy: 'mode' },
  ],
});

describe('fill-nulls config', () => {
  it('fills defaults and needs at least one rule', () => {
    expect(FillNullsConfig.parse({ fills: [{ column: 'a', strategy: 'mode' }] })).toEqual({ orderBy: '', fills: [{ column: 'a', strategy: 'mode', value: '' }] });
    expect(FillNullsConfig.safeParse({ fills: [] }).success).toBe(false);
    expect(FillNullsConfig.safeParse({ fills: [{ column: 'a', strategy: 'guess' }] }).success).toBe(false);
  });
});

describe('fill-nulls propagation', () => {
  it('keeps names and types; filled columns are derived, previous value also from the order column', () => {
    const result = fillNulls.propagate({ config, inputs: { input: readings.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual(readings.columns);
    expect(result.lineage.output?.seq?.how).toBe('copied');
    expect(result.lineage.output?.city).toEqual({ from: [{ port: 'input', column: 'city' }, { port: 'input', column: 'seq' }], how: 'derived' });
    expect(result.lineage.output?.qty).toEqual({ from: [{ port: 'input', column: 'qty' }], how: 'derived' });
    expect(result.uses).toEqual([{ port: 'input', column: 'seq', how: 'order' }]);
  });

  it('reports unknown columns, non-numeric means, bad constants, a missing order and repeats', () => {
    const bad = FillNullsConfig.parse({
      fills: [
        { column: 'qyt', strategy: 'mean' },
        { column: 'city', strategy: 'median' },
        { column: 'seen', strategy: 'constant', value: '2026-02-30' },
        { column: 'label', strategy: 'previous' },
        { column: 'label', strategy: 'mode' },
      ],
    });
    const issues = fillNulls.propagate({ config: bad, inputs: { input: readings.columns } }).issues ?? [];
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['UNKNOWN_COLUMN', 'fills.0.column'],
      ['TYPE_MISMATCH', 'fills.1.strategy'],
      ['INVALID_VALUE', 'fills.2.value'],
      ['INVALID_CONFIG', 'orderBy'],
      ['INVALID_CONFIG', 'fills.4.column'],
    ]);
    expect(issues[0]?.message).toContain('did you mean "qty"');
    const unknownOrder = fillNulls.propagate({ config: { ...config, orderBy: 'sqe' }, inputs: { input: readings.columns } }).issues ?? [];
    expect(unknownOrder.map((i) => [i.code, i.path.join('.')])).toEqual([['UNKNOWN_COLUMN', 'orderBy']]);
  });
});

describe('fill-nulls plan', () => {
  it('renders window fills over helper columns in one inner SELECT', () => {
    const [op] = fillNulls.plan({ nodeId: 'f', config, inputs: { input: table('t') }, inputColumns: { input: readings.columns }, outputTable: () => 'o' });
    const rendered = renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
    expect(rendered.sql).toMatchInlineSnapshot(
      `"SELECT "seq", coalesce("city", max("city") OVER (PARTITION BY "__city_run")) AS "city", coalesce("qty", CAST(round(avg("qty") OVER ()) AS BIGINT)) AS "qty", coalesce("temp", median("temp") OVER ()) AS "temp", coalesce("seen", CAST($1 AS DATE)) AS "seen", coalesce("label", first_value("label") OVER (ORDER BY "__label_frequency" DESC NULLS LAST, "label" ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) AS "label" FROM (SELECT "seq", "city", "qty", "temp", "seen", "label", count("city") OVER (ORDER BY "seq" ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "__city_run", count("label") OVER (PARTITION BY "label") AS "__label_frequency" FROM "t") AS "filled""`,
    );
    expect(rendered.params).toEqual(['2000-01-01']);
  });

  it('selects straight from the input without mode or previous value', () => {
    const simple = FillNullsConfig.parse({ fills: [{ column: 'city', strategy: 'constant', value: 'n/a' }] });
    const [op] = fillNulls.plan({ nodeId: 'f', config: simple, inputs: { input: table('t') }, inputColumns: { input: readings.columns.slice(0, 2) }, outputTable: () => 'o' });
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' }).sql).toMatchInlineSnapshot(`"SELECT "seq", coalesce("city", $1) AS "city" FROM "t""`);
  });
});

describe('fill-nulls rows', () => {
  it('match the same fills written by hand in PostgreSQL, NULLs and unicode included', async () => {
    const sluice = await runNode({ kind: 'fill-nulls', config, inputs: { input: readings } });
    const oracle = await postgresRows(
      { readings },
      `SELECT r.seq,
         coalesce(r.city, (SELECT p.city FROM readings p WHERE p.seq < r.seq AND p.city IS NOT NULL ORDER BY p.seq DESC LIMIT 1)) AS city,
         coalesce(r.qty, (SELECT round(avg(qty))::bigint FROM readings)) AS qty,
         coalesce(r.temp, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY temp) FROM readings)) AS temp,
         coalesce(r.seen, DATE '2000-01-01') AS seen,
         coalesce(r.label, (SELECT label FROM readings WHERE label IS NOT NULL GROUP BY label ORDER BY count(*) DESC, label LIMIT 1)) AS label
       FROM readings r`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    // mean of 1, 2, 2, 8 is 3.25, kept an integer.
    expect(normalizeRows(sluice.rows).find((r) => r.seq === 2)).toMatchObject({ city: 'Zürich', qty: 3, temp: 3.125, label: 'a' });
  });

  it('leaves an all-NULL column NULL and handles an empty input', async () => {
    const allNull: TestInput = { columns: readings.columns, rows: readings.rows.map((r) => ({ ...r, city: null, label: null, qty: null })) };
    const sluice = await runNode({ kind: 'fill-nulls', config, inputs: { input: allNull } });
    expect(normalizeRows(sluice.rows).every((r) => r.city === null && r.label === null && r.qty === null)).toBe(true);
    const empty = await runNode({ kind: 'fill-nulls', config, inputs: { input: { ...readings, rows: [] } } });
    expect(empty.rows).toEqual([]);
    expect(empty.columns).toEqual(['seq', 'city', 'qty', 'temp', 'seen', 'label']);
  });
});
