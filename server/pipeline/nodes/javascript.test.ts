import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { javascript, JavaScriptConfig } from './javascript';

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'born', type: 'date' },
  ],
  rows: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: i % 5 === 0 ? null : `pérson ${i + 1}`, born: `19${String(50 + i)}-0${(i % 9) + 1}-15` })),
};

const upper = {
  code: 'function transform(rows) {\n  return rows.filter((r) => r.name !== null).map((r) => ({ id: r.id * 10, name: r.name.toUpperCase(), decade: r.born.slice(0, 3) + "0s", ignored: true }));\n}',
  columns: [
    { name: 'id', type: 'integer' as const },
    { name: 'name', type: 'string' as const },
    { name: 'decade', type: 'string' as const },
  ],
  batchRows: 7,
};

describe('javascript config', () => {
  it('needs code and declared output columns, with defaults for the limits', () => {
    expect(JavaScriptConfig.parse({ code: 'function transform(r){return r}', columns: [{ name: 'a', type: 'string' }] })).toMatchObject({ batchRows: 5000, timeoutSeconds: 30, memoryMb: 256 });
    const bad = JavaScriptConfig.safeParse({ code: ' ', columns: [] });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['code', 'Write a transform(rows) function'],
      ['columns', 'Declare the columns your function returns'],
    ]);
    expect(JavaScriptConfig.safeParse({ code: 'x', columns: [{ name: 'a', type: 'string' }, { name: 'A', type: 'integer' }] }).error?.issues[0]?.path).toEqual(['columns', 1, 'name']);
  });
});

describe('javascript propagation and plan', () => {
  const config = JavaScriptConfig.parse(upper);
  it('outputs the declared columns, derived from every input column', () => {
    const result = javascript.propagate({ config, inputs: { input: people.columns } });
    expect(result.outputs.output).toEqual(upper.columns);
    expect(result.lineage.output?.decade).toEqual({ how: 'derived', from: people.columns.map((c) => ({ port: 'input', column: c.name })) });
  });
  it('plans one sandboxed step with the limits in milliseconds', () => {
    expect(javascript.plan({ nodeId: 'js', config, inputs: { input: table('t_in') }, inputColumns: { input: people.columns }, outputTable: () => 't_out' })).toEqual([
      { op: 'javascript', input: 't_in', inputColumns: people.columns, table: 't_out', code: config.code, columns: upper.columns, batchRows: 7, timeoutMs: 30_000, memoryMb: 256 },
    ]);
  });
});

describe('javascript rows', () => {
  it('runs the function over every batch and reads the declared columns back, in order', async () => {
    const result = await runNode({ kind: 'javascript', config: upper, inputs: { input: people } });
    const expected = people.rows
      .filter((r) => r.name !== null)
      .map((r) => ({ id: Number(r.id) * 10, name: String(r.name).toUpperCase(), decade: `${String(r.born).slice(0, 3)}0s` }));
    expect(result.columns).toEqual(['id', 'name', 'decade']);
    expect(normalizeRows(result.rows)).toEqual(normalizeRows(expected));
  });

  it('gives an empty table with the declared columns for an empty input', async () => {
    const result = await runNode({ kind: 'javascript', config: upper, inputs: { input: { ...people, rows: [] } } });
    expect(result.rows).toEqual([]);
    expect(result.columns).toEqual(['id', 'name', 'decade']);
  });

  it('fails the node with the error and its line when the code throws', async () => {
    const error = await runNode({ kind: 'javascript', config: { ...upper, code: 'function transform(rows) {\n  return require("fs");\n}' }, inputs: { input: people } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'JS_RUNTIME_ERROR', details: { nodeId: 'under_test' } });
    expect((error as AppError).message).toMatch(/require.*line 2/);
  });

  it('stops a function that runs too long', async () => {
    const error = await runNode({ kind: 'javascript', config: { ...upper, code: 'function transform(rows) { for (;;) {} }', timeoutSeconds: 0.5 }, inputs: { input: people } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JS_TIMEOUT', details: { nodeId: 'under_test' } });
  });

  it('says when returned values do not fit the declared columns', async () => {
    const error = await runNode({ kind: 'javascript', config: { ...upper, code: 'function transform(rows) { return rows.map((r) => ({ id: "not a number" })) }' }, inputs: { input: people } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JS_INVALID_OUTPUT', details: { nodeId: 'under_test' } });
    expect((error as AppError).message).toContain('do not fit the declared columns');
  });
});
