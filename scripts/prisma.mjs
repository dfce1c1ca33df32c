#!/usr/bin/env node
// Runs the Prisma CLI offline. The CLI downloads native engines at start-up
// unless told where they are; Sluice never uses them (the client runs with
// engineType "client" and migrations are diffed by the WASM schema engine), so
// any existing file satisfies the check. See docs/decisions/002-offline-prisma-migrations.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SKIP_POSTINSTALL_GENERATE: '1',
  CHECKPOINT_DISABLE: '1',
  // Read by schema.prisma's datasource but never used for a connection.
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused/unused',
};
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { env, stdio: 'inherit' });
process.exit(result.status ?? 1);
