import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectParquet } from '../../connectors/files/inspect';
import { quoteString, renderSelect } from '../../sql/ast';
import { runSource } from '../../testing/source-harness';
import { parquetSource, ParquetSourceConfig } from './parquet-source';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'paid_at', type: 'timestamp' },
] as const;

/** Writes a Parquet file with DuckDB (the file's own writer, not the source under test). */
async function writeParquet(file: string, select: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`COPY (${select}) TO ${quoteString(file)} (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const sample = `SELECT * FROM (VALUES
  (1::INTEGER, 'Zoë 🚀', 10.5::DECIMAL(10,2), TIMESTAMP '2024-02-29 13:45:00', [1, 2], {'k': 'v'}),
  (2, NULL, NULL, NULL, NULL, NULL),
  (3, 'naïve', 0.25, TIMESTAMP '1999-12-31 23:59:59', [], {'k': NULL})
) AS t(id, name, amount, paid_at, list, struct)`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-parquet-'));
  await writeParquet(path.join(dir, 'orders.parquet'), sample);
  await writeParquet(path.join(dir, 'empty.parquet'), `${sample} LIMIT 0`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prepareFrom = (name: string) => async (root: string) => {
  await mkdir(path.join(root, 'in'), { recursive: true });
  await copyFile(path.join(dir, name), path.join(root, 'in', 'orders.parquet'));
};

describe('parquet-source config', () => {
  it('accepts a path and columns, and starts incomplete', () => {
    expect(ParquetSourceConfig.parse({ path: 'in/o.parquet', columns })).toEqual({ path: 'in/o.parquet', columns });
    const initial = ParquetSourceConfig.safeParse(parquetSource.initialConfig);
    expect(initial.success ? [] : initial.error.issues.map((i) => i.path)).toEqual([['path'], ['columns']]);
  });

  it('rejects duplicate columns and escaping paths', () => {
    const bad = ParquetSourceConfig.safeParse({ path: 'a/../../b.parquet', columns: [...columns, { name: 'ID', type: 'integer' }] });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path)).toEqual([['path'], ['columns', 4, 'name']]);
  });
});

describe('parquet-source propagate and plan', () => {
  it('outputs the declared columns, each read', () => {
    const result = parquetSource.propagate({ config: ParquetSourceConfig.parse({ path: 'o.parquet', columns }), inputs: {} });
    expect(result.outputs.output).toEqual(columns);
    expect(Object.values(result.lineage.output ?? {})).toEqual(columns.map(() => ({ from: [], how: 'read' })));
  });

  it('casts each declared column from read_parquet', () => {
    const [op] = parquetSource.plan({ nodeId: 'p', config: ParquetSourceConfig.parse({ path: 'in/o.parquet', columns }), inputs: {}, inputColumns: {}, outputTable: (p) => `s0_${p}` });
    if (op?.op !== 'materialize') throw new Error('expected materialize');
    expect(renderSelect(op.query, { resolveFile: (f) => `/ws/${f.workspacePath}` }).sql).toMatchInlineSnapshot(
      `"SELECT CAST("id" AS BIGINT) AS "id", CAST("name" AS VARCHAR) AS "name", CAST("amount" AS DOUBLE) AS "amount", CAST("paid_at" AS TIMESTAMP) AS "paid_at" FROM read_parquet('/ws/in/o.parquet')"`,
    );
  });
});

describe('parquet-source schema from the footer', () => {
  it('reads column names and types, nested ones as string', async () => {
    expect((await inspectParquet(path.join(dir, 'orders.parquet'), path.join(dir, 'tmp'))).columns).toEqual([
      ...columns,
      { name: 'list', type: 'string' },
      { name: 'struct', type: 'string' },
    ]);
  });

  it('refuses a file that is not Parquet', async () => {
    await writeFile(path.join(dir, 'fake.parquet'), 'id,name\n1,a\n');
    await expect(inspectParquet(path.join(dir, 'fake.parquet'), path.join(dir, 'tmp'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/^Could not read the file as Parquet/) as unknown });
  });
});

describe('parquet-source on DuckDB', () => {
  it('reads the declared columns typed, with NULLs and unicode intact, leaving undeclared ones out', async () => {
    const { rows, types } = await runSource({ kind: 'parquet-source', config: { path: 'in/orders.parquet', columns }, prepare: prepareFrom('orders.parquet') });
    expect(types).toEqual(['BIGINT', 'VARCHAR', 'DOUBLE', 'TIMESTAMP']);
    expect(rows).toEqual([
      { id: '1', name: 'Zoë 🚀', amount: 10.5, paid_at: '2024-02-29 13:45:00' },
      { id: '2', name: null, amount: null, paid_at: null },
      { id: '3', name: 'naïve', amount: 0.25, paid_at: '1999-12-31 23:59:59' },
    ]);
  });

  it('casts to a declared type other than the stored one', async () => {
    const { rows } = await runSource({ kind: 'parquet-source', config: { path: 'in/orders.parquet', columns: [{ name: 'id', type: 'string' }] }, prepare: prepareFrom('orders.parquet') });
    expect(rows).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
  });

  it('reads a file without rows as no rows', async () => {
    const { rows, columns: names } = await runSource({ kind: 'parquet-source', config: { path: 'in/orders.parquet', columns }, prepare: prepareFrom('empty.parquet') });
    expect(rows).toEqual([]);
    expect(names).toEqual(['id', 'name', 'amount', 'paid_at']);
  });

  it('fails a column the file lacks, naming it and the file', async () => {
    await expect(
      runSource({ kind: 'parquet-source', config: { path: 'in/orders.parquet', columns: [{ name: 'customer', type: 'string' }] }, prepare: prepareFrom('orders.parquet') }),
    ).rejects.toMatchObject({ code: 'FILE_MALFORMED', message: 'Column "customer" is not in "in/orders.parquet"; read the file\'s columns again' });
  });

  it('fails a file that is not Parquet, naming the file', async () => {
    await expect(runSource({ kind: 'parquet-source', config: { path: 'bad.parquet', columns }, files: { 'bad.parquet': 'not parquet at all' } })).rejects.toMatchObject({
      code: 'FILE_MALFORMED',
      message: expect.stringMatching(/^"bad\.parquet" could not be read as Parquet: /) as unknown,
      details: { nodeId: 'source' },
    });
  });

  it('fails a value that does not convert to its declared type', async () => {
    await expect(
      runSource({ kind: 'parquet-source', config: { path: 'in/orders.parquet', columns: [{ name: 'name', type: 'integer' }] }, prepare: prepareFrom('orders.parquet') }),
    ).rejects.toMatchObject({ code: 'FILE_MALFORMED', message: expect.stringMatching(/^A value in "in\/orders\.parquet" does not fit its declared column type: .*Zoë/) as unknown });
  });
});
