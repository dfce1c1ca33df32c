// The SQL a PostgreSQL load sends, built without I/O so it can be read and
// snapshot-tested. Every identifier goes through pg's escapeIdentifier; every
// value is a bound parameter. The only user text sent verbatim is the post-load
// SQL, which the user writes as SQL on purpose.
import pg from 'pg';
import type { Column, ColumnType } from '../../pipeline/types';
import type { DatabaseLoadMode } from '../../sql/ops';

export interface Statement {
  text: string;
  values?: unknown[];
}

export const pgTypeOf: Record<ColumnType, string> = {
  string: 'text',
  integer: 'bigint',
  float: 'double precision',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

export const LEDGER_TABLE = 'sluice_load_ledger';
export const ATTEMPTS_TABLE = 'sluice_load_attempts';
/** Session-local staging table the batch is copied into; dropped at commit. */
export const STAGING_TABLE = 'sluice_staging';
const PARTITIONS_TABLE = 'sluice_partitions';
/** Bookkeeping columns of an SCD2 table. */
export const SCD2_COLUMNS = { validFrom: 'valid_from', validTo: 'valid_to', isCurrent: 'is_current' } as const;

export const ident = (name: string): string => pg.escapeIdentifier(name);
export const qualified = (schema: string, table: string): string => `${ident(schema)}.${ident(table)}`;
const list = (columns: readonly string[], prefix = ''): string => columns.map((c) => `${prefix}${ident(c)}`).join(', ');
const matchOn = (keys: readonly string[], left: string, right: string): string => keys.map((k) => `${left}.${ident(k)} = ${right}.${ident(k)}`).join(' AND ');

/** The ledger (what each run committed) and the attempt register (who may commit), in the target schema. */
export function bookkeepingDdl(schema: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, LEDGER_TABLE)} (
  pipeline_id text NOT NULL,
  run_id text NOT NULL,
  node_id text NOT NULL,
  attempt integer NOT NULL,
  target text NOT NULL,
  rows bigint NOT NULL,
  watermarks jsonb NOT NULL DEFAULT '{}',
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, node_id)
)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, ATTEMPTS_TABLE)} (
  run_id text NOT NULL,
  node_id text NOT NULL,
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, node_id)
)`,
  ];
}

export function ledgerLookup(schema: string, runId: string, nodeId: string): Statement {
  return { text: `SELECT rows, attempt FROM ${qualified(schema, LEDGER_TABLE)} WHERE run_id = $1 AND node_id = $2`, values: [runId, nodeId] };
}

/** Records `attempt` unless a newer one is already recorded; returns the newest attempt either way. */
export function registerAttempt(schema: string, runId: string, nodeId: string, attempt: number): Statement {
  const t = qualified(schema, ATTEMPTS_TABLE);
  return {
    text: `INSERT INTO ${t} AS a (run_id, node_id, attempt) VALUES ($1, $2, $3)
ON CONFLICT (run_id, node_id) DO UPDATE SET attempt = EXCLUDED.attempt, started_at = now() WHERE a.attempt < EXCLUDED.attempt`,
    values: [runId, nodeId, attempt],
  };
}

export function newestAttempt(schema: string, runId: string, nodeId: string): Statement {
  return { text: `SELECT attempt FROM ${qualified(schema, ATTEMPTS_TABLE)} WHERE run_id = $1 AND node_id = $2`, values: [runId, nodeId] };
}

export function insertLedger(
  schema: string,
  row: { pipelineId: string; runId: string; nodeId: string; attempt: number; target: string; rows: number; watermarks: Record<string, unknown> },
): Statement {
  return {
    text: `INSERT INTO ${qualified(schema, LEDGER_TABLE)} (pipeline_id, run_id, node_id, attempt, target, rows, watermarks) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    values: [row.pipelineId, row.runId, row.nodeId, row.attempt, row.target, row.rows, JSON.stringify(row.watermarks)],
  };
}

