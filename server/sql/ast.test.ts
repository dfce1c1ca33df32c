import { describe, expect, it } from 'vitest';
import {
  cast,
  col,
  csvRejectsTables,
  fileReads,
  param,
  quoteIdent,
  quoteString,
  renderSelect,
  selectAll,
  selectColumns,
  table,
  tableReferences,
  withCsvLineErrors,
  type Expr,
  type FileRef,
  type RenderContext,
  type Select,
} from './ast';

const noFiles: RenderContext = {
  resolveFile: () => {
    throw new Error('no files expected');
  },
};

const render = (s: Select, ctx: RenderContext = noFiles) => renderSelect(s, ctx);

describe('quoteIdent', () => {
  it('wraps names in double quotes', () => {
    expect(quoteIdent('amount')).toBe('"amount"');
    expect(quoteIdent('order id')).toBe('"order id"');
  });

  it('doubles embedded double quotes so a hostile name stays one identifier', () => {
    const hostile = 'x"; DROP TABLE t;--';
    const quoted = quoteIdent(hostile);
    expect(quoted).toBe('"x""; DROP TABLE t;--"');
    // Strip the outer quotes: what is left has no lone quote that could close the identifier.
    expect(quoted.slice(1, -1).replace(/""/g, '')).not.toContain('"');
  });

  it('keeps a hostile column name inside one identifier in a rendered query', () => {
    const { sql, params } = render(selectColumns(['x"; DROP TABLE t;--'], table('src')));
    expect(sql).toBe('SELECT "x""; DROP TABLE t;--" FROM "src"');
    expect(params).toEqual([]);
  });

  it('quotes table names too', () => {
    expect(render(selectAll(table('a"b'))).sql).toBe('SELECT * FROM "a""b"');
  });
});

describe('quoteString', () => {
  it('wraps in single quotes and doubles embedded single quotes', () => {
    expect(quoteString('plain')).toBe("'plain'");
    expect(quoteString("O'Brien")).toBe("'O''Brien'");
    expect(quoteString("'; DROP TABLE t; --")).toBe("'''; DROP TABLE t; --'");
    expect(quoteString('')).toBe("''");
  });

  it('leaves backslashes and double quotes alone (standard SQL strings have no backslash escapes)', () => {
    expect(quoteString('C:\\data\\"x".csv')).toBe(`'C:\\data\\"x".csv'`);
  });

  it('refuses NUL characters', () => {
    expect(() => quoteString('a\0b')).toThrow(/NUL/);
  });
});

describe('literals', () => {
  const where = (e: Expr) => render(selectAll(table('t'), e)).sql;

  it('renders each SqlValue kind', () => {
    expect(where({ t: 'literal', value: null })).toBe('SELECT * FROM "t" WHERE NULL');
    expect(where({ t: 'literal', value: true })).toBe('SELECT * FROM "t" WHERE TRUE');
    expect(where({ t: 'literal', value: false })).toBe('SELECT * FROM "t" WHERE FALSE');
    expect(where({ t: 'compare', op: '=', left: col('n'), right: { t: 'literal', value: -1.5 } })).toBe('SELECT * FROM "t" WHERE ("n" = -1.5)');
    expect(where({ t: 'compare', op: '=', left: col('s'), right: { t: 'literal', value: "it's" } })).toBe(`SELECT * FROM "t" WHERE ("s" = 'it''s')`);
  });

  it('refuses non-finite numbers', () => {
    expect(() => where({ t: 'literal', value: Number.NaN })).toThrow(/Cannot render NaN/);
    expect(() => where({ t: 'literal', value: Number.POSITIVE_INFINITY })).toThrow(/Cannot render Infinity/);
  });
});

