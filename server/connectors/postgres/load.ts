// Loads a DuckDB relation into PostgreSQL exactly once per (run, node).
//
// 1. Ask the destination's ledger whether this run already committed the load
//    (a retry after a crash): if so, report its rows and do nothing.
// 2. Register this attempt; an attempt older than the newest registered one
//    is refused, now and again just before commit (fencing).
// 3. In one transaction, under an advisory lock on the target (so no two
//    Sluice loads of one table interleave): check the ledger and the attempt
//    again, create or evolve the table, then let DuckDB write the batch as CSV
//    into COPY FROM STDIN (../export-csv.ts: through a pipe while DuckDB
//    computes, or a file in the run's scratch folder on small machines) into
//    a table no other session can see yet: the temp staging table (merging
//    modes), the new table (replace), or the target itself (append; the rows
//    stay invisible until commit). Rows never sit in Node's memory.
// 4. The mode merges the staged rows, the post-load SQL runs, and a ledger
//    row is inserted; all of it commits together or not at all.
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PostgresSettings } from '../connection';
import { AppError, errorMessage } from '../../errors';
import type { Column } from '../../pipeline/types';
import { quoteIdent, type RenderedSql } from '../../sql/ast';
import type { DatabaseLoadTarget, StageOp } from '../../sql/ops';
import { exportCsv } from '../export-csv';
import { checkBatchKeys, checkpoint, resolveSettings, type LoadContext, type LoadResult } from '../load';
import {
  addColumns,
  bookkeepingDdl,
  copyDestination,
  copyFromStdin,
  createReplacement,
  createStaging,
  createTable,
  currentRowIndex,
  describeTable,
  ident,
  insertLedger,
  ledgerLookup,
  modeStatements,
  newestAttempt,
  qualified,
  registerAttempt,
  SCD2_COLUMNS,
  STAGING_TABLE,
  targetLock,
  type Statement,
} from './statements';
import type { z } from 'zod';

type LoadPostgresOp = Extract<StageOp, { op: 'loadPostgres' }>;
type Settings = z.infer<typeof PostgresSettings>;

/** Modes that match batch rows to target rows by key; the batch must hold each key once. */
const keyedModes = new Set(['upsert', 'scd1', 'scd2']);

export async function loadPostgres(duck: DuckDBConnection, op: LoadPostgresOp, source: RenderedSql, ctx: LoadContext): Promise<LoadResult> {
  const { target } = op;
  const settings = await resolveSettings(ctx, target.connectionId, 'postgres');
  const where = qualified(target.schema, target.table);
  const { identity, nodeId } = ctx;
  const session = await connect(settings, ctx, where);
  try {
    const { client } = session;
    await ensureBookkeeping(client, target.schema);
    const committed = await ledgerRows(client, target, identity.runId, nodeId);
    if (committed !== undefined) return { rows: committed, alreadyCommitted: true };
    await claimAttempt(client, target, ctx);
    await checkpoint('claimed', nodeId);

    if (keyedModes.has(target.mode)) await checkBatchKeys(duck, source, target, where, nodeId);

    await client.query('BEGIN');
    // From here on no other Sluice load writes this table until we commit or roll back.
    await run(client, targetLock(target.schema, target.table));
    const committedMeanwhile = await ledgerRows(client, target, identity.runId, nodeId);
    if (committedMeanwhile !== undefined) {
      await client.query('ROLLBACK');
      return { rows: committedMeanwhile, alreadyCommitted: true };
    }
    await assertNewestAttempt(client, target, ctx);

    // Shape the target first, so the batch can be copied into it (append) and only the columns it keeps are exported.
    const existing = target.mode === 'replace' ? undefined : await existingColumns(client, target);
    const { load, add } = reconcileColumns(op.columns, existing, target, nodeId);
    if (existing === undefined && target.mode !== 'replace') {
      for (const s of createTable(target.schema, target.table, load, { keys: target.mode === 'append' || target.mode === 'delete-insert' ? [] : target.keys, scd2: target.mode === 'scd2' })) await run(client, s);
    }
    for (const s of addColumns(target.schema, target.table, add)) await run(client, s);
    if (existing !== undefined && target.mode === 'scd2') await run(client, currentRowIndex(target.schema, target.table, target.keys));
    const suffix = randomBytes(4).toString('hex');
    const scratch = { next: `sluice_new_${suffix}`, previous: `sluice_old_${suffix}` };
    if (target.mode === 'replace') await run(client, createReplacement(target.schema, scratch.next, load, target.keys));
    else if (target.mode !== 'append') await run(client, createStaging(load));

    // DuckDB writes the batch as CSV and PostgreSQL copies it in.
    const rows = await exportCsv(duck, {
      query: { sql: `SELECT ${load.map((c) => quoteIdent(c.name)).join(', ')} FROM (${source.sql}) AS batch`, params: source.params },
      options: 'FORMAT csv, HEADER false',
      dir: ctx.tempDir,
      consume: (csv) => session.guard(pipeline(csv, client.query(copyFrom(copyFromStdin(copyDestination({ ...target, scratch }), load))))),
      ...(ctx.whileCopying ? { meanwhile: ctx.whileCopying } : {}),
    });
    // The merges join the staging table; the planner needs its size.
    if (target.mode !== 'append' && target.mode !== 'replace') await client.query(`ANALYZE ${ident(STAGING_TABLE)}`);
    await checkpoint('after-copy', nodeId);

    const exists = target.mode === 'replace' ? await tableExists(client, target) : true;
    const loadTime = (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]?.now ?? new Date();
    for (const s of modeStatements({ ...target, columns: load, exists, scratch, loadTime })) await run(client, s);
    if (target.postLoadSql.trim() !== '') {
      try {
        await client.query(target.postLoadSql);
      } catch (error) {
        throw new AppError('DESTINATION_LOAD_FAILED', `The post-load SQL failed, so nothing was loaded into ${where}: ${errorMessage(error)}`, { nodeId, path: ['postLoadSql'] }, { cause: error });
      }
    }
    await run(
      client,
      insertLedger(target.schema, { pipelineId: identity.pipelineId, runId: identity.runId, nodeId, attempt: identity.attempt, target: target.table, rows, watermarks: identity.watermarks ?? {} }),
    );
    await checkpoint('before-commit', nodeId);
    await ctx.beforeCommit?.();
    await client.query('COMMIT');
    await checkpoint('after-commit', nodeId);
    return { rows, alreadyCommitted: false };
  } catch (error) {
    throw session.classify(error);
  } finally {
    await session.close();
  }
}

