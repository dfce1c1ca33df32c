import { describe, expect, it } from 'vitest';
import { analyzePipeline } from '../../engine/analyze';
import { harnessDocument, normalizeRows, runNode } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { renderSelect, type Select } from '../../sql/ast';
import { DeriveColumnsConfig, deriveColumns } from './derive-columns';

const orders = {
  columns: [
    { name: 'id', type: 'integer' as const },
    { name: 'email', type: 'string' as const },
    { name: 'amount', type: 'float' as const },
  ],
  rows: [
    { id: 1, email: '  Ada@Example.COM ', amount: 10 },
    { id: 2, email: 'bob@example.com', amount: null },
    { id: 3, email: null, amount: 2.5 },
    { id: 4, email: 'zoë@exämple.org', amount: -1 },
  ],
};

const config = (columns: { name: string; expression: string }[]) => ({ columns });

describe('derive-columns config', () => {
  it('needs a name and an expression per column', () => {
    const r = DeriveColumnsConfig.safeParse({ columns: [{ name: ' ', expression: '' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([
      ['columns', 0, 'name'],
      ['columns', 0, 'expression'],
    ]);
    expect(DeriveColumnsConfig.safeParse({ columns: [] }).error?.issues[0]?.message).toBe('Add at least one column');
  });
});

describe('derive-columns through the analyzer', () => {
  it('types each expression with DuckDB and records lineage from the columns it reads', async () => {
    const doc = harnessDocument({ kind: 'derive-columns', config: config([{ name: 'gross', expression: 'amount * 1.2' }, { name: 'email', expression: 'lower(trim(email))' }, { name: 'big', expression: 'amount > 5' }]), inputs: { input: orders } });
    const result = await analyzePipeline(doc);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.schemas.under_test?.output).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'email', type: 'string' },
      { name: 'amount', type: 'float' },
      { name: 'gross', type: 'float' },
      { name: 'big', type: 'boolean' },
    ]);
    expect(result.lineage.under_test?.output).toMatchObject({
      id: { how: 'copied', from: [{ port: 'input', column: 'id' }] },
      gross: { how: 'derived', from: [{ port: 'input', column: 'amount' }] },
      email: { how: 'derived', from: [{ port: 'input', column: 'email' }] },
    });
  });

  it('reports unknown columns, syntax errors and forbidden constructs on the expression field', async () => {
    const doc = harnessDocument({
      kind: 'derive-columns',
      config: config([
        { name: 'a', expression: 'amont * 2' },
        { name: 'b', expression: 'amount +* 2' },
        { name: 'c', expression: "(SELECT 1)" },
        { name: 'd', expression: "read_csv('/etc/passwd')" },
      ]),
      inputs: { input: orders },
    });
    const result = await analyzePipeline(doc);
    const errors = result.diagnostics.filter((d) => d.nodeId === 'under_test');
    expect(errors.map((d) => [d.code, d.path])).toEqual([
      ['INVALID_EXPRESSION', ['columns', 0, 'expression']],
      ['INVALID_EXPRESSION', ['columns', 1, 'expression']],
      ['INVALID_EXPRESSION', ['columns', 2, 'expression']],
      ['INVALID_EXPRESSION', ['columns', 3, 'expression']],
    ]);
    expect(errors[0]?.message).toMatch(/amont/);
    expect(errors[0]?.message).toMatch(/amount/);
    expect(result.plan).toBeNull();
  });

  it('plans the checked expressions, and nothing at all before they are checked', async () => {
    const doc = harnessDocument({ kind: 'derive-columns', config: config([{ name: 'gross', expression: 'amount * 1.2 -- vat' }]), inputs: { input: orders } });
    const { compile } = await import('../../compiler/compile');
    const unchecked = compile(doc);
    expect(unchecked.plan).toBeNull();
    expect(unchecked.questions.map((q) => [q.nodeId, q.key, q.sql])).toEqual([['under_test', 'columns.0.expression', 'amount * 1.2 -- vat']]);

    const result = await analyzePipeline(doc);
    const stage = result.plan?.stages.find((s) => s.id === 'under_test');
    const op = stage?.ops[0];
    expect(op?.op).toBe('materialize');
    const { sql } = renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
    expect(sql).toMatchInlineSnapshot(`
      "SELECT "id", "email", "amount", (
      amount * 1.2 -- vat
      ) AS "gross" FROM "s0_output""
    `);
  });
});

describe('derive-columns rows', () => {
  it('match the same expressions evaluated by PostgreSQL', async () => {
    const columns = [
      { name: 'email', expression: 'lower(trim(email))' },
      { name: 'gross', expression: 'round(amount * 1.2, 2)' },
      { name: 'label', expression: "CASE WHEN amount IS NULL THEN 'none' WHEN amount < 0 THEN 'refund' ELSE 'sale' END" },
    ];
    const sluice = await runNode({ kind: 'derive-columns', config: config(columns), inputs: { input: orders } });
    expect(sluice.columns).toEqual(['id', 'email', 'amount', 'gross', 'label']);
    const oracle = await postgresRows(
      { orders },
      `SELECT id, lower(trim(email)) AS email, amount, round((amount * 1.2)::numeric, 2)::float8 AS gross,
              CASE WHEN amount IS NULL THEN 'none' WHEN amount < 0 THEN 'refund' ELSE 'sale' END AS label
       FROM orders`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'derive-columns', config: config([{ name: 'x', expression: 'id + 1' }]), inputs: { input: { ...orders, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(['id', 'email', 'amount', 'x']);
  });
});

it('is declared with an expression field per item', () => {
  expect(deriveColumns.expressions?.({ columns: [{ name: 'a', expression: '1' }] })).toEqual([{ key: 'columns.0.expression', sql: '1', port: 'input', path: ['columns', 0, 'expression'] }]);
});
