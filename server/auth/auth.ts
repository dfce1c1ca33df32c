// Email + password accounts through Better Auth (scrypt password hashes, HTTP-only
// session cookies). Every new user gets a workspace of their own.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { nextCookies } from 'better-auth/next-js';
import { prisma as processPrisma, type Prisma } from '../db/database';
import { env } from '../env';

export interface AuthOptions {
  secret: string;
  baseURL: string;
  trustedOrigins: string[];
}

export function createAuth(db: Prisma, options: AuthOptions) {
  return betterAuth({
    appName: 'Sluice',
    secret: options.secret,
    baseURL: options.baseURL,
    trustedOrigins: options.trustedOrigins,
    database: prismaAdapter(db, { provider: 'postgresql' }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 14, updateAge: 60 * 60 * 24 },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            await db.workspace.create({
              data: {
                name: `${user.name || user.email.split('@')[0] || 'My'}'s workspace`,
                memberships: { create: { userId: user.id, role: 'owner' } },
              },
            });
          },
        },
      },
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** BETTER_AUTH_SECRET, or a random one kept in the data folder (embedded single-machine mode). */
export async function authSecret(): Promise<string> {
  const { BETTER_AUTH_SECRET, dataDir } = env();
  if (BETTER_AUTH_SECRET) return BETTER_AUTH_SECRET;
  const file = path.join(dataDir, 'auth-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}

export function publicOrigins(): { baseURL: string; trustedOrigins: string[] } {
  const { SLUICE_PUBLIC_URL, PORT } = env();
  const baseURL = SLUICE_PUBLIC_URL ?? `http://localhost:${PORT}`;
  return { baseURL, trustedOrigins: [baseURL, `http://localhost:${PORT}`, `http://127.0.0.1:${PORT}`] };
}

const GLOBAL_KEY = Symbol.for('sluice.auth');
type GlobalWithAuth = typeof globalThis & { [GLOBAL_KEY]?: Promise<Auth> };

/** This process's auth instance, built on its database. */
export function auth(): Promise<Auth> {
  const g = globalThis as GlobalWithAuth;
  g[GLOBAL_KEY] ??= Promise.all([processPrisma(), authSecret()]).then(([db, secret]) => createAuth(db, { secret, ...publicOrigins() }));
  return g[GLOBAL_KEY];
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export async function sessionUserFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const session = await (await auth()).api.getSession({ headers });
  return session ? { id: session.user.id, email: session.user.email, name: session.user.name } : null;
}