interface Session {
  client: pg.Client;
  /** Settles with `work`, or rejects as soon as the connection is lost (a stream can otherwise wait forever). */
  guard<T>(work: Promise<T>): Promise<T>;
  classify(error: unknown): AppError;
  close(): Promise<void>;
}

async function connect(settings: Settings, ctx: LoadContext, where: string): Promise<Session> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    ssl: settings.ssl === 'disable' ? false : { rejectUnauthorized: settings.ssl === 'verify-full' },
    application_name: `sluice-load ${ctx.nodeId}`,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  let lost: Error | undefined;
  const lostListeners = new Set<(error: Error) => void>();
  const onLost = (error: Error) => {
    lost ??= error;
    for (const listener of lostListeners) listener(error);
  };
  client.on('error', onLost);
  client.on('end', () => onLost(new Error('Connection terminated unexpectedly')));
  let closing = false;
  const onAbort = () => client.connection.stream.destroy(new Error('The run was cancelled'));
  ctx.signal?.addEventListener('abort', onAbort);

  const classify = (error: unknown): AppError => {
    if (error instanceof AppError) return error;
    if (ctx.signal?.aborted) return new AppError('RUN_CANCELLED', 'The run was cancelled', { nodeId: ctx.nodeId });
    const code = (error as { code?: unknown }).code;
    const message = errorMessage(error);
    if (lost || isConnectionLoss(code, message)) {
      return new AppError(
        'DESTINATION_CONNECTION_LOST',
        `Lost the connection to PostgreSQL while loading ${where} (${errorMessage(lost ?? error)}); nothing was committed, so a retry loads the rows again`,
        { nodeId: ctx.nodeId },
        { cause: error },
      );
    }
    const detail = (error as { detail?: unknown }).detail;
    return new AppError('DESTINATION_LOAD_FAILED', `Loading ${where} failed: ${message}${typeof detail === 'string' ? ` (${detail})` : ''}`, { nodeId: ctx.nodeId, ...(typeof code === 'string' ? { sqlState: code } : {}) }, { cause: error });
  };

  try {
    await client.connect();
  } catch (error) {
    ctx.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    if (code === '28P01' || code === '28000' || code === '3D000') {
      throw new AppError('DESTINATION_CONNECTION_INVALID', `PostgreSQL refused the connection for ${where}: ${errorMessage(error)}`, { nodeId: ctx.nodeId, path: ['connectionId'] }, { cause: error });
    }
    throw new AppError('DESTINATION_UNREACHABLE', `Cannot reach PostgreSQL at ${settings.host}:${settings.port} to load ${where}: ${errorMessage(error)}`, { nodeId: ctx.nodeId }, { cause: error });
  }

  return {
    client,
    guard: <T>(work: Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        if (lost) {
          reject(lost);
          return;
        }
        const listener = (error: Error) => reject(error);
        lostListeners.add(listener);
        work.then(resolve, reject).finally(() => lostListeners.delete(listener));
      }),
    classify,
    close: async () => {
      if (closing) return;
      closing = true;
      ctx.signal?.removeEventListener('abort', onAbort);
      // Ending an open transaction's session rolls it back on the server.
      if (lost) client.connection.stream.destroy();
      else await client.end().catch(() => undefined);
    },
  };
}

