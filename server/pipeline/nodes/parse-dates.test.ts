import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { formatProblem, parseDates, ParseDatesConfig } from './parse-dates';

const events: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'day_text', type: 'string' },
    { name: 'local_time', type: 'string' },
    { name: 'stamped', type: 'string' },
    { name: 'day', type: 'date' },
    { name: 'at', type: 'timestamp' },
  ],
  rows: [
    { id: 1, day_text: '31/01/2024', local_time: '2024-01-15 12:00', stamped: '2024-01-15 12:00 +02:00', day: '2024-02-29', at: '2024-01-15 11:00:00' },
    // Summer time in Paris and New York.
    { id: 2, day_text: '01/07/2024', local_time: '2024-07-15 12:00', stamped: '2024-07-15 12:00 -05:30', day: '1999-12-31', at: '2024-07-15 10:00:00' },
    { id: 3, day_text: null, local_time: null, stamped: null, day: null, at: null },
    { id: 4, day_text: '01/07/2024', local_time: '2024-07-15 12:00', stamped: '2024-07-15 12:00 -05:30', day: '1999-12-31', at: '2024-07-15 10:00:00' },
  ],
};

const config = ParseDatesConfig.parse({
  rules: [
    { column: 'day_text', action: 'parse_date', format: '%d/%m/%Y' },
    { column: 'local_time', action: 'parse_timestamp', format: '%Y-%m-%d %H:%M', timezone: 'Europe/Paris' },
    { column: 'stamped', action: 'parse_timestamp', format: '%Y-%m-%d %H:%M %z' },
    { column: 'day', action: 'format', format: '%d.%m.%Y', as: 'day_label' },
    { column: 'at', action: 'format', format: '%Y-%m-%d %H:%M', timezone: 'America/New_York', as: 'at_new_york' },
  ],
});
const propagate = (c: ParseDatesConfig) => parseDates.propagate({ config: c, inputs: { input: events.columns } });
const rule = (r: Record<string, unknown>) => ParseDatesConfig.parse({ rules: [r] });

describe('parse-dates config', () => {
  it('defaults to failing on unparsable text, in place, without a time zone', () => {
    expect(ParseDatesConfig.parse({ rules: [{ column: 'a', action: 'parse_date', format: '%Y' }] })).toEqual({
      rules: [{ column: 'a', action: 'parse_date', format: '%Y', timezone: '', as: '' }],
      onError: 'fail',
    });
  });

  it.each([
    ['no rules', { rules: [] }, ['rules']],
    ['an unknown action', { rules: [{ column: 'a', action: 'guess' }] }, ['rules', 0, 'action']],
    ['an unknown error policy', { rules: [{ column: 'a', action: 'format' }], onError: 'skip' }, ['onError']],
  ])('rejects %s', (_what, c, path) => {
    expect(ParseDatesConfig.safeParse(c).error?.issues.map((i) => i.path)).toEqual([path]);
  });

  it.each([
    ['%Y-%m-%d %H:%M:%S.%f', undefined],
    ['%-d %B %Y, 100%%', undefined],
    ['', /Enter a format/],
    ['%Y-%q', /"%q" is not a date format specifier/],
    ['%-B', /"%-B" is not/],
    ['%Y %', /unfinished "%"/],
  ])('checks the format %j', (format, problem) => {
    if (problem === undefined) expect(formatProblem(format)).toBeUndefined();
    else expect(formatProblem(format)).toMatch(problem);
  });
});

describe('parse-dates propagation and lineage', () => {
  it('types parsed and formatted columns, in place or appended, derived from their source', () => {
    const result = propagate(config);
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:integer',
      'day_text:date',
      'local_time:timestamp',
      'stamped:timestamp',
      'day:date',
      'at:timestamp',
      'day_label:string',
      'at_new_york:string',
    ]);
    expect(result.lineage.output?.day_text).toEqual({ from: [{ port: 'input', column: 'day_text' }], how: 'derived' });
    expect(result.lineage.output?.at_new_york).toEqual({ from: [{ port: 'input', column: 'at' }], how: 'derived' });
    expect(result.lineage.output?.at).toEqual({ from: [{ port: 'input', column: 'at' }], how: 'copied' });
  });

  it.each([
    ['an unknown column', { column: 'dya', action: 'format', format: '%Y' }, 'UNKNOWN_COLUMN', 'column', /did you mean "day"/],
    ['parsing a date column', { column: 'day', action: 'parse_date', format: '%Y' }, 'TYPE_MISMATCH', 'column', /needs a string column, but "day" is date/],
    ['formatting text', { column: 'day_text', action: 'format', format: '%Y' }, 'TYPE_MISMATCH', 'column', /date or timestamp column/],
    ['a bad specifier', { column: 'day', action: 'format', format: '%Q' }, 'INVALID_VALUE', 'format', /"%Q"/],
    ['a zone on a date', { column: 'day', action: 'format', format: '%Y', timezone: 'Europe/Paris' }, 'INVALID_CONFIG', 'timezone', /timestamps only/],
    ['an unknown zone', { column: 'at', action: 'format', format: '%Y', timezone: 'Mars/Olympus' }, 'INVALID_VALUE', 'timezone', /not a time zone/],
    ['a zone and an offset', { column: 'stamped', action: 'parse_timestamp', format: '%Y %z', timezone: 'UTC' }, 'INVALID_CONFIG', 'timezone', /leave the time zone empty/],
    ['a clashing new name', { column: 'day', action: 'format', format: '%Y', as: 'ID' }, 'DUPLICATE_OUTPUT_COLUMN', 'as', /already has a column "id"/],
  ])('reports %s', (_what, r, code, key, message) => {
    const issues = propagate(rule(r)).issues ?? [];
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual([[code, `rules.0.${key}`]]);
    expect(issues[0]?.message).toMatch(message);
  });

  it('refuses to replace one column twice', () => {
    const c = ParseDatesConfig.parse({ rules: [{ column: 'day', action: 'format', format: '%Y' }, { column: 'day', action: 'format', format: '%m' }] });
    expect(propagate(c).issues?.map((i) => [i.code, i.path.join('.')])).toEqual([['INVALID_CONFIG', 'rules.1.column']]);
  });
});