describe('params', () => {
  it('numbers params $1.. in rendering order and collects their values in that order', () => {
    const where: Expr = {
      t: 'logical',
      op: 'AND',
      items: [
        { t: 'compare', op: '>=', left: col('a'), right: param(10) },
        { t: 'call', fn: 'contains', args: [col('b'), param('x')] },
        { t: 'compare', op: '<>', left: param(null), right: cast(param('2024-01-01'), 'date') },
        { t: 'not', expr: { t: 'compare', op: '=', left: col('c'), right: param(true) } },
      ],
    };
    const { sql, params } = render(selectAll(table('t'), where));
    expect(sql).toBe(
      'SELECT * FROM "t" WHERE (("a" >= $1) AND contains("b", $2) AND ($3 <> CAST($4 AS DATE)) AND (NOT ("c" = $5)))',
    );
    expect(params).toEqual([10, 'x', null, '2024-01-01', true]);
  });

  it('keeps user values out of the SQL text', () => {
    const hostile = ["'; DROP TABLE t; --", 'x" OR 1=1 --', 'robert\'); DELETE FROM users;--'];
    const where: Expr = { t: 'logical', op: 'OR', items: hostile.map((v) => ({ t: 'compare', op: '=', left: col('name'), right: param(v) })) };
    const { sql, params } = render(selectAll(table('people'), where));
    for (const v of hostile) expect(sql).not.toContain(v);
    expect(sql).not.toMatch(/DROP|DELETE|1=1/);
    expect(sql).toBe('SELECT * FROM "people" WHERE (("name" = $1) OR ("name" = $2) OR ("name" = $3))');
    expect(params).toEqual(hostile);
  });

  it('starts numbering afresh for each render', () => {
    const s = selectAll(table('t'), { t: 'compare', op: '=', left: col('a'), right: param(1) });
    expect(render(s)).toEqual({ sql: 'SELECT * FROM "t" WHERE ("a" = $1)', params: [1] });
    expect(render(s)).toEqual({ sql: 'SELECT * FROM "t" WHERE ("a" = $1)', params: [1] });
  });

  it('numbers params inside subqueries in the same sequence', () => {
    const inner = selectAll(table('t'), { t: 'compare', op: '<', left: col('a'), right: param(5) });
    const outer: Select = {
      t: 'select',
      items: [{ expr: col('a'), as: 'a"lias' }],
      from: { t: 'subquery', query: inner, alias: 'sub' },
      where: { t: 'compare', op: '>', left: col('a'), right: param(1) },
    };
    expect(render(outer)).toEqual({
      sql: 'SELECT "a" AS "a""lias" FROM (SELECT * FROM "t" WHERE ("a" < $1)) AS "sub" WHERE ("a" > $2)',
      params: [5, 1],
    });
  });
});

describe('expressions', () => {
  const where = (e: Expr) => render(selectAll(table('t'), e)).sql.replace('SELECT * FROM "t" WHERE ', '');

  it('renders IS [NOT] NULL', () => {
    expect(where({ t: 'isNull', expr: col('a'), negated: false })).toBe('("a" IS NULL)');
    expect(where({ t: 'isNull', expr: col('a'), negated: true })).toBe('("a" IS NOT NULL)');
  });

  it('renders casts with the DuckDB type of each column type', () => {
    expect(where(cast(col('a'), 'integer'))).toBe('CAST("a" AS BIGINT)');
    expect(where(cast(col('a'), 'float'))).toBe('CAST("a" AS DOUBLE)');
    expect(where(cast(col('a'), 'timestamp'))).toBe('CAST("a" AS TIMESTAMP)');
  });

  it('renders a logical with zero items as its identity (AND → TRUE, OR → FALSE)', () => {
    expect(where({ t: 'logical', op: 'AND', items: [] })).toBe('TRUE');
    expect(where({ t: 'logical', op: 'OR', items: [] })).toBe('FALSE');
  });

  it('parenthesises a logical with one item', () => {
    expect(where({ t: 'logical', op: 'OR', items: [{ t: 'isNull', expr: col('a'), negated: false }] })).toBe('(("a" IS NULL))');
  });

  it('renders a lambda with quoted parameters inside a list function call', () => {
    const upperEach: Expr = { t: 'call', fn: 'list_transform', args: [{ t: 'call', fn: 'string_split', args: [col('a'), param(',')] }, { t: 'lambda', params: ['w"x'], body: { t: 'call', fn: 'upper', args: [col('w"x')] } }] };
    expect(render(selectAll(table('t'), upperEach))).toEqual({ sql: 'SELECT * FROM "t" WHERE list_transform(string_split("a", $1), lambda "w""x": upper("w""x"))', params: [','] });
  });

  it('renders the text, list and date functions node kinds call by name, with bound arguments', () => {
    const call = (fn: 'try_strptime' | 'strftime' | 'timezone' | 'error' | 'concat_ws' | 'list_extract', ...args: Expr[]): Expr => ({ t: 'call', fn, args });
    expect(where(call('try_strptime', col('a'), param('%d/%m/%Y')))).toBe('try_strptime("a", $1)');
    expect(where(call('timezone', param('Europe/Paris'), col('a')))).toBe('timezone($1, "a")');
    expect(where(call('error', call('concat_ws', param(' '), col('a'))))).toBe('error(concat_ws($1, "a"))');
    expect(where(call('list_extract', col('a'), { t: 'literal', value: 2 }))).toBe('list_extract("a", 2)');
  });
});

