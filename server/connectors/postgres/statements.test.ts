// The SQL each mode sends, as PostgreSQL receives it: identifiers quoted by
// pg's escapeIdentifier, values bound.
import { describe, expect, it } from 'vitest';
import type { Column } from '../../pipeline/types';
import type { DatabaseLoadMode } from '../../sql/ops';
import { bookkeepingDdl, copyDestination, copyFromStdin, createTable, currentIndexName, modeStatements, registerAttempt } from './statements';

const columns: Column[] = [
  { name: 'id', type: 'integer' },
  { name: 'Region "EU"', type: 'string' },
  { name: 'amount', type: 'float' },
];
const scratch = { next: 'sluice_new_ab12', previous: 'sluice_old_ab12' };
const loadTime = new Date('2024-05-01T10:00:00Z');

function sqlFor(mode: DatabaseLoadMode, extra: { keys?: string[]; partitionColumns?: string[]; compareColumns?: string[]; exists?: boolean } = {}) {
  return modeStatements({ schema: 'sales', table: 'orders', mode, columns, keys: [], partitionColumns: [], compareColumns: [], exists: true, scratch, loadTime, ...extra }).map((s) =>
    s.values ? { text: s.text, values: s.values } : s.text,
  );
}

describe('PostgreSQL load statements', () => {
  it('copy into the target (append), the new table (replace) or the staging table (merges)', () => {
    expect(copyFromStdin(copyDestination({ schema: 'sales', table: 'orders', mode: 'append', scratch }), columns)).toBe(
      'COPY "sales"."orders" ("id", "Region ""EU""", "amount") FROM STDIN WITH (FORMAT csv)',
    );
    expect(copyDestination({ schema: 'sales', table: 'orders', mode: 'replace', scratch })).toBe('"sales"."sluice_new_ab12"');
    expect(copyDestination({ schema: 'sales', table: 'orders', mode: 'scd2', scratch })).toBe('"sluice_staging"');
  });

  it('append needs nothing after the COPY; replace swaps names and drops the old table', () => {
    expect(sqlFor('append')).toEqual([]);
    expect(sqlFor('replace')).toEqual([
      'ALTER TABLE "sales"."orders" RENAME TO "sluice_old_ab12"',
      'ALTER TABLE "sales"."sluice_new_ab12" RENAME TO "orders"',
      'DROP TABLE "sales"."sluice_old_ab12"',
    ]);
    expect(sqlFor('replace', { exists: false })).toEqual(['ALTER TABLE "sales"."sluice_new_ab12" RENAME TO "orders"']);
  });

  it('upsert updates every matched key; scd1 only changed rows', () => {
    expect(sqlFor('upsert', { keys: ['id'] })).toMatchInlineSnapshot(`
      [
        "UPDATE "sales"."orders" t SET "Region ""EU""" = s."Region ""EU""", "amount" = s."amount" FROM "sluice_staging" s WHERE t."id" = s."id"",
        "INSERT INTO "sales"."orders" ("id", "Region ""EU""", "amount") SELECT s."id", s."Region ""EU""", s."amount" FROM "sluice_staging" s
      WHERE NOT EXISTS (SELECT 1 FROM "sales"."orders" t WHERE t."id" = s."id")",
      ]
    `);
    expect(sqlFor('scd1', { keys: ['id'], compareColumns: ['amount'] })[0]).toBe(
      'UPDATE "sales"."orders" t SET "Region ""EU""" = s."Region ""EU""", "amount" = s."amount" FROM "sluice_staging" s WHERE t."id" = s."id" AND (t."amount" IS DISTINCT FROM s."amount")',
    );
  });

  it('delete-insert replaces partitions, NULL-safe', () => {
    expect(sqlFor('delete-insert', { partitionColumns: ['Region "EU"'] })).toMatchInlineSnapshot(`
      [
        "CREATE TEMP TABLE "sluice_partitions" ON COMMIT DROP AS SELECT DISTINCT "Region ""EU""" FROM "sluice_staging"",
        "DELETE FROM "sales"."orders" t USING "sluice_partitions" p WHERE t."Region ""EU""" IS NOT DISTINCT FROM p."Region ""EU"""",
        "INSERT INTO "sales"."orders" ("id", "Region ""EU""", "amount") SELECT "id", "Region ""EU""", "amount" FROM "sluice_staging"",
      ]
    `);
  });

  it('scd2 closes changed current versions and opens versions for new and changed keys at the bound load time', () => {
    expect(sqlFor('scd2', { keys: ['id'] })).toMatchInlineSnapshot(`
      [
        {
          "text": "UPDATE "sales"."orders" t SET "valid_to" = $1::timestamptz, "is_current" = false FROM "sluice_staging" s WHERE t."is_current" AND t."id" = s."id" AND (t."Region ""EU""" IS DISTINCT FROM s."Region ""EU""" OR t."amount" IS DISTINCT FROM s."amount")",
          "values": [
            2024-05-01T10:00:00.000Z,
          ],
        },
        {
          "text": "INSERT INTO "sales"."orders" ("id", "Region ""EU""", "amount", "valid_from", "valid_to", "is_current") SELECT s."id", s."Region ""EU""", s."amount", $1::timestamptz, NULL, true FROM "sluice_staging" s
      WHERE NOT EXISTS (SELECT 1 FROM "sales"."orders" t WHERE t."id" = s."id" AND t."is_current")",
          "values": [
            2024-05-01T10:00:00.000Z,
          ],
        },
      ]
    `);
    expect(createTable('sales', 'orders', columns, { keys: ['id'], scd2: true }).map((s) => s.text)).toEqual([
      'CREATE TABLE "sales"."orders" ("id" bigint, "Region ""EU""" text, "amount" double precision, "valid_from" timestamptz NOT NULL, "valid_to" timestamptz, "is_current" boolean NOT NULL)',
      `CREATE UNIQUE INDEX IF NOT EXISTS "${currentIndexName('orders')}" ON "sales"."orders" ("id") WHERE "is_current"`,
    ]);
    expect(currentIndexName('orders')).toMatch(/^sluice_current_[0-9a-f]{8}$/);
  });

  it('keeps the ledger and attempts in the target schema, binding run, node and attempt', () => {
    expect(bookkeepingDdl('sales')[0]).toContain('CREATE TABLE IF NOT EXISTS "sales"."sluice_load_ledger"');
    expect(bookkeepingDdl('sales')[0]).toContain('PRIMARY KEY (run_id, node_id)');
    expect(registerAttempt('sales', 'run-1', 'node-"1"', 2)).toEqual({
      text: `INSERT INTO "sales"."sluice_load_attempts" AS a (run_id, node_id, attempt) VALUES ($1, $2, $3)
ON CONFLICT (run_id, node_id) DO UPDATE SET attempt = EXCLUDED.attempt, started_at = now() WHERE a.attempt < EXCLUDED.attempt`,
      values: ['run-1', 'node-"1"', 2],
    });
  });
});
