// The process's metadata database handle. Entry points open it (./open.ts) and
// install it here; Next.js route handlers, which are bundled apart from the
// custom server, find it on globalThis, so PGlite is never opened twice and the
// bundles never load the Prisma runtime or the migration files themselves.
import path from 'node:path';
import { env } from '../env';
import type { PrismaClient } from './generated';
import type { MigrateResult } from './migrate';

export type Prisma = PrismaClient;
export type { Prisma as PrismaNamespace } from './generated';

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<MigrateResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

export function databaseTargetFromEnv(): DatabaseTarget {
  const { DATABASE_URL, dataDir } = env();
  return DATABASE_URL ? { kind: 'postgres', url: DATABASE_URL } : { kind: 'pglite', dir: path.join(dataDir, 'pglite') };
}

const GLOBAL_KEY = Symbol.for('sluice.database');
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Database };

export function database(): Promise<Database> {
  const db = (globalThis as GlobalWithDb)[GLOBAL_KEY];
  if (!db) return Promise.reject(new Error('No database is open in this process; start Sluice with `npm start` (server/main.ts opens it).'));
  return Promise.resolve(db);
}

/** Installs the open database as this process's. */
export function setProcessDatabase(db: Database): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = db;
}

export async function prisma(): Promise<PrismaClient> {
  return (await database()).prisma;
}