describe('readCsv', () => {
  const file: FileRef = { workspacePath: 'in/orders.csv' };
  const readCsv = (over: Partial<{ delimiter: string; quote: string; escape: string; header: boolean }> = {}): Select =>
    selectAll({
      t: 'readCsv',
      file,
      lineErrors: { t: 'record', rejectsTable: 's0_output_rejects' },
      options: {
        delimiter: ',',
        quote: '"',
        escape: '"',
        header: true,
        columns: [
          { name: 'id', type: 'integer' },
          { name: "customer's name", type: 'string' },
          { name: 'ordered_at', type: 'timestamp' },
        ],
        ...over,
      },
    });

  it('renders read_csv with the resolved path and every option as an escaped literal', () => {
    const seen: FileRef[] = [];
    const ctx: RenderContext = {
      resolveFile: (ref) => {
        seen.push(ref);
        return `/srv/workspace/${ref.workspacePath}`;
      },
    };
    const { sql, params } = renderSelect(readCsv(), ctx);
    expect(seen).toEqual([file]);
    expect(params).toEqual([]);
    expect(sql).toMatchInlineSnapshot(
      `"SELECT * FROM (SELECT * FROM read_csv('/srv/workspace/in/orders.csv', auto_detect = false, header = true, delim = ',', quote = '"', escape = '"', columns = {'id': 'BIGINT', 'customer''s name': 'VARCHAR', 'ordered_at': 'TIMESTAMP'}, store_rejects = true, rejects_table = 's0_output_rejects', rejects_scan = 's0_output_rejects_scan') WHERE hash("id", "customer's name", "ordered_at") IS NOT NULL)"`,
    );
  });

  it('reads strictly when lines fail the query, and converts every column whenever lines are left out', () => {
    const ctx: RenderContext = { resolveFile: (ref) => `/w/${ref.workspacePath}` };
    const strict = renderSelect(withCsvLineErrors(readCsv(), { t: 'fail' }), ctx).sql;
    expect(strict).toMatch(/^SELECT \* FROM read_csv\('\/w\/in\/orders.csv', .*columns = \{[^}]*\}\)$/);
    expect(strict).not.toMatch(/ignore_errors|store_rejects|hash/);
    const skipping = renderSelect(withCsvLineErrors(readCsv(), { t: 'skip' }), ctx).sql;
    expect(skipping).toContain(", ignore_errors = true) WHERE hash(\"id\", \"customer's name\", \"ordered_at\") IS NOT NULL)");
    expect(skipping).not.toContain('store_rejects');
  });

  it('finds the file reads and rejects tables of a query, however nested', () => {
    const nested: Select = { t: 'select', items: '*', from: { t: 'join', kind: 'inner', left: { t: 'subquery', query: readCsv(), alias: 'a' }, right: { t: 'table', name: 'other' }, on: { t: 'literal', value: true } } };
    expect(fileReads(nested).map((r) => r.file)).toEqual([file]);
    expect(tableReferences(nested)).toEqual(['other']);
    expect(csvRejectsTables(nested)).toEqual(['s0_output_rejects']);
    expect(csvRejectsTables(withCsvLineErrors(nested, { t: 'skip' }))).toEqual([]);
  });

  it('escapes a quote character used as delimiter/quote and a resolved path with a quote', () => {
    const { sql } = renderSelect(readCsv({ delimiter: "'", quote: "'", escape: '\\', header: false }), {
      resolveFile: () => "/srv/o'brien/in.csv",
    });
    expect(sql).toContain("read_csv('/srv/o''brien/in.csv', ");
    expect(sql).toContain("header = false, delim = '''', quote = '''', escape = '\\', ");
  });

  it('propagates a refusal from resolveFile instead of rendering an unresolved path', () => {
    expect(() =>
      renderSelect(readCsv(), {
        resolveFile: () => {
          throw new Error('outside the workspace');
        },
      }),
    ).toThrow('outside the workspace');
  });
});

