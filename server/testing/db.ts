// Real databases for integration tests: an in-memory PGlite, or a fresh
// database on the machine's PostgreSQL (dropped afterwards).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createAuth } from '../auth/auth';
import type { Database, Prisma } from '../db/database';
import { openDatabase } from '../db/open';

export type TestDatabaseKind = 'pglite' | 'postgres';
export const testDatabaseKinds: TestDatabaseKind[] = ['pglite', 'postgres'];

export const postgresAdminUrl = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase extends Database {
  /** Connection URL, for PostgreSQL databases other processes should reach. */
  url?: string;
  drop(): Promise<void>;
}

export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dir: 'memory://' });
    await db.migrate();
    return { ...db, drop: () => db.close() };
  }
  const name = `sluice_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() });
  await db.migrate();
  return {
    ...db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: postgresAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Signs a user up through Better Auth, which also creates their workspace. */
export async function signUpTestUser(db: Prisma, email: string): Promise<{ id: string; email: string; name: string }> {
  const auth = createAuth(db, { secret: 'test-secret-test-secret-test-secret!', baseURL: 'http://localhost:3000', trustedOrigins: ['http://localhost:3000'] });
  const result = await auth.api.signUpEmail({ body: { email, password: 'correct horse battery', name: email.split('@')[0] ?? 'user' } });
  return { id: result.user.id, email: result.user.email, name: result.user.name };
}