/** Serialises every Sluice load of one target table (transaction-scoped, so a crash releases it). */
export function targetLock(schema: string, table: string): Statement {
  return { text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [`sluice-load:${schema}.${table}`] };
}

export function describeTable(schema: string, table: string): Statement {
  return {
    text: `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    values: [schema, table],
  };
}

export function createStaging(columns: Column[]): Statement {
  return { text: `CREATE TEMP TABLE ${ident(STAGING_TABLE)} (${columnDefs(columns)}) ON COMMIT DROP` };
}

/** Where a mode COPYs the batch: a table no other session can see until commit. */
export function copyDestination(input: Pick<ModeStatementsInput, 'schema' | 'table' | 'mode' | 'scratch'>): string {
  if (input.mode === 'append') return qualified(input.schema, input.table);
  if (input.mode === 'replace') return qualified(input.schema, input.scratch.next);
  return ident(STAGING_TABLE);
}

export function copyFromStdin(destination: string, columns: Column[]): string {
  return `COPY ${destination} (${list(columns.map((c) => c.name))}) FROM STDIN WITH (FORMAT csv)`;
}

/** replace: the new table, filled by COPY and swapped in by modeStatements. */
export function createReplacement(schema: string, next: string, columns: Column[], keys: string[]): Statement {
  return { text: `CREATE TABLE ${qualified(schema, next)} (${columnDefs(columns)}${keys.length > 0 ? `, PRIMARY KEY (${list(keys)})` : ''})` };
}

function columnDefs(columns: Column[]): string {
  return columns.map((c) => `${ident(c.name)} ${pgTypeOf[c.type]}`).join(', ');
}

export interface TableShape {
  /** Key columns get a primary key (upsert, scd1) or a partial unique index on current rows (scd2). */
  keys: string[];
  scd2: boolean;
}

export function createTable(schema: string, table: string, columns: Column[], shape: TableShape): Statement[] {
  const defs = [columnDefs(columns)];
  if (shape.scd2) {
    defs.push(`${ident(SCD2_COLUMNS.validFrom)} timestamptz NOT NULL`, `${ident(SCD2_COLUMNS.validTo)} timestamptz`, `${ident(SCD2_COLUMNS.isCurrent)} boolean NOT NULL`);
  } else if (shape.keys.length > 0) {
    defs.push(`PRIMARY KEY (${list(shape.keys)})`);
  }
  const statements = [{ text: `CREATE TABLE ${qualified(schema, table)} (${defs.join(', ')})` }];
  if (shape.scd2) statements.push(currentRowIndex(schema, table, shape.keys));
  return statements;
}

/** At most one current row per key, enforced by PostgreSQL rather than trusted to the load. */
export function currentRowIndex(schema: string, table: string, keys: string[]): Statement {
  return { text: `CREATE UNIQUE INDEX IF NOT EXISTS ${ident(currentIndexName(table))} ON ${qualified(schema, table)} (${list(keys)}) WHERE ${ident(SCD2_COLUMNS.isCurrent)}` };
}

/** Short and stable, so it never exceeds PostgreSQL's 63-byte identifiers. */
export function currentIndexName(table: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(table)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `sluice_current_${hash.toString(16).padStart(8, '0')}`;
}

export function addColumns(schema: string, table: string, columns: Column[]): Statement[] {
  return columns.map((c) => ({ text: `ALTER TABLE ${qualified(schema, table)} ADD COLUMN ${ident(c.name)} ${pgTypeOf[c.type]}` }));
}

export interface ModeStatementsInput {
  schema: string;
  table: string;
  mode: DatabaseLoadMode;
  /** The batch columns written to the target (after the new-column policy). */
  columns: Column[];
  keys: string[];
  partitionColumns: string[];
  compareColumns: string[];
  /** replace: whether there is a table to swap out. */
  exists: boolean;
  /** replace: scratch names in the target schema for the new and the old table. */
  scratch: { next: string; previous: string };
  /** scd2: the instant versions change, taken after the target lock so histories never overlap. */
  loadTime: Date;
}

/**
 * Writes the copied batch into the target according to the mode. append and
 * replace COPY straight into the target / the new table (uncommitted, so
 * invisible to others); the merging modes read the temp staging table.
 */
export function modeStatements(input: ModeStatementsInput): Statement[] {
  const { schema, table, columns, keys } = input;
  const target = qualified(schema, table);
  const names = columns.map((c) => c.name);
  const staging = ident(STAGING_TABLE);
  const insertStaged: Statement = { text: `INSERT INTO ${target} (${list(names)}) SELECT ${list(names)} FROM ${staging}` };
  const nonKeys = names.filter((n) => !keys.includes(n));
  const compared = input.compareColumns.length > 0 ? input.compareColumns : nonKeys;
  const differs = compared.map((c) => `t.${ident(c)} IS DISTINCT FROM s.${ident(c)}`).join(' OR ');
  const insertMissing = (extraColumns: string, extraValues: string, currentOnly: string): Statement => ({
    text: `INSERT INTO ${target} (${list(names)}${extraColumns}) SELECT ${list(names, 's.')}${extraValues} FROM ${staging} s
WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${matchOn(keys, 't', 's')}${currentOnly})`,
  });
  switch (input.mode) {
    case 'append':
      return [];
    case 'replace': {
      const next = qualified(schema, input.scratch.next);
      if (!input.exists) return [{ text: `ALTER TABLE ${next} RENAME TO ${ident(table)}` }];
      return [
        { text: `ALTER TABLE ${target} RENAME TO ${ident(input.scratch.previous)}` },
        { text: `ALTER TABLE ${next} RENAME TO ${ident(table)}` },
        { text: `DROP TABLE ${qualified(schema, input.scratch.previous)}` },
      ];
    }
    case 'upsert':
    case 'scd1': {
      const statements: Statement[] = [];
      if (nonKeys.length > 0) {
        const changedOnly = input.mode === 'scd1' && differs ? ` AND (${differs})` : '';
        statements.push({
          text: `UPDATE ${target} t SET ${nonKeys.map((c) => `${ident(c)} = s.${ident(c)}`).join(', ')} FROM ${staging} s WHERE ${matchOn(keys, 't', 's')}${changedOnly}`,
        });
      }
      statements.push(insertMissing('', '', ''));
      return statements;
    }
    case 'delete-insert': {
      const parts = input.partitionColumns;
      return [
        { text: `CREATE TEMP TABLE ${ident(PARTITIONS_TABLE)} ON COMMIT DROP AS SELECT DISTINCT ${list(parts)} FROM ${staging}` },
        // IS NOT DISTINCT FROM: a NULL partition value replaces the target's NULL partition.
        { text: `DELETE FROM ${target} t USING ${ident(PARTITIONS_TABLE)} p WHERE ${parts.map((c) => `t.${ident(c)} IS NOT DISTINCT FROM p.${ident(c)}`).join(' AND ')}` },
        insertStaged,
      ];
    }
    case 'scd2': {
      const { validFrom, validTo, isCurrent } = SCD2_COLUMNS;
      const statements: Statement[] = [];
      if (differs) {
        statements.push({
          text: `UPDATE ${target} t SET ${ident(validTo)} = $1::timestamptz, ${ident(isCurrent)} = false FROM ${staging} s WHERE t.${ident(isCurrent)} AND ${matchOn(keys, 't', 's')} AND (${differs})`,
          values: [input.loadTime],
        });
      }
      // New keys and keys whose current version was just closed get a new current version.
      statements.push({
        ...insertMissing(`, ${list([validFrom, validTo, isCurrent])}`, ', $1::timestamptz, NULL, true', ` AND t.${ident(isCurrent)}`),
        values: [input.loadTime],
      });
      return statements;
    }
  }
}