describe('parse-dates plan', () => {
  it('binds formats and zones, converts through UTC, and guards unparsable text with an error naming the column', () => {
    const [op] = parseDates.plan({ nodeId: 'p', config, inputs: { input: table('t') }, inputColumns: { input: events.columns }, outputTable: () => 'o' });
    if (op?.op !== 'materialize') throw new Error('expected one materialize op');
    expect(renderSelect(op.query, { resolveFile: () => '' })).toMatchInlineSnapshot(`
      {
        "params": [
          "%d/%m/%Y",
          ""day_text"",
          ""%d/%m/%Y"",
          "%d/%m/%Y",
          "%Y-%m-%d %H:%M",
          ""local_time"",
          ""%Y-%m-%d %H:%M"",
          "Europe/Paris",
          "%Y-%m-%d %H:%M",
          "%Y-%m-%d %H:%M %z",
          ""stamped"",
          ""%Y-%m-%d %H:%M %z"",
          "%Y-%m-%d %H:%M %z",
          "%d.%m.%Y",
          "America/New_York",
          "%Y-%m-%d %H:%M",
        ],
        "sql": "SELECT "id", CASE WHEN (("day_text" IS NOT NULL) AND (try_strptime("day_text", $1) IS NULL)) THEN error(concat('Column ', $2, ': the value "', "day_text", '" does not match the format ', $3)) ELSE CAST(try_strptime("day_text", $4) AS DATE) END AS "day_text", CASE WHEN (("local_time" IS NOT NULL) AND (try_strptime("local_time", $5) IS NULL)) THEN error(concat('Column ', $6, ': the value "', "local_time", '" does not match the format ', $7)) ELSE timezone('UTC', timezone($8, try_strptime("local_time", $9))) END AS "local_time", CASE WHEN (("stamped" IS NOT NULL) AND (try_strptime("stamped", $10) IS NULL)) THEN error(concat('Column ', $11, ': the value "', "stamped", '" does not match the format ', $12)) ELSE timezone('UTC', try_strptime("stamped", $13)) END AS "stamped", "day", "at", strftime("day", $14) AS "day_label", strftime(timezone($15, timezone('UTC', "at")), $16) AS "at_new_york" FROM "t"",
      }
    `);
  });
});

describe('parse-dates rows', () => {
  it('match PostgreSQL to_date/to_timestamp/to_char with AT TIME ZONE, across daylight saving', async () => {
    const sluice = await runNode({ kind: 'parse-dates', config, inputs: { input: events } });
    const oracle = await postgresRows(
      { events },
      `SELECT id,
         to_date(day_text, 'DD/MM/YYYY') AS day_text,
         (to_timestamp(local_time, 'YYYY-MM-DD HH24:MI')::timestamp AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'UTC' AS local_time,
         to_timestamp(stamped, 'YYYY-MM-DD HH24:MI TZH:TZM') AT TIME ZONE 'UTC' AS stamped,
         day, at,
         to_char(day, 'DD.MM.YYYY') AS day_label,
         to_char((at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI') AS at_new_york
       FROM events`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(normalizeRows(sluice.rows).find((r) => r.id === 2)).toMatchObject({ local_time: '2024-07-15 10:00:00', stamped: '2024-07-15 17:30:00', at_new_york: '2024-07-15 06:00' });
  });

  const messy: TestInput = {
    columns: [{ name: 'd', type: 'string' }],
    rows: [{ d: '2024-02-29' }, { d: null }, { d: '2023-02-29' }, { d: '二〇二四年' }],
  };

  it('turn text that does not parse into NULL when asked', async () => {
    const sluice = await runNode({ kind: 'parse-dates', config: { rules: [{ column: 'd', action: 'parse_date', format: '%Y-%m-%d' }], onError: 'null' }, inputs: { input: messy } });
    expect(normalizeRows(sluice.rows)).toEqual([{ d: '2024-02-29' }, { d: null }, { d: null }, { d: null }]);
  });

  it('fail the run on text that does not parse, naming the column, the value and the format', async () => {
    await expect(runNode({ kind: 'parse-dates', config: { rules: [{ column: 'd', action: 'parse_date', format: '%Y-%m-%d' }] }, inputs: { input: messy } })).rejects.toThrow(
      /^parse-dates failed: Invalid Input Error: Column "d": the value "(2023-02-29|二〇二四年)" does not match the format "%Y-%m-%d"$/,
    );
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'parse-dates', config, inputs: { input: { ...events, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toContain('at_new_york');
  });
});
