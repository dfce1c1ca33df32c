import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { unpivot, UnpivotConfig } from './unpivot';

const scores: TestInput = {
  columns: [
    { name: 'student', type: 'string' },
    { name: 'math', type: 'integer' },
    { name: 'art', type: 'integer' },
    { name: 'grade', type: 'float' },
    { name: 'note', type: 'string' },
  ],
  rows: [
    { student: 'Ana', math: 90, art: 70, grade: 1.5, note: 'gut' },
    { student: 'Ana', math: 90, art: 70, grade: 1.5, note: 'gut' },
    { student: 'Jörg', math: null, art: 55, grade: null, note: 'ß' },
    { student: '李', math: 100, art: null, grade: 2, note: null },
    { student: null, math: null, art: null, grade: 3.25, note: '😀' },
  ],
};
const columns = scores.columns;
const parse = (config: Record<string, unknown>) => UnpivotConfig.parse(config);
const propagate = (config: Record<string, unknown>) => unpivot.propagate({ config: parse(config), inputs: { input: columns } });

function rendered(config: Record<string, unknown>) {
  const [op, ...rest] = unpivot.plan({ nodeId: 'u', config: parse(config), inputs: { input: table('s0_output') }, inputColumns: { input: columns }, outputTable: (port) => `s1_${port}` });
  expect(rest).toEqual([]);
  return renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
}

describe('unpivot config', () => {
  it('fills defaults and needs columns', () => {
    expect(parse({ columns: ['math'] })).toEqual({ columns: ['math'], nameColumn: 'name', valueColumn: 'value', castTo: '', keepNulls: false });
    expect(UnpivotConfig.safeParse({ columns: [] }).error?.issues[0]?.message).toBe('Choose the columns to turn into rows');
    expect(UnpivotConfig.safeParse({ columns: ['a'], nameColumn: '  ' }).error?.issues[0]?.message).toBe('Name the column');
    expect(UnpivotConfig.safeParse({ columns: ['a'], castTo: 'json' }).success).toBe(false);
  });
});

describe('unpivot propagate', () => {
  it('keeps the other columns, then a text name column and a value column of the shared type', () => {
    const result = propagate({ columns: ['math', 'art'], nameColumn: 'subject', valueColumn: 'score' });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual([
      { name: 'student', type: 'string' },
      { name: 'grade', type: 'float' },
      { name: 'note', type: 'string' },
      { name: 'subject', type: 'string' },
      { name: 'score', type: 'integer' },
    ]);
    const from = [
      { port: 'input', column: 'math' },
      { port: 'input', column: 'art' },
    ];
    expect(result.lineage.output).toEqual({
      student: { from: [{ port: 'input', column: 'student' }], how: 'copied' },
      grade: { from: [{ port: 'input', column: 'grade' }], how: 'copied' },
      note: { from: [{ port: 'input', column: 'note' }], how: 'copied' },
      subject: { from, how: 'derived' },
      score: { from, how: 'derived' },
    });
  });

  it('reports columns of different types as a type mismatch, and accepts them with a common type', () => {
    const mixed = propagate({ columns: ['math', 'grade', 'note'] });
    expect(mixed.issues).toEqual([
      {
        code: 'TYPE_MISMATCH',
        path: ['castTo'],
        message: 'The columns turned into rows must share a type, but "math" is integer, "grade" is float, "note" is string; choose a common type to cast them to (text always works)',
      },
    ]);
    const cast = propagate({ columns: ['math', 'grade', 'note'], castTo: 'string' });
    expect(cast.issues).toEqual([]);
    expect(cast.outputs.output?.at(-1)).toEqual({ name: 'value', type: 'string' });
  });

  it('reports unknown and repeated columns and output names that clash', () => {
    const result = propagate({ columns: ['mth', 'art', 'art'], nameColumn: 'Student', valueColumn: 'STUDENT' });
    expect(result.issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['UNKNOWN_COLUMN', 'columns.0', 'Column "mth" does not exist in the input; did you mean "math"? (available: student, math, art, grade, note)'],
      ['INVALID_CONFIG', 'columns.2', 'Column "art" is chosen twice'],
      ['DUPLICATE_OUTPUT_COLUMN', 'nameColumn', 'The output name "Student" is already used by the input column "student" (names are case-insensitive); enter another name'],
      ['DUPLICATE_OUTPUT_COLUMN', 'valueColumn', 'The output name "STUDENT" is already used by the name column (names are case-insensitive); enter another name'],
    ]);
  });
});

describe('unpivot plan', () => {
  it('zips two unnests, binding the column names, and drops NULL values in an outer query', () => {
    expect(rendered({ columns: ['math', 'grade'], castTo: 'float' })).toMatchInlineSnapshot(`
      {
        "params": [
          "math",
          "grade",
        ],
        "sql": "SELECT * FROM (SELECT "student", "art", "note", unnest([$1, $2]) AS "name", unnest([CAST("math" AS DOUBLE), "grade"]) AS "value" FROM "s0_output") AS "unpivoted" WHERE ("value" IS NOT NULL)",
      }
    `);
  });

  it('keeps NULL values without the outer query', () => {
    expect(rendered({ columns: ['art'], keepNulls: true }).sql).toBe('SELECT "student", "math", "grade", "note", unnest([$1]) AS "name", unnest(["art"]) AS "value" FROM "s0_output"');
  });
});

describe('unpivot on DuckDB, against PostgreSQL', () => {
  const oracle = (data: TestInput, keepNulls: boolean) =>
    postgresRows(
      { scores: data },
      `SELECT s.student, s.note, u.name, u.value FROM scores s
       CROSS JOIN LATERAL (VALUES ('math', s.math::text), ('art', s.art::text), ('grade', s.grade::text)) AS u(name, value)
       ${keepNulls ? '' : 'WHERE u.value IS NOT NULL'}`,
    );

  it.each([false, true])('casts to text and matches (keep NULLs: %s), duplicates and unicode included', async (keepNulls) => {
    const config = { columns: ['math', 'art', 'grade'], castTo: 'string', keepNulls };
    const sluice = await runNode({ kind: 'unpivot', config, inputs: { input: scores } });
    expect(sluice.columns).toEqual(['student', 'note', 'name', 'value']);
    const expected = await oracle(scores, keepNulls);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(expected, { sort: true }));
    expect(sluice.rows).toHaveLength(keepNulls ? 15 : 10);
  });

  it('keeps the shared type without a cast', async () => {
    const sluice = await runNode({ kind: 'unpivot', config: { columns: ['math', 'art'], nameColumn: 'subject', valueColumn: 'score' }, inputs: { input: scores } });
    expect(sluice.compiled.schemas.under_test?.output?.at(-1)).toEqual({ name: 'score', type: 'integer' });
    expect(normalizeRows(sluice.rows.filter((r) => r.student === '李'))).toEqual([{ student: '李', grade: 2, note: null, subject: 'math', score: 100 }]);
  });

  it('outputs nothing for an empty input', async () => {
    const sluice = await runNode({ kind: 'unpivot', config: { columns: ['math', 'art'], keepNulls: true }, inputs: { input: { ...scores, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(['student', 'grade', 'note', 'name', 'value']);
  });

  it('fails the run, naming the value, when a cast does not convert', async () => {
    await expect(runNode({ kind: 'unpivot', config: { columns: ['note', 'math'], castTo: 'integer' }, inputs: { input: scores } })).rejects.toThrow(/unpivot failed: .*gut/);
  });
});
