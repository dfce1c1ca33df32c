import { describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseKinds } from '../testing/db';
import { readMigrations } from './migrate';

describe.each(testDatabaseKinds)('migrations on %s', (kind) => {
  it('apply from empty, are recorded with Prisma checksums, and re-run as a no-op', async () => {
    const db = await openTestDatabase(kind);
    try {
      const migrations = await readMigrations();
      expect(migrations.length).toBeGreaterThan(0);
      // openTestDatabase already migrated once.
      expect(await db.migrate()).toEqual({ applied: [] });
      const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
        'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
      );
      expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
      // The schema is usable through the generated client.
      const ws = await db.prisma.workspace.create({ data: { name: 'w' } });
      expect(await db.prisma.workspace.count({ where: { id: ws.id } })).toBe(1);
    } finally {
      await db.drop();
    }
  });

  it('refuses a database whose applied migration was edited afterwards', async () => {
    const db = await openTestDatabase(kind);
    try {
      await db.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET checksum = 'tampered'`);
      await expect(db.migrate()).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await db.drop();
    }
  });
});
