import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { analyzePipeline, answerQuestion } from '../../engine/analyze';
import { openDuckSession } from '../../engine/duckdb';
import { renderSelect, table, type Select } from '../../sql/ast';
import type { Column } from '../types';
import { harnessDocument, normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { filter, FilterConfig, MAX_GROUP_DEPTH } from './filter';

const input: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'paid', type: 'boolean' },
  { name: 'ordered_on', type: 'date' },
  { name: 'shipped_at', type: 'timestamp' },
];

function issues(config: unknown) {
  const result = FilterConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

const propagate = (config: unknown, columns: Column[] = input) => filter.propagate({ config: FilterConfig.parse(config), inputs: { input: columns } });

const rule = (column: string, op: string, value?: string) => ({ column, op, ...(value === undefined ? {} : { value }) });
const group = (combinator: 'and' | 'or', rules: unknown[], not = false) => ({ type: 'group', combinator, not, rules });
const not = (combinator: 'and' | 'or', rules: unknown[]) => group(combinator, rules, true);

function planOf(config: unknown, columns: Column[] = input) {
  return filter.plan({
    nodeId: 'f',
    config: FilterConfig.parse(config),
    inputs: { input: table('s0_output') },
    inputColumns: { input: columns },
    outputTable: (port) => `s1_${port}`,
  });
}

function renderedWhere(config: unknown, columns: Column[] = input) {
  const [op] = planOf(config, columns);
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('filter config', () => {
  it('reads a flat rule list saved before groups existed as the root group, with every default filled in', () => {
    expect(FilterConfig.parse({ rules: [rule('customer', 'is_null')] })).toEqual({
      mode: 'builder',
      combinator: 'and',
      not: false,
      rules: [{ type: 'rule', column: 'customer', op: 'is_null', value: '' }],
      sql: '',
    });
    expect(FilterConfig.parse({ combinator: 'or', rules: [rule('a', 'eq', '1'), rule('b', 'gt', '2')] })).toMatchObject({ mode: 'builder', combinator: 'or', not: false });
  });

  it('accepts every operator', () => {
    for (const op of ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'contains', 'starts_with', 'is_null', 'is_not_null']) {
      expect(issues({ combinator: 'or', rules: [rule('a', op, '1')] })).toEqual([]);
    }
  });

  it.each([
    ['no rules', { rules: [] }, ['rules'], 'Add at least one condition'],
    ['missing rules', {}, ['rules'], /expected array/],
    ['a rule without a column', { rules: [rule('', 'eq', '1')] }, ['rules', 0, 'column'], 'Choose a column'],
    ['an unknown operator', { rules: [rule('a', 'eq'), rule('a', 'like', '%x%')] }, ['rules', 1, 'op'], /expected one of/],
    ['a non-string value', { rules: [{ column: 'a', op: 'eq', value: 3 }] }, ['rules', 0, 'value'], /expected string/],
    ['an unknown combinator', { combinator: 'xor', rules: [rule('a', 'eq', '1')] }, ['combinator'], /expected one of/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });
});

describe('filter propagate', () => {
  it('passes its input through unchanged, copying each column, and records the columns it filters on', () => {
    const result = propagate({ rules: [rule('amount', 'gt', '10'), rule('customer', 'is_not_null')] });
    expect(result.outputs).toEqual({ output: input });
    expect(result.lineage.output?.amount).toEqual({ from: [{ port: 'input', column: 'amount' }], how: 'copied' });
    expect(Object.keys(result.lineage.output ?? {})).toEqual(input.map((c) => c.name));
    expect(result.uses).toEqual([
      { port: 'input', column: 'amount', how: 'filter' },
      { port: 'input', column: 'customer', how: 'filter' },
    ]);
    expect(result.issues).toEqual([]);
  });

  it('reports an unknown column at the rule\'s column, suggesting the closest name', () => {
    const result = propagate({ rules: [rule('amount', 'gt', '1'), rule('custmer', 'eq', 'x')] });
    expect(result.issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['rules', 1, 'column'],
        message: 'Column "custmer" does not exist in the input; did you mean "customer"? (available: id, customer, amount, paid, ordered_on, shipped_at)',
      },
    ]);
  });

  it('suggests regardless of case', () => {
    const [issue] = propagate({ rules: [rule('Amount', 'gt', '1')] }).issues ?? [];
    expect(issue?.message).toContain('did you mean "amount"?');
  });

  it('makes no suggestion when nothing is close', () => {
    const [issue] = propagate({ rules: [rule('warehouse_region', 'eq', 'x')] }).issues ?? [];
    expect(issue?.code).toBe('UNKNOWN_COLUMN');
    expect(issue?.message).not.toContain('did you mean');
  });

  it('says "none" when the input has no columns', () => {
    const [issue] = propagate({ rules: [rule('a', 'eq', 'x')] }, []).issues ?? [];
    expect(issue?.message).toBe('Column "a" does not exist in the input (available: none)');
  });

  it.each(['contains', 'starts_with'])('reports %s on a non-text column as a type mismatch at the operator', (op) => {
    const result = propagate({ rules: [rule('customer', op, 'x'), rule('amount', op, '1')] });
    expect(result.issues?.map((i) => [i.code, i.path])).toEqual([['TYPE_MISMATCH', ['rules', 1, 'op']]]);
    expect(result.issues?.[0]?.message).toBe(`"${op === 'contains' ? 'contains' : 'starts with'}" needs a text column, but "amount" is float`);
  });

  it('reports a value that is not an integer for an integer column', () => {
    const result = propagate({ rules: [rule('id', 'eq', '12.5')] });
    expect(result.issues).toEqual([
      { code: 'INVALID_VALUE', path: ['rules', 0, 'value'], message: '"12.5" is not a valid integer value for column "id"' },
    ]);
  });

  it.each([
    ['id', '42'],
    ['id', ' -7 '],
    ['amount', '3.25'],
    ['amount', '-1e3'],
    ['paid', 'TRUE'],
    ['ordered_on', '2024-02-29'],
    ['shipped_at', '2024-01-31 23:59:59'],
    ['shipped_at', '2024-01-31T23:59'],
    ['customer', ''],
  ])('accepts %s = %j', (column, value) => {
    expect(propagate({ rules: [rule(column, 'eq', value)] }).issues).toEqual([]);
  });

  it.each([
    ['id', ''],
    ['id', 'ten'],
    ['amount', 'abc'],
    ['amount', ''],
    ['paid', 'yes'],
    ['ordered_on', '31/01/2024'],
    ['ordered_on', '2024-13-01'],
    ['shipped_at', '2024-01-31 25:00'],
  ])('rejects %s = %j', (column, value) => {
    const [issue] = propagate({ rules: [rule(column, 'lt', value)] }).issues ?? [];
    expect(issue).toMatchObject({ code: 'INVALID_VALUE', path: ['rules', 0, 'value'] });
  });

  // Regression (types.ts parsesAs): these used to pass the form check although DuckDB's CAST rejects them at run time
  // ("date field value out of range", "Could not convert string '0x10' to DOUBLE", "... to INT64").
  // V8's Date.parse rolls 2024-02-30 over to 1 March; Number() accepts hex/binary/octal; the integer
  // regex has no range check.
  it.each([
    ['ordered_on', '2024-02-30'],
    ['ordered_on', '2023-02-29'],
    ['shipped_at', '2024-04-31 10:00'],
    ['amount', '0x10'],
    ['amount', '0b101'],
    ['id', '99999999999999999999'],
  ])('rejects %s = %j, which DuckDB cannot cast', (column, value) => {
    const [issue] = propagate({ rules: [rule(column, 'eq', value)] }).issues ?? [];
    expect(issue).toMatchObject({ code: 'INVALID_VALUE', path: ['rules', 0, 'value'] });
  });

  it('does not check values for null tests', () => {
    expect(propagate({ rules: [rule('id', 'is_null', 'anything'), rule('amount', 'is_not_null')] }).issues).toEqual([]);
  });

  it('reports one issue per bad rule, with each rule\'s index', () => {
    const result = propagate({ rules: [rule('id', 'eq', 'x'), rule('amount', 'gt', '1'), rule('nope', 'eq', '1'), rule('id', 'contains', '1')] });
    expect(result.issues?.map((i) => [i.code, i.path])).toEqual([
      ['INVALID_VALUE', ['rules', 0, 'value']],
      ['UNKNOWN_COLUMN', ['rules', 2, 'column']],
      ['TYPE_MISMATCH', ['rules', 3, 'op']],
    ]);
  });
});

