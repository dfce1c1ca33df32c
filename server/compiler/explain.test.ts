import { expect, it } from 'vitest';
import { linearPipeline } from '../testing/pipelines';
import { compile } from './compile';
import { explainPlan } from './explain';

it('explains every stage with its dependencies, SQL and bound values', () => {
  const plan = compile(linearPipeline(), { optimize: false }).plan;
  if (!plan) throw new Error('expected a plan');
  const explained = explainPlan(plan);
  expect(explained.map((s) => [s.id, s.kind, s.dependsOn, s.steps.map((x) => x.op)])).toEqual([
    ['src', 'csv-source', [], ['checkCsvHeader', 'materialize', 'failOnCsvRejects']],
    ['keep_paid', 'filter', ['src'], ['materialize']],
    ['cols', 'select-columns', ['keep_paid'], ['materialize']],
    ['out', 'file-sink', ['cols'], ['writeFile']],
  ]);
  expect(explained[1]?.steps[0]).toEqual({
    op: 'materialize',
    sql: `CREATE TABLE "s1_output" AS SELECT * FROM "s0_output" WHERE (("status" = $1) AND ("amount" >= CAST($2 AS DOUBLE)))`,
    params: ['paid', '10'],
  });
  expect(explained[3]?.steps[0]?.sql).toBe(`COPY (SELECT * FROM "s2_output") TO 'workspace:out/paid.csv' (FORMAT csv, HEADER true)`);
  expect(explained[0]?.steps[1]?.sql).toContain(`read_csv('workspace:orders.csv'`);
});

it('explains a fused chain as one statement', () => {
  const plan = compile(linearPipeline()).plan;
  if (!plan) throw new Error('expected a plan');
  const explained = explainPlan(plan);
  expect(explained.map((s) => [s.id, s.dependsOn, s.steps.map((x) => x.op)])).toEqual([
    ['src', [], ['checkCsvHeader', 'materialize', 'failOnCsvRejects']],
    ['out', ['src'], ['writeFile']],
  ]);
  expect(explained[1]?.steps[0]).toEqual({
    op: 'writeFile',
    sql: `COPY (SELECT "order_id", "customer", "amount" FROM (SELECT * FROM "s0_output" WHERE (("status" = $1) AND ("amount" >= CAST($2 AS DOUBLE)))) AS "s1_output") TO 'workspace:out/paid.csv' (FORMAT csv, HEADER true)`,
    params: ['paid', '10'],
  });
});
