import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { copyOptions } from '../../sql/ops';
import { fileSink, FileSinkConfig } from './file-sink';

function issues(config: unknown) {
  const result = FileSinkConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('file-sink config', () => {
  it('defaults the format to csv', () => {
    expect(FileSinkConfig.parse({ path: 'out/result.csv' })).toEqual({ format: 'csv', path: 'out/result.csv', compression: 'none', partitionBy: [] });
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
    expect(() => fileSink.plan({ nodeId: 'sink', config: FileSinkConfig.parse({ format: 'csv', path: 'o.csv' }), inputs: {}, inputColumns: {}, outputTable: (p) => p })).toThrow(
      /without an input/,
    );
  });
});

describe('file-sink formats, compression and partitions', () => {
  it.each([
    [{ format: 'ndjson', path: 'o/r.ndjson' }],
    [{ format: 'ndjson', path: 'o/r.jsonl.gz', compression: 'gzip' }],
    [{ format: 'csv', path: 'o/r.csv.zst', compression: 'zstd' }],
    [{ format: 'parquet', path: 'o/r.parquet', compression: 'snappy' }],
    [{ format: 'parquet', path: 'o/r.parquet', compression: 'zstd' }],
    [{ format: 'parquet', path: 'o/by_month', partitionBy: ['month'] }],
    [{ format: 'csv', path: 'o/by_month', compression: 'gzip', partitionBy: ['month'] }],
  ])('accepts %j', (config) => {
    expect(issues(config)).toEqual([]);
  });

  it.each([
    ['gzip for Parquet', { format: 'parquet', path: 'r.parquet', compression: 'gzip' }, ['compression'], 'PARQUET files can be compressed with snappy or zstd, not gzip'],
    ['snappy for CSV', { format: 'csv', path: 'r.csv', compression: 'snappy' }, ['compression'], 'CSV files can be compressed with gzip or zstd, not snappy'],
    ['a compressed file named without its suffix', { format: 'csv', path: 'r.csv', compression: 'gzip' }, ['path'], "A CSV (gzip) file's name should end in .csv.gz"],
    ['NDJSON named .json', { format: 'ndjson', path: 'r.json' }, ['path'], "A NDJSON file's name should end in .ndjson or .jsonl"],
    ['partitioned NDJSON (DuckDB cannot)', { format: 'ndjson', path: 'o', partitionBy: ['a'] }, ['partitionBy'], 'Partitioned output is available for CSV and Parquet, not NDJSON'],
  ])('rejects %s', (_what, config, at, message) => {
    expect(issues(config)).toEqual([{ path: at, message }]);
  });

  it('reports partition columns the input lacks, and partitioning by every column', () => {
    const input = [{ name: 'month', type: 'string' as const }];
    const result = fileSink.propagate({ config: FileSinkConfig.parse({ format: 'parquet', path: 'o', partitionBy: ['month', 'mnth'] }), inputs: { input } });
    expect(result.issues?.map((i) => [i.code, i.path])).toEqual([
      ['UNKNOWN_COLUMN', ['partitionBy', 1]],
      ['INVALID_VALUE', ['partitionBy']],
    ]);
  });

  it('plans compression and partition columns into the write, and renders their COPY options', () => {
    const [op] = fileSink.plan({
      nodeId: 'sink',
      config: FileSinkConfig.parse({ format: 'csv', path: 'out/by', compression: 'gzip', partitionBy: ['year', 'mo"nth'] }),
      inputs: { input: table('t') },
      inputColumns: {},
      outputTable: (p) => p,
    });
    if (op?.op !== 'writeFile') throw new Error('expected writeFile');
    expect(op).toMatchObject({ format: 'csv', compression: 'gzip', partitionBy: ['year', 'mo"nth'] });
    expect(copyOptions(op)).toBe('FORMAT csv, HEADER true, COMPRESSION gzip, PARTITION_BY ("year", "mo""nth")');
    expect(copyOptions({ ...op, format: 'ndjson', compression: 'zstd', partitionBy: [] })).toBe('FORMAT json, COMPRESSION zstd');
    expect(copyOptions({ op: 'writeFile', query: op.query, file: op.file, format: 'parquet' })).toBe('FORMAT parquet');
  });
});
