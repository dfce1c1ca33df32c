// Opens the metadata database: PGlite in-process when DATABASE_URL is unset,
// else PostgreSQL. Both are reached through Prisma driver adapters, so one
// generated client and one migration history serve both. Only process entry
// points (server/main.ts, workers/main.ts, scripts, tests) open databases;
// request handlers use the handle they installed (./database.ts).
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated';
import { migrate, type SqlSession } from './migrate';

import type { Database, DatabaseTarget } from './database';

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
  // An idle connection the server drops (restart, failover, pg_terminate_backend) reports here;
  // unheard, it would crash the process. The pool replaces it on the next query.
  pool.on('error', (error) => console.warn(`[database] an idle connection was closed: ${error.message}`));
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

