import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { dateParts, DatePartsConfig } from './date-parts';

const events: TestInput = {
  columns: [
    { name: 'name', type: 'string' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
  ],
  rows: [
    { name: 'Ünïcode', at: '2026-01-01 00:30:00', day: '2026-01-01' },
    { name: 'b', at: '2024-02-29 23:59:59', day: '2024-02-29' },
    { name: 'c', at: '2020-12-31 12:00:00', day: '2021-01-03' },
    { name: null, at: null, day: null },
  ],
};

const allParts = (prefix: string) =>
  (['year', 'quarter', 'month', 'day', 'weekday', 'hour', 'week', 'trunc_day', 'trunc_week', 'trunc_month', 'trunc_quarter', 'trunc_year'] as const).map((part) => ({ part, as: `${prefix}_${part}` }));

const config = DatePartsConfig.parse({ column: 'at', parts: allParts('at') });
const dayConfig = DatePartsConfig.parse({ column: 'day', parts: allParts('d').filter((p) => p.part !== 'hour') });

describe('date-parts config', () => {
  it('needs a column and at least one named part', () => {
    expect(DatePartsConfig.parse({ column: 'at', parts: [{ part: 'year', as: ' y ' }] })).toEqual({ column: 'at', parts: [{ part: 'year', as: 'y' }] });
    expect(DatePartsConfig.safeParse({ column: 'at', parts: [] }).success).toBe(false);
    expect(DatePartsConfig.safeParse({ column: 'at', parts: [{ part: 'century', as: 'c' }] }).success).toBe(false);
  });
});

describe('date-parts propagation', () => {
  it('adds integer parts and truncations of the column type, derived from the column', () => {
    const result = dateParts.propagate({ config: dayConfig, inputs: { input: events.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.slice(3).map((c) => `${c.name}:${c.type}`)).toEqual([
      'd_year:integer',
      'd_quarter:integer',
      'd_month:integer',
      'd_day:integer',
      'd_weekday:integer',
      'd_week:integer',
      'd_trunc_day:date',
      'd_trunc_week:date',
      'd_trunc_month:date',
      'd_trunc_quarter:date',
      'd_trunc_year:date',
    ]);
    expect(result.lineage.output?.d_week).toEqual({ from: [{ port: 'input', column: 'day' }], how: 'derived' });
    expect(result.lineage.output?.name?.how).toBe('copied');
  });

  it('reports unknown and non-date columns, hours of dates and name clashes', () => {
    const issues = (c: unknown) => (dateParts.propagate({ config: DatePartsConfig.parse(c), inputs: { input: events.columns } }).issues ?? []).map((i) => [i.code, i.path.join('.')]);
    expect(issues({ column: 'dya', parts: [{ part: 'year', as: 'y' }] })).toEqual([['UNKNOWN_COLUMN', 'column']]);
    expect(issues({ column: 'name', parts: [{ part: 'year', as: 'y' }] })).toEqual([['TYPE_MISMATCH', 'column']]);
    expect(issues({ column: 'day', parts: [{ part: 'hour', as: 'h' }, { part: 'year', as: 'NAME' }] })).toEqual([
      ['TYPE_MISMATCH', 'parts.0.part'],
      ['DUPLICATE_OUTPUT_COLUMN', 'parts.1.as'],
    ]);
  });
});

describe('date-parts plan', () => {
  it('renders typed date_part and date_trunc calls', () => {
    const small = DatePartsConfig.parse({ column: 'at', parts: [{ part: 'weekday', as: 'wd' }, { part: 'trunc_week', as: 'wk' }] });
    const [op] = dateParts.plan({ nodeId: 'd', config: small, inputs: { input: table('t') }, inputColumns: { input: events.columns.slice(0, 2) }, outputTable: () => 'o' });
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' }).sql).toMatchInlineSnapshot(`"SELECT "name", "at", CAST(date_part('isodow', "at") AS BIGINT) AS "wd", CAST(date_trunc('week', "at") AS TIMESTAMP) AS "wk" FROM "t""`);
  });
});

describe('date-parts rows', () => {
  const oracleSql = (c: string, prefix: string, hour: boolean, t: string) => {
    const parts = ['year', 'quarter', 'month', 'day', 'isodow', ...(hour ? ['hour'] : []), 'week'];
    const names: Record<string, string> = { isodow: 'weekday' };
    const truncs = ['day', 'week', 'month', 'quarter', 'year'];
    return `SELECT name, at, day,
      ${parts.map((p) => `extract(${p} FROM ${c})::bigint AS ${prefix}_${names[p] ?? p}`).join(', ')},
      ${truncs.map((u) => `date_trunc('${u}', ${c})::${t} AS ${prefix}_trunc_${u}`).join(', ')}
      FROM events`;
  };

  it('match extract and date_trunc in PostgreSQL for timestamps and dates, NULL included', async () => {
    for (const [cfg, prefix, hour, t] of [[config, 'at', true, 'timestamp'], [dayConfig, 'd', false, 'date']] as const) {
      const sluice = await runNode({ kind: 'date-parts', config: cfg, inputs: { input: events } });
      const oracle = await postgresRows({ events }, oracleSql(cfg.column, prefix, hour, t));
      const names = ['name', 'at', 'day', ...cfg.parts.map((p) => p.as)];
      expect(sluice.columns).toEqual(names);
      expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    }
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'date-parts', config, inputs: { input: { ...events, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toContain('at_trunc_year');
  });
});
