#!/usr/bin/env node
// npm run db:migration:new -- <name>
// Diffs prisma/migrations/schema.snapshot.prisma (the schema as of the newest
// migration) against prisma/schema.prisma and writes the SQL as a new migration
// folder, then moves the snapshot forward. With --check it only reports whether
// schema.prisma has changes that no migration covers (exit 1), for CI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = path.join(root, 'prisma/schema.prisma');
const snapshot = path.join(root, 'prisma/migrations/schema.snapshot.prisma');
const args = process.argv.slice(2);
const check = args.includes('--check');
const name = args.find((a) => !a.startsWith('--'));

if (!check && (!name || !/^[a-z0-9_]+$/.test(name))) {
  console.error('Usage: npm run db:migration:new -- <name>   (lowercase letters, digits and _ only)');
  process.exit(2);
}

const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
const diff = spawnSync(
  process.execPath,
  [path.join(root, 'scripts/prisma.mjs'), 'migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script', '--exit-code'],
  { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
// --exit-code: 0 = no difference, 2 = difference, anything else = failure.
if (diff.status === 0) {
  console.log('prisma/schema.prisma matches the newest migration; nothing to do.');
  process.exit(0);
}
if (diff.status !== 2) {
  console.error('prisma migrate diff failed.');
  process.exit(1);
}
if (check) {
  console.error('prisma/schema.prisma has changes that no migration covers. Run: npm run db:migration:new -- <name>\n');
  console.error(diff.stdout);
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), diff.stdout.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, ''));
copyFileSync(schema, snapshot);
console.log(`Wrote ${path.relative(root, dir)}/migration.sql`);