describe('filter plan', () => {
  it('materialises the filtered input into its output table', () => {
    expect(planOf({ rules: [rule('amount', 'gte', '10')] })).toMatchInlineSnapshot(`
      [
        {
          "op": "materialize",
          "query": {
            "from": {
              "name": "s0_output",
              "t": "table",
            },
            "items": "*",
            "t": "select",
            "where": {
              "items": [
                {
                  "left": {
                    "name": "amount",
                    "t": "column",
                  },
                  "op": ">=",
                  "right": {
                    "expr": {
                      "t": "param",
                      "value": "10",
                    },
                    "t": "cast",
                    "to": "float",
                  },
                  "t": "compare",
                },
              ],
              "op": "AND",
              "t": "logical",
            },
          },
          "table": "s1_output",
        },
      ]
    `);
  });

  it('binds values as parameters, casting them to the column type (trimmed) except for text', () => {
    const rendered = renderedWhere({
      rules: [
        rule('id', 'neq', ' 7 '),
        rule('customer', 'eq', " O'Brien "),
        rule('customer', 'contains', 'x"; DROP TABLE t;--'),
        rule('customer', 'starts_with', 'A'),
        rule('ordered_on', 'lt', '2024-01-01'),
        rule('paid', 'is_null'),
        rule('shipped_at', 'is_not_null'),
        rule('paid', 'eq', 'true'),
      ],
    });
    expect(rendered).toMatchInlineSnapshot(`
      {
        "params": [
          "7",
          " O'Brien ",
          "x"; DROP TABLE t;--",
          "A",
          "2024-01-01",
          "true",
        ],
        "sql": "SELECT * FROM "s0_output" WHERE (("id" <> CAST($1 AS BIGINT)) AND ("customer" = $2) AND contains("customer", $3) AND starts_with("customer", $4) AND ("ordered_on" < CAST($5 AS DATE)) AND ("paid" IS NULL) AND ("shipped_at" IS NOT NULL) AND ("paid" = CAST($6 AS BOOLEAN)))",
      }
    `);
  });

  it('maps each comparison operator to its SQL operator and "or" to OR', () => {
    const ops = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'];
    const { sql } = renderedWhere({ combinator: 'or', rules: ops.map((op) => rule('amount', op, '1')) });
    expect(sql).toBe(
      'SELECT * FROM "s0_output" WHERE (("amount" = CAST($1 AS DOUBLE)) OR ("amount" <> CAST($2 AS DOUBLE)) OR ("amount" < CAST($3 AS DOUBLE)) OR ("amount" <= CAST($4 AS DOUBLE)) OR ("amount" > CAST($5 AS DOUBLE)) OR ("amount" >= CAST($6 AS DOUBLE)))',
    );
  });

  it('refuses to plan without an input relation', () => {
    expect(() =>
      filter.plan({ nodeId: 'f', config: FilterConfig.parse({ rules: [rule('id', 'is_null')] }), inputs: {}, inputColumns: {}, outputTable: (p) => p }),
    ).toThrow(/without an input/);
  });
});

