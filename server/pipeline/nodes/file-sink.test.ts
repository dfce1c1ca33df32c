import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { fileSink, FileSinkConfig } from './file-sink';

function issues(config: unknown) {
  const result = FileSinkConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('file-sink config', () => {
  it('defaults the format to csv', () => {
    expect(FileSinkConfig.parse({ path: 'out/result.csv' })).toEqual({ format: 'csv', path: 'out/result.csv' });
  });

  it('accepts parquet with a .parquet name, in any case', () => {
    expect(issues({ format: 'parquet', path: 'out/Result.PARQUET' })).toEqual([]);
  });

  it('accepts its own initial config', () => {
    expect(issues(fileSink.initialConfig)).toEqual([]);
  });

  it('rejects a file name that does not match the format', () => {
    expect(issues({ format: 'parquet', path: 'out/result.csv' })).toEqual([{ path: ['path'], message: "A PARQUET file's name should end in .parquet" }]);
    expect(issues({ path: 'out/result.parquet' })).toEqual([{ path: ['path'], message: "A CSV file's name should end in .csv" }]);
  });

  it.each([
    ['a missing path', { format: 'csv' }, /expected string/],
    ['an absolute path', { path: '/tmp/x.csv' }, /relative to the workspace/],
    ['a Windows path', { path: 'D:\\x.csv' }, /relative to the workspace/],
    ['a path escaping the workspace', { path: 'out/../../x.csv' }, /must not contain "\.\."/],
    ['a backslash .. segment', { path: 'out\\..\\x.csv' }, /must not contain "\.\."/],
    ['a path that is too long', { path: `${'a'.repeat(510)}.csv` }, /longer than 512/],
  ])('rejects %s at path', (_what, config, message) => {
    const found = issues(config);
    expect(found[0]?.path).toEqual(['path']);
    expect(found[0]?.message).toMatch(message);
  });

  it('rejects an unknown format at format', () => {
    expect(issues({ format: 'xlsx', path: 'out/x.xlsx' }).map((i) => i.path)).toEqual([['format']]);
  });
});

describe('file-sink propagate', () => {
  it('has no outputs', () => {
    const result = fileSink.propagate({ config: FileSinkConfig.parse({ path: 'o.csv' }), inputs: { input: [{ name: 'a', type: 'string' }] } });
    expect(result).toEqual({ outputs: {}, lineage: {} });
  });
});

describe('file-sink plan', () => {
  it('writes everything from its input to the file, in the chosen format', () => {
    const ops = fileSink.plan({
      nodeId: 'sink',
      config: FileSinkConfig.parse({ format: 'parquet', path: 'out/r.parquet' }),
      inputs: { input: table('s2_output') },
      inputColumns: { input: [{ name: 'a', type: 'string' }] },
      outputTable: () => {
        throw new Error('a sink has no output tables');
      },
    });
    expect(ops).toMatchInlineSnapshot(`
      [
        {
          "file": {
            "workspacePath": "out/r.parquet",
          },
          "format": "parquet",
          "op": "writeFile",
          "query": {
            "from": {
              "name": "s2_output",
              "t": "table",
            },
            "items": "*",
            "t": "select",
          },
        },
      ]
    `);
    const [op] = ops;
    if (op?.op !== 'writeFile') throw new Error('expected a writeFile op');
    expect(renderSelect(op.query, { resolveFile: () => '' }).sql).toBe('SELECT * FROM "s2_output"');
  });

  it('refuses to plan without an input relation', () => {
    expect(() => fileSink.plan({ nodeId: 'sink', config: { format: 'csv', path: 'o.csv' }, inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});
