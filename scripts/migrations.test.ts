import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// Fails when prisma/schema.prisma changed without `npm run db:migration:new`.
it('prisma/schema.prisma is covered by the migrations', () => {
  const root = path.resolve(import.meta.dirname, '..');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/new-migration.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(result.stderr + result.stdout).toContain('matches the newest migration');
  expect(result.status).toBe(0);
});