describe('readCsv encoding and quoted empties', () => {
  const scan = (options: Partial<{ encoding: 'utf-8' | 'utf-16' | 'latin-1'; quotedEmptyIsNull: boolean }>): string =>
    renderSelect(
      selectAll({ t: 'readCsv', file: { workspacePath: 'a.csv' }, lineErrors: { t: 'record', rejectsTable: 'r' }, options: { delimiter: ',', quote: '"', escape: '"', header: true, columns: [{ name: 'a', type: 'string' }], ...options } }),
      { resolveFile: () => '/w/a.csv' },
    ).sql;

  it('leaves the defaults (utf-8, "" is NULL) out of the SQL', () => {
    expect(scan({ encoding: 'utf-8', quotedEmptyIsNull: true })).not.toMatch(/encoding|allow_quoted_nulls/);
  });

  it('renders another encoding and keeping quoted empty strings', () => {
    expect(scan({ encoding: 'latin-1', quotedEmptyIsNull: false })).toContain("columns = {'a': 'VARCHAR'}, encoding = 'latin-1', allow_quoted_nulls = false, store_rejects");
  });
});

describe('readJson and readParquet', () => {
  const ctx: RenderContext = { resolveFile: (ref) => `/srv/w/${ref.workspacePath}` };

  it('renders read_json with the DuckDB format name and typed columns', () => {
    const q = selectAll({ t: 'readJson', file: { workspacePath: "o'k.ndjson" }, options: { format: 'ndjson', columns: [{ name: 'id', type: 'integer' }, { name: 'tag"s', type: 'string' }] } });
    expect(renderSelect(q, ctx).sql).toBe(`SELECT * FROM read_json('/srv/w/o''k.ndjson', format = 'newline_delimited', columns = {'id': 'BIGINT', 'tag"s': 'VARCHAR'})`);
    const array = selectAll({ t: 'readJson', file: { workspacePath: 'a.json' }, options: { format: 'array', columns: [{ name: 'd', type: 'date' }] } });
    expect(renderSelect(array, ctx).sql).toBe(`SELECT * FROM read_json('/srv/w/a.json', format = 'array', columns = {'d': 'DATE'})`);
  });

  it('renders read_parquet with the resolved path', () => {
    expect(renderSelect(selectAll({ t: 'readParquet', file: { workspacePath: 'p/x.parquet' } }), ctx).sql).toBe(`SELECT * FROM read_parquet('/srv/w/p/x.parquet')`);
  });
});

