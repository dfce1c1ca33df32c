// The metadata database: PGlite in-process when DATABASE_URL is unset, else
// PostgreSQL. Both are reached through Prisma driver adapters, so one generated
// client and one migration history serve both.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { env } from '../env';
import { PrismaClient } from './generated';
import { migrate, type MigrateResult, type SqlSession } from './migrate';

export type Prisma = PrismaClient;
export { Prisma as PrismaNamespace } from './generated';

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<MigrateResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'pglite' ? openPglite(target.dir) : Promise.resolve(openPostgres(target.url));
}

async function openPglite(dir: string): Promise<Database> {
  if (!dir.startsWith('memory://')) await mkdir(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const session: SqlSession = {
    query: async (sql, params) => (await client.query<never>(sql, params)).rows,
    exec: async (script) => {
      await client.exec(script);
    },
  };
  return {
    kind: 'pglite',
    prisma,
    migrate: () => migrate(session),
    ping: async () => {
      await client.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    prisma,
    migrate: async () => {
      // Advisory locks are per session: hold one connection for the whole run.
      const conn = await pool.connect();
      try {
        return await migrate({
          query: async <Row extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await conn.query<Row>(sql, params)).rows,
          exec: async (script) => {
            await conn.query(script);
          },
        });
      } finally {
        conn.release();
      }
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export function databaseTargetFromEnv(): DatabaseTarget {
  const { DATABASE_URL, dataDir } = env();
  return DATABASE_URL ? { kind: 'postgres', url: DATABASE_URL } : { kind: 'pglite', dir: path.join(dataDir, 'pglite') };
}

// One database per process. PGlite in particular must never be opened twice on
// the same folder, and Next.js bundles route handlers separately from the custom
// server, so the handle lives on globalThis rather than in module state.
const GLOBAL_KEY = Symbol.for('sluice.database');
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Promise<Database> };

export function database(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  g[GLOBAL_KEY] ??= openDatabase(databaseTargetFromEnv());
  return g[GLOBAL_KEY];
}

/** Installs an already-open database as this process's (tests, embedded server). */
export function setProcessDatabase(db: Database): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = Promise.resolve(db);
}

export async function prisma(): Promise<PrismaClient> {
  return (await database()).prisma;
}