describe('filter list, range and regex operators', () => {
  const orders: TestInput = {
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'status', type: 'string' },
      { name: 'amount', type: 'float' },
      { name: 'email', type: 'string' },
    ],
    rows: [
      { id: 1, status: 'paid', amount: 10, email: 'ada@example.com' },
      { id: 2, status: 'refunded', amount: 20, email: 'bob@bad' },
      { id: 3, status: 'pending', amount: 30, email: null },
      { id: 4, status: null, amount: null, email: 'zoë@exämple.org' },
      { id: 5, status: 'paid', amount: 20.5, email: 'x@y.io' },
    ],
  };
  const cases: [string, { column: string; op: string; value: string }, string][] = [
    ['is one of', { column: 'status', op: 'in', value: 'paid, refunded' }, `status IN ('paid', 'refunded')`],
    ['is none of', { column: 'status', op: 'not_in', value: 'paid,pending' }, `status NOT IN ('paid', 'pending')`],
    ['is between (inclusive)', { column: 'amount', op: 'between', value: '10, 20' }, 'amount BETWEEN 10 AND 20'],
    ['matches regex', { column: 'email', op: 'matches', value: '^[^@]+@[^@]+\\.[a-z]+$' }, `email ~ '^[^@]+@[^@]+\\.[a-z]+$'`],
  ];
  it.each(cases)('%s keeps the same rows as PostgreSQL', async (_name, rule, where) => {
    const sluice = await runNode({ kind: 'filter', config: { combinator: 'and', rules: [rule] }, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, `SELECT * FROM orders WHERE ${where}`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.length).toBeGreaterThan(0);
  });

  it('says what is wrong with list, range and regex values', () => {
    const issuesOf = (rule: { column: string; op: string; value: string }) =>
      filter.propagate({ config: FilterConfig.parse({ rules: [rule] }), inputs: { input: orders.columns } }).issues?.map((i) => i.message);
    expect(issuesOf({ column: 'amount', op: 'between', value: '10' })).toEqual(['Write the two bounds separated by a comma, e.g. "10, 20"']);
    expect(issuesOf({ column: 'amount', op: 'in', value: '1, x' })).toEqual(['"x" is not a valid float value for column "amount"']);
    expect(issuesOf({ column: 'status', op: 'in', value: 'paid,,x' })).toEqual(['Write the values separated by commas, e.g. "paid, refunded"']);
    expect(issuesOf({ column: 'email', op: 'matches', value: '([a-z' })).toEqual(['"([a-z" is not a valid regular expression']);
    expect(issuesOf({ column: 'amount', op: 'matches', value: 'x' })?.[0]).toContain('needs a text column');
  });
});