describe('checkedQuery relations (SQL node)', () => {
  it('binds each relation to its name in a WITH and embeds the checked text on lines of its own', () => {
    const q: Select = {
      t: 'select',
      items: '*',
      from: { t: 'checkedQuery', sql: 'SELECT * FROM input_1 JOIN input_2 USING (id) -- )', bindings: [{ name: 'input_1', relation: table('s0_output') }, { name: 'in"2', relation: table('s1_output') }], alias: 'q' },
    };
    expect(render(q).sql).toBe('SELECT * FROM (WITH "input_1" AS (SELECT * FROM "s0_output"), "in""2" AS (SELECT * FROM "s1_output") SELECT * FROM (\nSELECT * FROM input_1 JOIN input_2 USING (id) -- )\n) AS "sql") AS "q"');
  });

  it('drops one trailing ";" and renders without bindings', () => {
    const q: Select = { t: 'select', items: '*', from: { t: 'checkedQuery', sql: 'SELECT 1;  \n', bindings: [], alias: 'q' } };
    expect(render(q).sql).toBe('SELECT * FROM (SELECT * FROM (\nSELECT 1\n) AS "sql") AS "q"');
  });
});

describe('lists, unnest, intervals and NULL-safe equality (reshaping nodes)', () => {
  const items = (...exprs: Expr[]): Select => ({ t: 'select', items: exprs.map((expr) => ({ expr })), from: table('t') });

  it('renders list values, binding their elements', () => {
    const { sql, params } = render(items({ t: 'list', items: [param('a"b'), col('x')] }, { t: 'list', items: [] }));
    expect(sql).toBe('SELECT [$1, "x"], [] FROM "t"');
    expect(params).toEqual(['a"b']);
  });

  it('renders unnest and the 1-based position of each element', () => {
    const list: Expr = { t: 'call', fn: 'json_extract_string', args: [col('tags'), param('$[*]')] };
    const { sql, params } = render(items({ t: 'unnest', list }, { t: 'unnest', list, position: true }));
    expect(sql).toBe('SELECT unnest(json_extract_string("tags", $1)), generate_subscripts(json_extract_string("tags", $2), 1) FROM "t"');
    expect(params).toEqual(['$[*]', '$[*]']);
  });

  it('renders whole-number intervals and refuses others', () => {
    const bucket = (amount: number): Expr => ({ t: 'call', fn: 'time_bucket', args: [{ t: 'interval', amount, unit: 'minute' }, col('at')] });
    expect(render(items(bucket(15), { t: 'interval', amount: 1, unit: 'week' })).sql).toBe('SELECT time_bucket(INTERVAL 15 MINUTE, "at"), INTERVAL 1 WEEK FROM "t"');
    expect(() => render(items(bucket(0)))).toThrow(/positive interval/);
    expect(() => render(items(bucket(1.5)))).toThrow(/non-negative integer/);
    expect(() => render(items(bucket(-2)))).toThrow(/positive interval/);
  });

  it('renders IS NOT DISTINCT FROM as a comparison', () => {
    expect(render(selectAll(table('t'), { t: 'compare', op: 'IS NOT DISTINCT FROM', left: col('a'), right: param(null) })).sql).toBe('SELECT * FROM "t" WHERE ("a" IS NOT DISTINCT FROM $1)');
  });

  it('renders a TIMESTAMPTZ step converted back to naive UTC', () => {
    const utc: Expr = { t: 'call', fn: 'timezone', args: [{ t: 'literal', value: 'UTC' }, { t: 'cast', expr: col('at'), to: 'timestamptz', orNull: true }] };
    expect(render(items(utc)).sql).toBe(`SELECT timezone('UTC', TRY_CAST("at" AS TIMESTAMPTZ)) FROM "t"`);
  });

  it('renders error() like any function, its message bound', () => {
    const failing: Expr = { t: 'call', fn: 'error', args: [{ t: 'call', fn: 'concat', args: [param('Row value: '), { t: 'call', fn: 'left', args: [col('doc'), { t: 'literal', value: 200 }] }] }] };
    expect(render(items(failing)).sql).toBe('SELECT error(concat($1, left("doc", 200))) FROM "t"');
  });
});
