// Prisma CLI configuration. Sluice uses the CLI for `generate` and for diffing
// schema files into migration SQL (npm run db:migration:new); neither touches a
// database. `engine: "js"` selects the WASM schema engine so nothing native is
// downloaded; it insists on an adapter, so it gets an in-memory PGlite.
// Migrations are applied by server/db/migrate.ts on PGlite and PostgreSQL alike.
// See docs/decisions/002-offline-prisma-migrations.md.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    return new PrismaPGlite(new PGlite('memory://'));
  },
});