describe('filter groups: config', () => {
  it('parses nested groups, tagging untagged items as rules and defaulting combinator and NOT', () => {
    const parsed = FilterConfig.parse({ rules: [rule('id', 'gt', '1'), { type: 'group', rules: [rule('customer', 'is_null'), not('or', [rule('paid', 'eq', 'true')])] }] });
    expect(parsed).toEqual({
      mode: 'builder',
      combinator: 'and',
      not: false,
      sql: '',
      rules: [
        { type: 'rule', column: 'id', op: 'gt', value: '1' },
        {
          type: 'group',
          combinator: 'and',
          not: false,
          rules: [
            { type: 'rule', column: 'customer', op: 'is_null', value: '' },
            { type: 'group', combinator: 'or', not: true, rules: [{ type: 'rule', column: 'paid', op: 'eq', value: 'true' }] },
          ],
        },
      ],
    });
  });

  it.each([
    ['a rule without a column inside a group', { rules: [rule('a', 'eq', '1'), group('or', [rule('', 'eq', '1')])] }, ['rules', 1, 'rules', 0, 'column'], 'Choose a column'],
    ['an empty nested group', { rules: [group('and', [rule('a', 'is_null'), group('or', [])])] }, ['rules', 0, 'rules', 1, 'rules'], 'Add at least one condition'],
    ['an unknown item type', { rules: [{ type: 'clause', column: 'a' }] }, ['rules', 0, 'type'], 'A condition is a rule (column, operator, value) or a group ({ "type": "group" })'],
    ['a group combinator that is neither and nor or', { rules: [group('xor' as 'and', [rule('a', 'is_null')])] }, ['rules', 0, 'combinator'], /expected one of/],
    ['a NOT that is not a boolean', { rules: [{ ...group('and', [rule('a', 'is_null')]), not: 'yes' }] }, ['rules', 0, 'not'], /expected boolean/],
    ['an unknown mode', { mode: 'regex', rules: [rule('a', 'is_null')] }, ['mode'], 'The mode is "builder" (rules and groups) or "sql" (an SQL expression)'],
    ['an SQL mode without SQL', { mode: 'sql', sql: '   ' }, ['sql'], 'Write a condition'],
  ])('rejects %s at its exact path', (_what, config, path, message) => {
    const found = issues(config);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });

  const nestedTo = (depth: number, leaf: unknown = rule('id', 'is_null')): unknown[] => (depth <= 1 ? [leaf] : [group('and', nestedTo(depth - 1, leaf))]);

  it(`accepts groups nested ${MAX_GROUP_DEPTH} deep counting the top level`, () => {
    expect(issues({ rules: nestedTo(MAX_GROUP_DEPTH) })).toEqual([]);
  });

  it('refuses one level more at the too-deep group, without parsing what it holds', () => {
    const junk = { type: 'group', rules: 'not even a list' };
    const found = issues({ rules: nestedTo(MAX_GROUP_DEPTH + 1, junk) });
    expect(found).toEqual([
      {
        path: ['rules', 0, 'rules', 0, 'rules', 0, 'rules', 0],
        message: 'Groups can be nested at most 4 deep (counting the top level); move this group\'s conditions up a level',
      },
    ]);
  });

  it('keeps the other mode\'s settings unchecked, so switching modes loses nothing', () => {
    expect(FilterConfig.parse({ mode: 'sql', sql: ' amount > 1 ', combinator: 'or', rules: [rule('', 'eq')] })).toEqual({ mode: 'sql', sql: 'amount > 1', rules: [{ column: '', op: 'eq' }] });
    expect(FilterConfig.parse({ mode: 'builder', sql: 'not (valid', rules: [rule('a', 'is_null')] })).toMatchObject({ mode: 'builder', sql: 'not (valid' });
  });
});

