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
  typedRoutes: false,
  poweredByHeader: false,
};

export default nextConfig;
