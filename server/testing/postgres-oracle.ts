// An independent oracle for transform tests: the same operation written by hand
// in PostgreSQL over the same rows. Shares no code with the compiler.
import pg from 'pg';
import type { Column, ColumnType } from '../pipeline/types';
import { postgresAdminUrl } from './db';
import type { Row, TestInput } from './node-harness';

const pgTypeOf: Record<ColumnType, string> = {
  string: 'text',
  integer: 'bigint',
  float: 'double precision',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

// Return dates, timestamps and numerics as text, so nothing is reinterpreted in JS time zones.
const { builtins } = pg.types;
const textTypes: number[] = [builtins.DATE, builtins.TIMESTAMP, builtins.TIMESTAMPTZ, builtins.NUMERIC, builtins.INT8];
const asText = (value: string): string => value;
const types: pg.CustomTypesConfig = {
  // pg's built-in parser registry is loosely typed; only the oid switch matters here.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment
  getTypeParser: ((oid: number) => (textTypes.includes(oid) ? asText : pg.types.getTypeParser(oid))) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Creates each input as a TEMP table named after its key, runs the `setup`
 * statements (helper functions in pg_temp, say), then `sql`, and returns the
 * rows. Everything happens in one rolled-back transaction.
 */
export async function postgresRows(tables: Record<string, TestInput>, sql: string, params: unknown[] = [], setup: string[] = []): Promise<Row[]> {
  const url = new URL(postgresAdminUrl);
  url.pathname = '/test';
  const client = new pg.Client({ connectionString: url.toString(), types });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SET LOCAL TIME ZONE 'UTC'");
    for (const [name, input] of Object.entries(tables)) {
      await client.query(`CREATE TEMP TABLE ${ident(name)} (${input.columns.map((c: Column) => `${ident(c.name)} ${pgTypeOf[c.type]}`).join(', ')}) ON COMMIT DROP`);
      for (const row of input.rows) {
        const values = input.columns.map((c) => row[c.name] ?? null);
        await client.query(`INSERT INTO ${ident(name)} VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
    }
    for (const statement of setup) await client.query(statement);
    const result = await client.query<Row>(sql, params);
    return result.rows;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