describe('filter groups: propagate', () => {
  const tree = {
    rules: [
      rule('amount', 'gt', '1'),
      group('or', [rule('customer', 'eq', 'x'), not('and', [rule('custmer', 'eq', 'x'), rule('id', 'eq', 'ten')])]),
      rule('amount', 'contains', '1'),
    ],
  };

  it('reports each problem at its exact path into the tree', () => {
    expect(propagate(tree).issues).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        path: ['rules', 1, 'rules', 1, 'rules', 0, 'column'],
        message: 'Column "custmer" does not exist in the input; did you mean "customer"? (available: id, customer, amount, paid, ordered_on, shipped_at)',
      },
      { code: 'INVALID_VALUE', path: ['rules', 1, 'rules', 1, 'rules', 1, 'value'], message: '"ten" is not a valid integer value for column "id"' },
      { code: 'TYPE_MISMATCH', path: ['rules', 2, 'op'], message: '"contains" needs a text column, but "amount" is float' },
    ]);
  });

  it('records each column the tree filters on once, in the order written, and passes every column through', () => {
    const result = propagate(tree);
    expect(result.uses).toEqual([
      { port: 'input', column: 'amount', how: 'filter' },
      { port: 'input', column: 'customer', how: 'filter' },
      { port: 'input', column: 'custmer', how: 'filter' },
      { port: 'input', column: 'id', how: 'filter' },
    ]);
    expect(result.outputs).toEqual({ output: input });
    expect(Object.values(result.lineage.output ?? {}).every((l) => l.how === 'copied')).toBe(true);
  });

  it('asks DuckDB nothing in builder mode, and about the SQL in SQL mode', () => {
    expect(filter.expressions?.(FilterConfig.parse({ rules: [rule('id', 'is_null')], sql: 'ignored' }))).toEqual([]);
    expect(filter.expressions?.(FilterConfig.parse({ mode: 'sql', sql: 'amount > 1' }))).toEqual([{ key: 'sql', sql: 'amount > 1', port: 'input', path: ['sql'] }]);
  });
});

