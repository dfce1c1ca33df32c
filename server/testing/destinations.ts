// Real destination databases for connector tests: the machine's PostgreSQL and
// MariaDB, a uniquely named schema / table prefix per test file, and a
// resolver that hands the settings to loads as a stored connection would.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ConnectionResolver, ConnectionSettings } from '../connectors/connection';
import type { LoadIdentity, LoadResult } from '../connectors/load';
import { loadPostgres } from '../connectors/postgres/load';
import { openDuckSession } from '../engine/duckdb';
import { AppError } from '../errors';
import type { Column } from '../pipeline/types';
import { selectAll, table } from '../sql/ast';
import type { DatabaseLoadTarget } from '../sql/ops';

const pgUrl = new URL(process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');

export const testPostgres: Extract<ConnectionSettings, { type: 'postgres' }> = {
  type: 'postgres',
  host: pgUrl.hostname,
  port: Number(pgUrl.port || 5432),
  database: 'test',
  user: decodeURIComponent(pgUrl.username || 'postgres'),
  password: decodeURIComponent(pgUrl.password),
  ssl: 'disable',
};

export const testMysql: Extract<ConnectionSettings, { type: 'mysql' }> = { type: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: '', ssl: 'disable' };

export const testConnections: ConnectionResolver = (connectionId, nodeId) => {
  if (connectionId === 'test-postgres') return Promise.resolve(testPostgres);
  if (connectionId === 'test-mysql') return Promise.resolve(testMysql);
  // Nothing listens on port 1.
  if (connectionId === 'test-unreachable') return Promise.resolve({ ...testPostgres, port: 1 });
  return Promise.reject(new AppError('NOT_FOUND', `Connection "${connectionId}" does not exist`, { nodeId }));
};

/** A client on the test database; dates and timestamps come back as text so nothing shifts with the local time zone. */
export async function openTestPostgres(): Promise<pg.Client> {
  const client = new pg.Client({
    host: testPostgres.host,
    port: testPostgres.port,
    database: 'test',
    user: testPostgres.user,
    password: testPostgres.password,
    types: {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment
      getTypeParser: ((oid: number) => ([1082, 1114, 1184, 20].includes(oid) ? (v: string) => v : pg.types.getTypeParser(oid))) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'");
  return client;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function target(overrides: Partial<DatabaseLoadTarget> & Pick<DatabaseLoadTarget, 'schema' | 'table'>): DatabaseLoadTarget {
  return { connectionId: 'test-postgres', mode: 'append', keys: [], partitionColumns: [], compareColumns: [], newColumns: 'add', postLoadSql: '', ...overrides };
}

/**
 * Creates the batch in a locked-down DuckDB session with `batchSql` (DuckDB
 * SQL, e.g. over range()), then loads it exactly as the engine would.
 */
export async function loadBatch(batchSql: string, columns: Column[], loadTarget: DatabaseLoadTarget, identity: LoadIdentity, nodeId = 'sink'): Promise<LoadResult> {
  const tempDir = await mkdtemp(path.join(tmpdir(), 'sluice-load-'));
  const session = await openDuckSession(path.join(tempDir, 'duck'), { threads: 1, memoryLimitMb: 512 });
  try {
    await session.connection.run(`CREATE TABLE batch AS ${batchSql}`);
    return await loadPostgres(session.connection, { op: 'loadPostgres', query: selectAll(table('batch')), columns, target: loadTarget }, { sql: 'SELECT * FROM "batch"', params: [] }, {
      nodeId,
      tempDir: path.join(tempDir, 'duck'),
      connections: testConnections,
      identity,
    });
  } finally {
    session.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}
