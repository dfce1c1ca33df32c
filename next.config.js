import { realpathSync } from 'node:fs';
import path from 'node:path';

// A git worktree may share another checkout's node_modules through a symlink;
// Turbopack resolves only inside its root, so the root must contain both.
function turbopackRoot() {
  const project = process.cwd();
  const modules = path.dirname(realpathSync(path.join(project, 'node_modules')));
  let root = project;
  while (path.relative(root, modules).startsWith('..')) root = path.dirname(root);
  return root;
}

// Packages with native code, WASM or process-level state are loaded by Node at
// run time instead of being bundled, so the custom server (server/main.ts) and
// the route handlers share one copy of each.
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: [
    '@duckdb/node-api',
    '@duckdb/node-bindings',
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/adapter-pg',
    'pg',
    'bullmq',
    'ioredis',
  ],
  turbopack: { root: turbopackRoot() },
  typedRoutes: false,
  poweredByHeader: false,
};

export default nextConfig;