describe('filter groups: plan', () => {
  it('nests groups in parentheses, negating with NOT, and binds every value', () => {
    const rendered = renderedWhere({
      combinator: 'or',
      not: true,
      rules: [
        rule('paid', 'eq', 'true'),
        not('and', [rule('amount', 'between', '1, 2'), group('or', [rule('customer', 'in', "O'Brien, Zoë"), rule('customer', 'is_null')])]),
      ],
    });
    expect(rendered).toMatchInlineSnapshot(`
      {
        "params": [
          "true",
          "1",
          "2",
          "O'Brien",
          "Zoë",
        ],
        "sql": "SELECT * FROM "s0_output" WHERE (NOT (("paid" = CAST($1 AS BOOLEAN)) OR (NOT (("amount" BETWEEN CAST($2 AS DOUBLE) AND CAST($3 AS DOUBLE)) AND (("customer" IN ($4, $5)) OR ("customer" IS NULL))))))",
      }
    `);
  });

  it('plans SQL mode as the checked expression, and only once DuckDB has checked it', async () => {
    const doc = harnessDocument({ kind: 'filter', config: { mode: 'sql', sql: `"amount" > 10 -- big ones\n  AND NOT "paid"` }, inputs: { input: { columns: input, rows: [] } } });
    expect(compile(doc).plan).toBeNull();
    const result = await analyzePipeline(doc);
    const op = result.plan?.stages.find((s) => s.id === 'under_test')?.ops[0];
    expect(op?.op).toBe('materialize');
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT * FROM "s0_output" WHERE (
      "amount" > 10 -- big ones
        AND NOT "paid"
      )",
      }
    `);
  });
});

describe('filter SQL mode through the analyzer', () => {
  const diagnosticsOf = async (sql: string) => {
    const result = await analyzePipeline(harnessDocument({ kind: 'filter', config: { mode: 'sql', sql }, inputs: { input: { columns: input, rows: [] } } }));
    return result.diagnostics.filter((d) => d.nodeId === 'under_test').map(({ code, path, message }) => ({ code, path, message }));
  };

  it('accepts a boolean expression', async () => {
    expect(await diagnosticsOf('paid OR amount BETWEEN 1 AND 2')).toEqual([]);
  });

  it.each([
    ['amount * 2', 'float'],
    ["coalesce(customer, 'none')", 'string'],
    ['ordered_on', 'date'],
  ])('reports %s as a type mismatch at the SQL, naming its type', async (sql, type) => {
    expect(await diagnosticsOf(sql)).toEqual([{ code: 'TYPE_MISMATCH', path: ['sql'], message: `The condition must be true or false for each row, but this expression gives ${type} values` }]);
  });

  it('reports an unknown column with a suggestion, and refuses aggregates and subqueries', async () => {
    const [unknown] = await diagnosticsOf('amout > 1');
    expect(unknown).toMatchObject({ code: 'INVALID_EXPRESSION', path: ['sql'] });
    expect(unknown?.message).toContain('did you mean "amount"?');
    for (const sql of ['sum(amount) > 10', 'id IN (SELECT 1)', 'row_number() OVER () = 1']) {
      expect((await diagnosticsOf(sql)).map((d) => [d.code, d.path])).toEqual([['INVALID_EXPRESSION', ['sql']]]);
    }
  });

  it('lists the columns the expression reads as uses, from DuckDB\'s own parse', async () => {
    const doc = harnessDocument({ kind: 'filter', config: { mode: 'sql', sql: `"Amount" > 10 OR lower(customer) LIKE 'z%' -- paid is only in this comment` }, inputs: { input: { columns: input, rows: [] } } });
    const [question] = compile(doc).questions;
    if (!question) throw new Error('expected a question about the SQL');
    const temp = await mkdtemp(path.join(tmpdir(), 'sluice-filter-'));
    const session = await openDuckSession(temp, { threads: 1 });
    try {
      const answer = await answerQuestion(session.connection, question);
      if (!answer.ok || 'columns' in answer) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
      const config = FilterConfig.parse({ mode: 'sql', sql: question.sql });
      const result = filter.propagate({ config, inputs: { input }, expressions: { sql: { type: answer.type, references: answer.references } } });
      expect(result.uses).toEqual([
        { port: 'input', column: 'customer', how: 'filter' },
        { port: 'input', column: 'amount', how: 'filter' },
      ]);
      expect(result.issues).toEqual([]);
    } finally {
      session.close();
      await rm(temp, { recursive: true, force: true });
    }
  });
});

describe('filter trees keep the same rows as PostgreSQL', () => {
  // NULLs in every column, duplicates (rows 1 and 8), unicode text and a unicode column name.
  const orders: TestInput = {
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'customer', type: 'string' },
      { name: 'status', type: 'string' },
      { name: 'amount', type: 'float' },
      { name: 'paid', type: 'boolean' },
      { name: 'straße', type: 'string' },
    ],
    rows: [
      { id: 1, customer: 'Ada', status: 'paid', amount: 10, paid: true, straße: 'Hauptstraße' },
      { id: 2, customer: 'Zoë', status: 'refunded', amount: 25.5, paid: false, straße: null },
      { id: 3, customer: null, status: 'pending', amount: null, paid: null, straße: 'Ring' },
      { id: 4, customer: 'Zeynep', status: null, amount: 5, paid: true, straße: 'Gasse' },
      { id: 5, customer: '東京', status: 'paid', amount: null, paid: false, straße: '銀座' },
      { id: 6, customer: 'Ünal', status: 'paid', amount: 30, paid: null, straße: 'Allee' },
      { id: 7, customer: 'Bob', status: 'void', amount: 10, paid: true, straße: 'Weg' },
      { id: 1, customer: 'Ada', status: 'paid', amount: 10, paid: true, straße: 'Hauptstraße' },
    ],
  };

  const cases: [string, Record<string, unknown>, string][] = [
    ['NOT over a comparison drops the NULL amounts too', { not: true, rules: [rule('amount', 'gt', '10')] }, 'NOT (amount > 10)'],
    [
      'NOT over AND: NULL AND false is false, so NOT keeps it; NULL AND true stays unknown',
      { rules: [not('and', [rule('amount', 'gt', '10'), rule('paid', 'eq', 'true')])] },
      'NOT (amount > 10 AND paid = true)',
    ],
    [
      'OR of a list test and a negated OR with a null test',
      { combinator: 'or', rules: [rule('status', 'in', 'paid, refunded'), not('or', [rule('customer', 'is_null'), rule('amount', 'lt', '10')])] },
      "status IN ('paid', 'refunded') OR NOT (customer IS NULL OR amount < 10)",
    ],
    [
      'four levels with NOT at several of them',
      {
        rules: [
          not('or', [rule('status', 'eq', 'void'), group('and', [rule('customer', 'starts_with', 'Z'), not('and', [rule('amount', 'between', '5, 20'), rule('paid', 'is_not_null')])])]),
          rule('status', 'is_not_null'),
        ],
      },
      "NOT (status = 'void' OR (starts_with(customer, 'Z') AND NOT (amount BETWEEN 5 AND 20 AND paid IS NOT NULL))) AND status IS NOT NULL",
    ],
    [
      'unicode values, a regex and a unicode column name',
      { combinator: 'or', rules: [rule('customer', 'in', 'Zoë, 東京'), rule('customer', 'matches', '^Ü'), group('and', [rule('straße', 'contains', 'straße'), rule('status', 'neq', 'void')])] },
      `customer IN ('Zoë', '東京') OR customer ~ '^Ü' OR (strpos("straße", 'straße') > 0 AND status <> 'void')`,
    ],
  ];

  it.each(cases)('%s', async (_name, config, where) => {
    const sluice = await runNode({ kind: 'filter', config, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, `SELECT * FROM orders WHERE ${where}`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.length).toBeGreaterThan(0);
    expect(sluice.rows.length).toBeLessThan(orders.rows.length);
  });

  it('SQL mode, with the same three-valued logic', async () => {
    const sql = `NOT ("amount" > 10 AND "paid") OR "customer" IN ('Zoë', '東京') OR "straße" = 'Ring'`;
    const sluice = await runNode({ kind: 'filter', config: { mode: 'sql', sql }, inputs: { input: orders } });
    const oracle = await postgresRows({ orders }, `SELECT * FROM orders WHERE ${sql}`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.map((r) => Number(r.id)).sort()).toEqual([1, 1, 2, 3, 4, 5, 7]);
  });

  it.each([
    ['a nested tree', { rules: [not('or', [rule('amount', 'gt', '1'), rule('customer', 'is_null')])] }],
    ['SQL mode', { mode: 'sql', sql: 'NOT paid' }],
  ])('an empty input gives no rows and the same columns (%s)', async (_name, config) => {
    const sluice = await runNode({ kind: 'filter', config, inputs: { input: { ...orders, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(orders.columns.map((c) => c.name));
  });
});