/** SQLSTATE class 08 (connection exception), administrator shutdown/crash, or the socket itself. */
function isConnectionLoss(code: unknown, message: string): boolean {
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code))) return true;
  return /Connection terminated|Client has encountered a connection error|Client was closed/i.test(message);
}

async function run(client: pg.Client, statement: Statement): Promise<void> {
  await client.query(statement.text, statement.values);
}

/** Idempotent, and serialised so two first loads into a new schema do not race on CREATE. */
async function ensureBookkeeping(client: pg.Client, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sluice-ledger:${schema}`]);
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${ident(schema)}`);
    for (const ddl of bookkeepingDdl(schema)) await client.query(ddl);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function ledgerRows(client: pg.Client, target: DatabaseLoadTarget, runId: string, nodeId: string): Promise<number | undefined> {
  const statement = ledgerLookup(target.schema, runId, nodeId);
  const found = await client.query<{ rows: string }>(statement.text, statement.values);
  const row = found.rows[0];
  return row ? Number(row.rows) : undefined;
}

/** Registers this attempt under the target lock, so it cannot slip in between another attempt's check and commit. */
async function claimAttempt(client: pg.Client, target: DatabaseLoadTarget, ctx: LoadContext): Promise<void> {
  await client.query('BEGIN');
  try {
    await run(client, targetLock(target.schema, target.table));
    await run(client, registerAttempt(target.schema, ctx.identity.runId, ctx.nodeId, ctx.identity.attempt));
    await assertNewestAttempt(client, target, ctx);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function assertNewestAttempt(client: pg.Client, target: DatabaseLoadTarget, ctx: LoadContext): Promise<void> {
  const statement = newestAttempt(target.schema, ctx.identity.runId, ctx.nodeId);
  const newest = (await client.query<{ attempt: number }>(statement.text, statement.values)).rows[0]?.attempt ?? 0;
  if (newest > ctx.identity.attempt) {
    throw new AppError(
      'LOAD_ATTEMPT_SUPERSEDED',
      `Attempt ${ctx.identity.attempt} of run ${ctx.identity.runId} may not load ${qualified(target.schema, target.table)}: attempt ${newest} has started since`,
      { nodeId: ctx.nodeId, attempt: ctx.identity.attempt, newestAttempt: newest },
    );
  }
}

async function existingColumns(client: pg.Client, target: DatabaseLoadTarget): Promise<string[] | undefined> {
  const statement = describeTable(target.schema, target.table);
  const found = await client.query<{ name: string }>(statement.text, statement.values);
  return found.rows.length > 0 ? found.rows.map((r) => r.name) : undefined;
}

async function tableExists(client: pg.Client, target: DatabaseLoadTarget): Promise<boolean> {
  return (await existingColumns(client, target)) !== undefined;
}

/**
 * Which batch columns are written and which are added to an existing table,
 * by the new-column policy. Columns the table has and the batch lacks are
 * left to their defaults.
 */
export function reconcileColumns(columns: Column[], existing: string[] | undefined, target: DatabaseLoadTarget, nodeId: string): { load: Column[]; add: Column[] } {
  if (existing === undefined) return { load: columns, add: [] };
  const where = qualified(target.schema, target.table);
  if (target.mode === 'scd2') {
    const missing = Object.values(SCD2_COLUMNS).filter((c) => !existing.includes(c));
    if (missing.length > 0) {
      throw new AppError('DESTINATION_SCHEMA_MISMATCH', `${where} is not an SCD2 table: it lacks ${missing.map((c) => `"${c}"`).join(', ')}`, { nodeId, path: ['mode'] });
    }
  }
  const fresh = columns.filter((c) => !existing.includes(c.name));
  if (fresh.length > 0 && target.newColumns === 'fail') {
    throw new AppError(
      'DESTINATION_SCHEMA_MISMATCH',
      `${where} has no column ${fresh.map((c) => `"${c.name}"`).join(', ')}; add ${fresh.length === 1 ? 'it' : 'them'} to the table or set "New columns" to add or ignore`,
      { nodeId, path: ['newColumns'], columns: fresh.map((c) => c.name) },
    );
  }
  const load = target.newColumns === 'ignore' ? columns.filter((c) => existing.includes(c.name)) : columns;
  const loaded = new Set(load.map((c) => c.name));
  const needed = [...target.keys, ...target.partitionColumns, ...target.compareColumns].filter((c) => !loaded.has(c));
  if (needed.length > 0) {
    throw new AppError('DESTINATION_SCHEMA_MISMATCH', `${where} has no column ${[...new Set(needed)].map((c) => `"${c}"`).join(', ')}, which this load matches on`, { nodeId });
  }
  return { load, add: target.newColumns === 'add' ? fresh : [] };
}
