import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { analyzePipeline } from '../../engine/analyze';
import { renderSelect, type Select } from '../../sql/ast';
import { harnessDocument, normalizeRows, runNode } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { sql, SqlConfig } from './sql';

const orders = {
  columns: [
    { name: 'id', type: 'integer' as const },
    { name: 'customer_id', type: 'integer' as const },
    { name: 'amount', type: 'float' as const },
  ],
  rows: [
    { id: 1, customer_id: 10, amount: 10 },
    { id: 2, customer_id: 10, amount: 2.5 },
    { id: 3, customer_id: 20, amount: null },
    { id: 4, customer_id: 30, amount: 7 },
  ],
};
const customers = {
  columns: [
    { name: 'customer_id', type: 'integer' as const },
    { name: 'name', type: 'string' as const },
  ],
  rows: [
    { customer_id: 10, name: 'Ada' },
    { customer_id: 20, name: 'Bob' },
  ],
};

const joinSql = `SELECT c.name, count(*) AS orders, sum(o.amount) AS total
FROM input_1 o JOIN input_2 c USING (customer_id)
GROUP BY c.name`;

describe('sql config', () => {
  it('needs a query', () => {
    expect(SqlConfig.safeParse({ sql: '  ' }).error?.issues[0]?.message).toBe('Write a SELECT query');
  });
});

describe('sql through the analyzer', () => {
  it('takes its output columns from DuckDB describing the query over the inputs', async () => {
    const result = await analyzePipeline(harnessDocument({ kind: 'sql', config: { sql: joinSql }, inputs: { input_1: orders, input_2: customers } }));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.schemas.under_test?.output).toEqual([
      { name: 'name', type: 'string' },
      { name: 'orders', type: 'integer' },
      { name: 'total', type: 'float' },
    ]);
    expect(result.lineage.under_test?.output?.total?.how).toBe('derived');
    expect(result.lineage.under_test?.output?.total?.from).toContainEqual({ port: 'input_2', column: 'name' });
  });

  it('works with only input_1 connected; input_2 is then not a relation', async () => {
    const one = await analyzePipeline(harnessDocument({ kind: 'sql', config: { sql: 'SELECT id, amount > 5 AS big, [id] AS ids FROM input_1' }, inputs: { input_1: orders } }));
    expect(one.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // A LIST has no Sluice type: it is reported as string.
    expect(one.schemas.under_test?.output).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'big', type: 'boolean' },
      { name: 'ids', type: 'string' },
    ]);
    const two = await analyzePipeline(harnessDocument({ kind: 'sql', config: { sql: 'SELECT * FROM input_2' }, inputs: { input_1: orders } }));
    expect(two.diagnostics.filter((d) => d.nodeId === 'under_test').map((d) => [d.code, d.path])).toEqual([['INVALID_EXPRESSION', ['sql']]]);
    expect(two.diagnostics.find((d) => d.nodeId === 'under_test')?.message).toMatch(/"input_2" is not an input.*input_1/);
  });

  it('gets distinct names from DuckDB when the query repeats one', async () => {
    const result = await analyzePipeline(harnessDocument({ kind: 'sql', config: { sql: 'SELECT id, id, 1 AS ID FROM input_1' }, inputs: { input_1: orders } }));
    const names = result.schemas.under_test?.output?.map((c) => c.name.toLowerCase()) ?? [];
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
  });

  it('still requires input_1', () => {
    const doc = harnessDocument({ kind: 'sql', config: { sql: 'SELECT 1' }, inputs: { input_2: customers } });
    expect(compile(doc).diagnostics.map((d) => [d.code, d.nodeId, d.port])).toContainEqual(['INPUT_NOT_CONNECTED', 'under_test', 'input_1']);
  });

  it('reports DuckDB errors and refusals on the sql field', async () => {
    const cases: [string, RegExp][] = [
      ['SELECT amont FROM input_1', /amont.*did you mean "amount"/],
      ['SELECT * FRM input_1', /syntax error/i],
      [`SELECT * FROM read_csv('/etc/passwd')`, /table function/],
      ['SELECT * FROM information_schema.tables', /not an input/],
      [`SELECT getenv('HOME') FROM input_1`, /not allowed/],
      ['SELECT 1; SELECT 2', /one query/i],
      [`COPY input_1 TO 'x.csv'`, /one SELECT/],
    ];
    for (const [query, message] of cases) {
      const result = await analyzePipeline(harnessDocument({ kind: 'sql', config: { sql: query }, inputs: { input_1: orders } }));
      const errors = result.diagnostics.filter((d) => d.nodeId === 'under_test' && d.severity === 'error');
      expect(errors.map((d) => d.path), query).toEqual([['sql']]);
      expect(errors[0]?.message, query).toMatch(message);
      expect(result.plan).toBeNull();
    }
  });

  it('plans the checked query with the inputs bound to their names, and nothing before it is checked', async () => {
    const doc = harnessDocument({ kind: 'sql', config: { sql: 'SELECT * FROM input_1 -- all;\n;' }, inputs: { input_1: orders } });
    expect(compile(doc).plan).toBeNull();
    expect(compile(doc).questions.map((q) => [q.kind, q.key, q.relations])).toEqual([['query', 'sql', { input_1: orders.columns }]]);
    const result = await analyzePipeline(doc);
    const op = result.plan?.stages.find((s) => s.id === 'under_test')?.ops[0];
    const { sql: rendered } = renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
    expect(rendered).toMatchInlineSnapshot(`
      "SELECT * FROM (WITH "input_1" AS (SELECT * FROM "s0_output") SELECT * FROM (
      SELECT * FROM input_1 -- all;

      ) AS "sql") AS "sql_query""
    `);
  });
});

describe('sql rows', () => {
  it('join two inputs like PostgreSQL does', async () => {
    const sluice = await runNode({ kind: 'sql', config: { sql: joinSql }, inputs: { input_1: orders, input_2: customers } });
    expect(sluice.columns).toEqual(['name', 'orders', 'total']);
    const oracle = await postgresRows(
      { orders, customers },
      `SELECT c.name, count(*) AS orders, sum(o.amount) AS total FROM orders o JOIN customers c USING (customer_id) GROUP BY c.name`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('runs CTEs and window functions over one input, also when it is empty', async () => {
    const query = 'WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY id DESC) AS rn FROM input_1) SELECT id, customer_id FROM ranked WHERE rn = 1 ORDER BY id';
    const sluice = await runNode({ kind: 'sql', config: { sql: query }, inputs: { input_1: orders } });
    expect(normalizeRows(sluice.rows)).toEqual([
      { id: 2, customer_id: 10 },
      { id: 3, customer_id: 20 },
      { id: 4, customer_id: 30 },
    ]);
    const empty = await runNode({ kind: 'sql', config: { sql: query }, inputs: { input_1: { ...orders, rows: [] } } });
    expect(empty.rows).toEqual([]);
    expect(empty.columns).toEqual(['id', 'customer_id']);
  });
});

it('is declared with a query and an optional second input', () => {
  expect(sql.expressions?.({ sql: 'SELECT 1' })).toEqual([{ key: 'sql', kind: 'query', sql: 'SELECT 1', port: 'input_1', ports: ['input_1', 'input_2'], path: ['sql'] }]);
  expect(sql.ports.inputs.map((p) => [p.name, p.optional ?? false])).toEqual([
    ['input_1', false],
    ['input_2', true],
  ]);
});
