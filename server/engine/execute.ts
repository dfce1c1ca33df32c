// Runs an execution plan on DuckDB. Every stage makes its outputs tables (or,
// for a CSV source few queries read, a view over the file: ADR 010), so the
// next stage reads them by name; data never passes through Node.
// Files are written under temporary names and renamed only after every stage
// has succeeded, so a failed run leaves its destinations untouched.
// A run that ends with failures can keep checkpoints, and a later run can
// resume from them, reusing the finished stages (checkpoint.ts, ADR 007).
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBValue, type Json } from '@duckdb/node-api';
import type { ExecutionPlan, Stage } from '../compiler/compile';
import type { ConnectionResolver } from '../connectors/connection';
import type { LoadContext, LoadIdentity } from '../connectors/load';
import { loadMysql } from '../connectors/mysql/load';
import { loadPostgres } from '../connectors/postgres/load';
import { runExtract } from '../connectors/extract';
import type { SourceWatermark } from '../connectors/source';
import { fetchHttpRecords, type HttpSourceOptions } from '../connectors/rest/fetch-records';
import { AppError, errorMessage, isTransientError } from '../errors';
import { csvRejectsTables, fileReads, quoteIdent, quoteString, renderSelect, tableReferences, withCsvLineErrors, type FileRef, type RenderedSql, type Select } from '../sql/ast';
import { copyOptions, filesRead, type RejectedRows, type RejectReason, type StageOp } from '../sql/ops';
import { loadExcel } from '../connectors/files/excel';
import { publishOutput } from '../connectors/files/publish';
import { explainCsvError, explainReadError } from '../connectors/files/read-errors';
import { attachResumed, restoreFile, reuseTable, stashFile, writeCheckpoint, type CheckpointOutcome, type CheckpointStage, type OpenedCheckpoint } from './checkpoint';
import { openDuckSession } from './duckdb';
import { resolveOutputFile, resolveSourceFile } from './files';
import { runJavaScript } from './javascript';

/** `reused`: not executed; a resumed run took the stage's outputs from a checkpoint. */
export type StageStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'reused';

export interface StageEvent {
  stageId: string;
  nodeIds: string[];
  status: StageStatus;
  rowsIn?: number;
  rowsOut?: number;
  /** Attempts the stage took, once it finished. */
  attempts?: number;
  /** Rows the stage's nodes rejected (stored as dead letters, or skipped). */
  rowsRejected?: number;
  error?: { code: string; message: string };
}

export interface ExecuteOptions {
  /** Folder that workspace-relative paths resolve against. */
  workspaceRoot: string;
  /** Folder file destinations write under (default: workspaceRoot). A preview points it at its own scratch folder. */
  outputRoot?: string;
  /** Server folders sources may read as "alias:path" (alias → absolute folder, from SLUICE_ALLOWED_DIRS). */
  readDirectories?: Readonly<Record<string, string>>;
  /** Scratch folder for DuckDB spilling; removed afterwards. */
  tempDir: string;
  /** Memory DuckDB may use before spilling to tempDir, in MiB (default: see openDuckSession). */
  memoryLimitMb?: number;
  signal?: AbortSignal;
  /** Retries, timeouts and what a failed branch does to the others (from the pipeline's settings). */
  policy?: Partial<StagePolicy>;
  onStage?: (event: StageEvent) => void | Promise<void>;
  /** Settings of the connections that database sources and destinations name. */
  connections?: ConnectionResolver;
  /** Watermarks of incremental database sources from the last successful run, by node id. */
  watermarks?: Record<string, SourceWatermark>;
  /** Which run and attempt this is; database destinations record it so a retry never loads twice. Ad hoc runs get a fresh id. */
  load?: LoadIdentity;
  /** HTTP API sources: allowed private addresses, secret lookup, backoff (defaults from the environment). */
  http?: Partial<HttpSourceOptions>;
  /** Lines a stage wants in the run log (console output of JavaScript nodes). */
  onLog?: (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => void;
  /**
   * Rows a node rejected into dead letters, one bounded batch at a time (a
   * DuckDB result chunk); the next batch is read only after this resolves.
   */
  onRejects?: (batch: RejectBatch) => void | Promise<void>;
  /**
   * Keep a checkpoint in `dir` when the run ends with failures (not when it is
   * cancelled): the outputs of finished stages that unfinished stages read,
   * and finished file outputs not yet published. A run that succeeds keeps
   * nothing and pays nothing. `onOutcome` hears whether it was kept.
   */
  checkpoint?: { dir: string; onOutcome?: (outcome: CheckpointOutcome) => void | Promise<void> };
  /** Resume from a checkpoint opened for this plan: its stages are reused, not executed. */
  resume?: OpenedCheckpoint;
}

export interface RejectedRow {
  message: string;
  sourceLine: number | null;
  rawLine: string | null;
  /** The rejected row's values by column name; null when only the raw line is known. */
  row: Record<string, Json> | null;
}

export interface RejectBatch {
  nodeId: string;
  reason: RejectReason;
  rows: RejectedRow[];
}

export interface WrittenFile {
  nodeId: string;
  path: string;
  rows: number;
}

export interface StageFailure {
  stageId: string;
  nodeIds: string[];
  error: AppError;
}

export interface ExecutionResult {
  /** Rows the sources read: the rows they passed on plus the ones they rejected. */
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  files: WrittenFile[];
  /** Branches that failed while others loaded (policy continueOthers); empty when everything succeeded. */
  failures: StageFailure[];
  /** New watermarks of incremental database sources, by node id; stored only when the whole run succeeded. */
  watermarks: Record<string, SourceWatermark>;
}

export interface StagePolicy {
  /** Further attempts after a transient error. */
  retries: number;
  retryDelayMs: number;
  stageTimeoutMs: number | null;
  onBranchFailure: 'continueOthers' | 'stopAll';
}

export const defaultStagePolicy: StagePolicy = { retries: 2, retryDelayMs: 2000, stageTimeoutMs: null, onBranchFailure: 'continueOthers' };
type LoadHooks = Pick<LoadContext, 'whileCopying' | 'beforeCommit'>;

const isDatabaseLoad = (op: StageOp) => op.op === 'loadPostgres' || op.op === 'loadMysql';

/**
 * The ops that may run while the stage's database load (its last op) copies
 * its batch in: the ones that make a table of rejected rows (a fused cast's)
 * that no other op of the stage reads.
 */
function opsBesideLoad(stage: Stage): StageOp[] {
  const last = stage.ops.at(-1);
  if (!last || !isDatabaseLoad(last)) return [];
  const read = new Set(stage.ops.flatMap((op) => ('query' in op ? tableReferences(op.query) : [])));
  return stage.ops.filter((op) => op.op === 'materialize' && op.rejects !== undefined && !read.has(op.table));
}

/** What one op did that the stage reports. */
interface OpOutcome {
  written: number;
  rejected: number;
}

/** Rejected rows a skipping node names in the run log, so skipping is never silent. */
export const SKIPPED_ROWS_LOGGED = 5;

const asText = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));

const bigIntegerTypes = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

interface PendingFile {
  stageId: string;
  nodeId: string;
  temporary: string;
  final: string;
  relative: string;
  rows: number;
  /** A partitioned output: a folder that replaces the previous folder. */
  folder: boolean;
}

class StageRunner {
  /** Resolved absolute paths by workspace path, filled before rendering. */
  private readonly resolved = new Map<string, string>();
  readonly pendingFiles: PendingFile[] = [];
  readonly watermarks: Record<string, SourceWatermark> = {};
  /** Rejects tables whose rows were stored or logged, with their count, so a retried stage does not hand them on twice. */
  private readonly delivered = new Map<string, number>();
  /** Tables that are views: over a resumed checkpoint, or over a file (deferred reads). */
  readonly views = new Set<string>();
  /** Rows of the tables whose count is known without a scan (a deferred read's view). */
  private readonly rowCounts = new Map<string, number>();
  /** The files deferred reads' views parse again, as they were when validated, by view. */
  private readonly deferredFiles = new Map<string, { path: string; workspacePath: string; fingerprint: string }[]>();
  private readonly identity: LoadIdentity;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly options: ExecuteOptions,
  ) {
    this.identity = options.load ?? { runId: `adhoc-${randomBytes(8).toString('hex')}`, pipelineId: 'adhoc', attempt: 1 };
  }

  private loadContext(stage: Stage, hooks: LoadHooks): LoadContext {
    const { connections, signal, tempDir } = this.options;
    return { nodeId: stage.id, tempDir, identity: this.identity, ...(connections ? { connections } : {}), ...(signal ? { signal } : {}), ...hooks };
  }

  /**
   * Runs a stage's ops in order, except the ones beside its database load
   * (opsBesideLoad): those run while the load copies its batch in, when
   * DuckDB's connection would otherwise be idle, and the load commits only
   * once they have succeeded. Says what the ops wrote and rejected.
   */
  async runStage(stage: Stage): Promise<OpOutcome> {
    const total: OpOutcome = { written: 0, rejected: 0 };
    const add = (outcome: OpOutcome) => {
      total.written += outcome.written;
      total.rejected += outcome.rejected;
    };
    const beside = opsBesideLoad(stage);
    let besideRun: Promise<void> | undefined;
    const runBeside = () =>
      (besideRun ??= (async () => {
        try {
          for (const op of beside) add(await this.runOp(stage, op));
        } catch (error) {
          throw asStageError(error, stage);
        }
      })());
    const hooks: LoadHooks = {
      whileCopying: runBeside,
      beforeCommit: async () => {
        await runBeside();
        await this.checkDeferredFiles(stage);
      },
    };
    for (const op of stage.ops) if (!beside.includes(op)) add(await this.runOp(stage, op, hooks));
    // A load that found its batch committed by an earlier attempt copied nothing.
    await runBeside();
    // A database load checked before it committed; what other stages made is published only after this.
    if (!stage.ops.some(isDatabaseLoad)) await this.checkDeferredFiles(stage);
    return total;
  }

  private render(query: Select): RenderedSql {
    return renderSelect(query, {
      resolveFile: (ref: FileRef) => {
        const abs = this.resolved.get(ref.workspacePath);
        if (!abs) throw new Error(`File ${ref.workspacePath} was not resolved before rendering`);
        return abs;
      },
    });
  }

  private async resolveInputs(stage: Stage, op: StageOp): Promise<void> {
    for (const f of filesRead(op)) {
      if (!this.resolved.has(f.workspacePath)) {
        this.resolved.set(f.workspacePath, await resolveSourceFile(this.options, f.workspacePath, stage.id));
      }
    }
  }

  private async run(sql: RenderedSql): Promise<number> {
    const params: DuckDBValue[] = sql.params;
    const result = await this.conn.run(sql.sql, params);
    return result.rowsChanged;
  }

  private async scalar(sql: string, params: DuckDBValue[] = []): Promise<number> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /** Drops what a failed attempt of the stage left behind, so the stage can run again from scratch. */
  async resetStage(stage: Stage): Promise<void> {
    const tables = stage.ops.flatMap((op) => [
      ...('table' in op && typeof op.table === 'string' ? [op.table] : []),
      // A CSV read appends to its rejects table: a retry starts from an empty one.
      ...('query' in op ? csvRejectsTables(op.query).flatMap((t) => [t, `${t}_scan`]) : []),
    ]);
    for (const table of tables) await this.drop(table);
    this.discardFiles(stage.id);
  }

  /** Drops a table or view, if it exists. */
  async drop(table: string): Promise<void> {
    const kind = this.views.delete(table) ? 'VIEW' : 'TABLE';
    this.rowCounts.delete(table);
    this.deferredFiles.delete(table);
    await this.conn.run(`DROP ${kind} IF EXISTS ${quoteIdent(table)}`).catch(() => undefined);
  }

  /** Registers a file a checkpoint kept for the stage as if the stage had just written it: it is published with the others. */
  async restoreFile(stage: Stage, file: CheckpointStage['files'][number], from: OpenedCheckpoint): Promise<void> {
    const final = await resolveOutputFile(this.options.outputRoot ?? this.options.workspaceRoot, file.path, stage.id);
    const temporary = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.tmp`);
    const pending = { stageId: stage.id, nodeId: file.nodeId, temporary, final, relative: file.path, rows: file.rows, folder: file.folder };
    this.pendingFiles.push(pending);
    await restoreFile(from, file.stash, temporary);
  }

  /** Forgets (and deletes) the temporary files a stage wrote. */
  discardFiles(stageId: string): void {
    for (let i = this.pendingFiles.length - 1; i >= 0; i--) {
      const f = this.pendingFiles[i];
      if (f?.stageId !== stageId) continue;
      this.pendingFiles.splice(i, 1);
      void rm(f.temporary, { force: true, recursive: f.folder });
    }
  }

  /** Rows the stage's nodes rejected and already stored or logged (a failed stage's count; its dead letters are kept). */
  deliveredBy(stage: Stage): number {
    return stage.ops.reduce((sum, op) => sum + (op.op === 'materialize' ? (this.delivered.get(op.table) ?? 0) : 0), 0);
  }

  async countRows(table: string): Promise<number> {
    return this.rowCounts.get(table) ?? this.scalar(`SELECT count(*) FROM ${quoteIdent(table)}`);
  }

  /**
   * A deferred read (ops.ts): one scan converts every line of the CSV files,
   * counting rows and recording malformed lines; then `table` is a view that
   * reads the files strictly if none was malformed, else a table of the lines
   * that fit. The files' fingerprints are kept: a view's readers must see the
   * files the scan validated (checkDeferredFiles).
   */
  private async materializeDeferred(stage: Stage, op: Extract<StageOp, { op: 'materialize' }>): Promise<void> {
    const files = await Promise.all(
      fileReads(op.query).map(async (r) => {
        const absolute = this.resolved.get(r.file.workspacePath) as string;
        return { path: absolute, workspacePath: r.file.workspacePath, fingerprint: await fingerprint(absolute) };
      }),
    );
    const validated = this.render(op.query);
    const rows = await this.scalar(`SELECT count(*) FROM (${validated.sql})`, validated.params);
    let malformed = 0;
    for (const table of csvRejectsTables(op.query)) malformed += await this.scalar(`SELECT count(*) FROM ${quoteIdent(table)}`);
    const clean = malformed === 0 && validated.params.length === 0;
    const body = this.render(withCsvLineErrors(op.query, clean ? { t: 'fail' } : { t: 'skip' }));
    await this.run({ sql: `CREATE ${clean ? 'VIEW' : 'TABLE'} ${quoteIdent(op.table)} AS ${body.sql}`, params: body.params });
    this.rowCounts.set(op.table, rows);
    if (!clean) return;
    this.views.add(op.table);
    this.deferredFiles.set(op.table, files);
  }

  /** Fails the stage if a file a deferred read validated has changed since, when the stage reads its view. */
  async checkDeferredFiles(stage: Stage): Promise<void> {
    const reads = new Set(stage.ops.flatMap((op) => ('query' in op ? tableReferences(op.query) : [])));
    for (const [view, files] of this.deferredFiles) {
      if (!reads.has(view)) continue;
      for (const file of files) {
        if ((await fingerprint(file.path).catch(() => 'gone')) === file.fingerprint) continue;
        throw new AppError('SOURCE_FILE_CHANGED', `"${file.workspacePath}" changed while the run was reading it; run the pipeline again`, { nodeId: stage.id });
      }
    }
  }

  /** Reads a rejects table in its stored order, one DuckDB chunk (at most 2,048 rows) at a time. */
  private async *rejectedRows(table: string, spec: RejectedRows, limit?: number): AsyncGenerator<RejectedRow[]> {
    const result = await this.conn.stream(`SELECT * FROM ${quoteIdent(table)}${limit === undefined ? '' : ` LIMIT ${limit}`}`);
    const names = result.columnNames();
    const indexOf = (name: string | undefined) => (name === undefined ? -1 : names.indexOf(name));
    const messageAt = indexOf(spec.messageColumn);
    const lineAt = indexOf(spec.lineColumn);
    const rawAt = indexOf(spec.rawLineColumn);
    const rowAt = spec.rowColumns.map((name) => ({ name, at: names.indexOf(name), big: bigIntegerTypes.has(result.columnTypeId(names.indexOf(name))) }));
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      yield chunk.convertRows(JsonDuckDBValueConverter).map((values) => {
        const line = lineAt < 0 ? null : values[lineAt];
        const raw = rawAt < 0 ? null : values[rawAt];
        let row: Record<string, Json> | null = null;
        if (rowAt.length > 0) {
          row = {};
          for (const { name, at, big } of rowAt) {
            const v = values[at] ?? null;
            // DuckDB's JSON form gives 64-bit integers as text; keep them numbers where that is exact.
            row[name] = big && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
          }
        }
        return {
          message: asText(values[messageAt] ?? ''),
          sourceLine: line === null || line === undefined ? null : Number(line),
          rawLine: raw === null || raw === undefined ? null : asText(raw),
          row,
        };
      });
    }
  }

  /** Counts the rows a node rejected into `table`, then stores, logs or fails on them. */
  private async handleRejects(table: string, spec: RejectedRows): Promise<number> {
    const count = await this.countRows(table);
    if (count === 0) return 0;
    const where = (r: RejectedRow) => (r.sourceLine !== null ? `Line ${r.sourceLine}: ` : '');
    const raw = (r: RejectedRow) => (r.rawLine !== null ? `. Raw line: ${r.rawLine}` : '');
    switch (spec.action) {
      case 'fail': {
        let first: RejectedRow | undefined;
        for await (const batch of this.rejectedRows(table, spec, 1)) first ??= batch[0];
        const what = first ? `${where(first)}${first.message}${raw(first)}` : 'A row was rejected';
        throw new AppError(spec.reason, `${what}${count > 1 ? `. ${count - 1} more row(s) fail the same way.` : ''}`, {
          nodeId: spec.nodeId,
          ...(first && first.sourceLine !== null ? { line: first.sourceLine } : {}),
          rejectedRows: count,
        });
      }
      case 'skip': {
        const log = (message: string) => this.options.onLog?.({ nodeId: spec.nodeId, level: 'warn', message });
        log(`Skipped ${count} rejected row(s) (${spec.reason})${count > SKIPPED_ROWS_LOGGED ? `; the first ${SKIPPED_ROWS_LOGGED}:` : ':'}`);
        for await (const batch of this.rejectedRows(table, spec, SKIPPED_ROWS_LOGGED)) for (const r of batch) log(`${where(r)}${r.message}${raw(r)}`);
        return count;
      }
      case 'deadLetter': {
        const onRejects = this.options.onRejects;
        if (onRejects) for await (const rows of this.rejectedRows(table, spec)) await onRejects({ nodeId: spec.nodeId, reason: spec.reason, rows });
        return count;
      }
    }
  }

  /** Runs one op; says how many rows it wrote to a file and how many it rejected. */
  async runOp(stage: Stage, op: StageOp, hooks: LoadHooks = {}): Promise<OpOutcome> {
    await this.resolveInputs(stage, op);
    const nothing: OpOutcome = { written: 0, rejected: 0 };
    switch (op.op) {
      case 'materialize': {
        // A stage retried after a later op failed (a fused cast's rejects run before its load)
        // does not deliver the same dead letters again: the rejects query gives the same rows.
        const delivered = op.rejects && op.rejects.action !== 'fail' ? this.delivered.get(op.table) : undefined;
        if (delivered !== undefined) return { written: 0, rejected: delivered };
        try {
          if (op.deferred) {
            await this.materializeDeferred(stage, op);
          } else {
            const q = this.render(op.query);
            await this.run({ sql: `CREATE TABLE ${quoteIdent(op.table)} AS ${q.sql}`, params: q.params });
          }
        } catch (error) {
          const read = fileReads(op.query)[0];
          throw (read && explainReadError(error, read, stage.id)) ?? error;
        }
        if (!op.rejects) return nothing;
        const rejected = await this.handleRejects(op.table, op.rejects);
        this.delivered.set(op.table, rejected);
        return { written: 0, rejected };
      }
      case 'loadExcel':
        await loadExcel(this.conn, op, this.resolved.get(op.file.workspacePath) as string, { nodeId: stage.id, tempDir: this.options.tempDir });
        return nothing;
      case 'checkCsvHeader': {
        const file = this.resolved.get(op.file.workspacePath) as string;
        const reader = await this.conn
          .runAndReadAll(
            `SELECT * FROM read_csv(${quoteString(file)}, header = false, all_varchar = true, delim = ${quoteString(op.delimiter)}, quote = ${quoteString(op.quote)}${op.encoding ? `, encoding = ${quoteString(op.encoding)}` : ''}, null_padding = true, strict_mode = false, parallel = false) LIMIT 1`,
          )
          .catch((error: unknown) => {
            throw explainCsvError(error, op.file.workspacePath, stage.id) ?? error;
          });
        // null_padding pads short rows with NULLs when a later row is wider; those are not header cells.
        const cells = [...(reader.getRows()[0] ?? [])];
        while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
        const found = cells.map((v) => (v === null ? '' : String(v)));
        const same = found.length === op.expected.length && found.every((name, i) => name === op.expected[i]);
        if (!same) {
          const missing = op.expected.filter((n) => !found.includes(n));
          throw new AppError(
            'CSV_HEADER_MISMATCH',
            `The header of "${op.file.workspacePath}" does not match the declared columns${missing.length ? `: missing ${missing.map((m) => `"${m}"`).join(', ')}` : ''} (file has: ${found.join(', ') || 'nothing'}; declared: ${op.expected.join(', ')})`,
            { nodeId: stage.id, line: 1 },
          );
        }
        return nothing;
      }
      case 'failOnCsvRejects': {
        const rejects = quoteIdent(op.rejectsTable);
        const count = await this.scalar(`SELECT count(*) FROM ${rejects}`);
        if (count === 0) return nothing;
        const reader = await this.conn.runAndReadAll(`SELECT line, column_name, error_type, csv_line, error_message FROM ${rejects} ORDER BY line LIMIT 1`);
        const [line, column, type, raw, message] = reader.getRows()[0] ?? [];
        const lineNumber = Number(line);
        throw new AppError(
          'CSV_MALFORMED_ROW',
          `Line ${lineNumber} of "${op.file.workspacePath}" is malformed: ${String(message)}${column ? ` (column "${String(column)}")` : ''}. Raw line: ${String(raw)}${count > 1 ? `. ${count - 1} more malformed line(s) follow.` : ''}`,
          { nodeId: stage.id, line: lineNumber, errorType: String(type), rawLine: String(raw), rejectedRows: count },
        );
      }
      case 'javascript':
        await runJavaScript(this.conn, op, { nodeId: stage.id, tempDir: this.options.tempDir, ...(this.options.onLog ? { onLog: this.options.onLog } : {}) });
        return nothing;
      case 'extract': {
        const watermark = await runExtract(this.conn, op, {
          workspaceRoot: this.options.workspaceRoot,
          ...(this.options.connections ? { connections: this.options.connections } : {}),
          ...(this.options.watermarks?.[op.nodeId] ? { watermark: this.options.watermarks[op.nodeId] } : {}),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
          ...(this.options.onLog ? { onLog: this.options.onLog } : {}),
        });
        if (watermark) this.watermarks[op.nodeId] = watermark;
        return nothing;
      }
      case 'fetchHttp':
        await fetchHttpRecords(this.conn, op, { nodeId: stage.id, tempDir: this.options.tempDir, signal: this.options.signal, onLog: this.options.onLog, options: this.options.http });
        return nothing;
      case 'writeFile': {
        const final = await resolveOutputFile(this.options.outputRoot ?? this.options.workspaceRoot, op.file.workspacePath, stage.id);
        const temporary = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.tmp`);
        const q = this.render(op.query);
        const folder = (op.partitionBy?.length ?? 0) > 0;
        // Registered before writing, so a failed COPY's partial output is removed too.
        const pending = { stageId: stage.id, nodeId: stage.id, temporary, final, relative: op.file.workspacePath, rows: 0, folder };
        this.pendingFiles.push(pending);
        pending.rows = await this.run({ sql: `COPY (${q.sql}) TO ${quoteString(temporary)} (${copyOptions(op)})`, params: q.params });
        return { written: pending.rows, rejected: 0 };
      }
      case 'loadPostgres':
        return { written: (await loadPostgres(this.conn, op, this.render(op.query), this.loadContext(stage, hooks))).rows, rejected: 0 };
      case 'loadMysql':
        return { written: (await loadMysql(this.conn, op, this.render(op.query), this.loadContext(stage, hooks))).rows, rejected: 0 };
    }
  }
}

function asStageError(error: unknown, stage: Stage): AppError {
  if (error instanceof AppError) return error.details.nodeId ? error : new AppError(error.code, error.message, { ...error.details, nodeId: stage.id }, { cause: error });
  return new AppError('SQL_EXECUTION_FAILED', `${stage.kind} failed: ${errorMessage(error).split('\n')[0] ?? ''}`, { nodeId: stage.id }, { cause: error });
}

export async function executePlan(plan: ExecutionPlan, options: ExecuteOptions): Promise<ExecutionResult> {
  const { checkpoint, resume } = options;
  // DuckDB may touch only the workspace's files, the run's scratch folder and its checkpoints (duckdb.ts locks the rest away).
  const session = await openDuckSession(options.tempDir, {
    ...(options.memoryLimitMb !== undefined ? { memoryLimitMb: options.memoryLimitMb } : {}),
    allowedDirectories: [
      options.workspaceRoot,
      ...(options.outputRoot ? [options.outputRoot] : []),
      ...Object.values(options.readDirectories ?? {}),
      ...(checkpoint ? [checkpoint.dir] : []),
      ...(resume ? [resume.dir] : []),
    ],
  });
  const runner = new StageRunner(session.connection, options);
  const onAbort = () => session.connection.interrupt();
  options.signal?.addEventListener('abort', onAbort);
  const emit = async (event: StageEvent) => options.onStage?.(event);
  const policy = { ...defaultStagePolicy, ...options.policy };
  const rowsByTable = new Map<string, number>();
  /** Stages that failed or were skipped: whatever depends on them is skipped too. */
  const broken = new Set<string>();
  const failures: StageFailure[] = [];
  /** Stages whose work is done (succeeded, or reused from a checkpoint), with what they reported. */
  const finished = new Map<string, Omit<CheckpointStage, 'files'>>();
  let rowsRead = 0;
  let rowsWritten = 0;
  let rowsRejected = 0;
  const cancelled = (nodeId?: string) => new AppError('RUN_CANCELLED', 'The run was cancelled', nodeId ? { nodeId } : {});

  // Which stage makes each table, and which tables of other stages each stage reads (through however many fused subqueries).
  const producer = new Map<string, string>();
  for (const stage of plan.stages) for (const table of Object.values(stage.outputTables)) producer.set(table, stage.id);
  const reads = new Map<string, string[]>();
  for (const stage of plan.stages) {
    const text = JSON.stringify(stage.ops);
    reads.set(stage.id, [...producer.keys()].filter((table) => producer.get(table) !== stage.id && text.includes(JSON.stringify(table))));
  }
  // Each stage's tables are dropped once the last stage that reads them is done, so a run's
  // memory holds what is still needed, not every intermediate result (row counts are taken first).
  const lastReader = new Map<string, number>();
  plan.stages.forEach((stage, index) => {
    for (const table of Object.values(stage.outputTables)) lastReader.set(table, index);
    for (const table of reads.get(stage.id) ?? []) lastReader.set(table, Math.max(lastReader.get(table) ?? index, index));
  });
  const release = async (index: number) => {
    for (const [table, last] of lastReader) {
      if (last !== index) continue;
      lastReader.delete(table);
      await runner.drop(table);
    }
  };
  // A stage that did not finish needs its inputs again when the run is resumed: they stay until the end.
  const keepInputs = (stage: Stage) => {
    if (checkpoint) for (const table of reads.get(stage.id) ?? []) lastReader.delete(table);
  };

  let checkpointTried = false;
  /** Keeps what a resumed run needs; `published` says whether the pending files were published (else they are stashed). */
  const keepCheckpoint = async (published: boolean) => {
    if (!checkpoint || checkpointTried) return;
    checkpointTried = true;
    let outcome: CheckpointOutcome;
    try {
      if (finished.size === 0) throw new Error('no stage finished, so there is nothing to reuse');
      await rm(checkpoint.dir, { recursive: true, force: true });
      const files = new Map<string, CheckpointStage['files']>();
      if (!published) {
        for (const [i, f] of runner.pendingFiles.entries()) {
          if (!finished.has(f.stageId)) continue;
          const stash = String(i);
          await stashFile(checkpoint.dir, stash, f.temporary);
          files.set(f.stageId, [...(files.get(f.stageId) ?? []), { nodeId: f.nodeId, path: f.relative, rows: f.rows, folder: f.folder, stash }]);
        }
      }
      const needed = new Set<string>();
      for (const stage of plan.stages) {
        if (finished.has(stage.id)) continue;
        for (const table of reads.get(stage.id) ?? []) if (finished.has(producer.get(table) ?? '')) needed.add(table);
      }
      const tables = [...needed].map((table) => ({ table, stageId: producer.get(table) ?? '', rows: rowsByTable.get(table) ?? 0 }));
      const stages = [...finished.values()].map((s) => ({ ...s, files: files.get(s.stageId) ?? [] }));
      const { bytes } = await writeCheckpoint(session.connection, checkpoint.dir, { plan, stages, tables });
      outcome = { kept: true, stages: stages.length, tables: tables.length, files: [...files.values()].flat().length, bytes };
    } catch (error) {
      await rm(checkpoint.dir, { recursive: true, force: true }).catch(() => undefined);
      outcome = { kept: false, reason: errorMessage(error) };
    }
    await checkpoint.onOutcome?.(outcome);
  };

  /** Takes a finished stage's outputs from the checkpoint instead of executing it. */
  const reuse = async (stage: Stage, earlier: CheckpointStage, from: OpenedCheckpoint) => {
    for (const table of Object.values(stage.outputTables)) {
      const rows = from.tables.get(table);
      if (rows === undefined) continue;
      await reuseTable(session.connection, table);
      runner.views.add(table);
      rowsByTable.set(table, rows);
    }
    for (const file of earlier.files) await runner.restoreFile(stage, file, from);
    for (const source of earlier.sources) if (source.reached) runner.watermarks[source.nodeId] = source.reached;
    rowsRead += earlier.rowsRead;
    rowsWritten += earlier.rowsWritten;
    rowsRejected += earlier.rowsRejected;
    const { files: _files, ...counts } = earlier;
    finished.set(stage.id, counts);
    await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'reused', attempts: 0, ...(earlier.rowsIn !== null ? { rowsIn: earlier.rowsIn } : {}), rowsOut: earlier.rowsOut, rowsRejected: earlier.rowsRejected });
  };

  try {
    if (resume) await attachResumed(session.connection, resume);
    for (const [index, stage] of plan.stages.entries()) {
      try {
        if (options.signal?.aborted) throw cancelled();
        if (stage.dependsOn.some((id) => broken.has(id))) {
          broken.add(stage.id);
          keepInputs(stage);
          await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'skipped' });
          continue;
        }
        const earlier = resume?.stages.get(stage.id);
        if (resume && earlier) {
          await reuse(stage, earlier, resume);
          continue;
        }
        await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'running' });
        const outcome = await runStageWithRetries(runner, session.connection, stage, policy, options);
        if (!outcome.ok) {
          const { error } = outcome;
          keepInputs(stage);
          // A fused stage may have stored a node's rejects before a later op failed: they count, as their dead letters stay.
          const delivered = runner.deliveredBy(stage);
          rowsRejected += delivered;
          await emit({
            stageId: stage.id,
            nodeIds: stage.nodeIds,
            status: 'failed',
            attempts: outcome.attempts,
            ...(delivered > 0 ? { rowsRejected: delivered } : {}),
            error: { code: error.code, message: error.message },
          });
          if (error.code === 'RUN_CANCELLED' || policy.onBranchFailure === 'stopAll') {
            for (const later of plan.stages.slice(index + 1)) await emit({ stageId: later.id, nodeIds: later.nodeIds, status: 'skipped' });
            throw error;
          }
          broken.add(stage.id);
          failures.push({ stageId: stage.id, nodeIds: stage.nodeIds, error });
          runner.discardFiles(stage.id);
          continue;
        }
        const { written, rejected } = outcome;
        for (const table of Object.values(stage.outputTables)) rowsByTable.set(table, await runner.countRows(table));
        const inputTables = new Set(stage.ops.flatMap((op) => ('query' in op ? tableReferences(op.query) : [])).filter((t) => rowsByTable.has(t)));
        const rowsIn = [...inputTables].reduce((sum, t) => sum + (rowsByTable.get(t) ?? 0), 0);
        const outputs = Object.values(stage.outputTables);
        const rowsOut = outputs.length > 0 ? outputs.reduce((sum, t) => sum + (rowsByTable.get(t) ?? 0), 0) : written;
        // A source read every row it passed on or rejected.
        const read = stage.dependsOn.length === 0 ? rowsOut + rejected : 0;
        rowsRead += read;
        rowsWritten += written;
        rowsRejected += rejected;
        const reported = { rowsIn: stage.dependsOn.length === 0 ? rowsOut + rejected : rowsIn, rowsOut, rowsRejected: rejected };
        finished.set(stage.id, {
          stageId: stage.id,
          nodeIds: stage.nodeIds,
          ...reported,
          rowsRead: read,
          rowsWritten: written,
          sources: stage.ops.flatMap((op) => (op.op === 'extract' ? [{ nodeId: op.nodeId, before: options.watermarks?.[op.nodeId] ?? null, reached: runner.watermarks[op.nodeId] ?? null }] : [])),
        });
        await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'succeeded', attempts: outcome.attempts, ...reported });
      } finally {
        await release(index);
      }
    }
    // Destinations are the stages with no output tables. If none of them succeeded, the run failed with its first error.
    const first = failures[0];
    if (first && !plan.stages.some((s) => Object.keys(s.outputTables).length === 0 && !broken.has(s.id))) throw first.error;
    // Each destination of a branch that succeeded is published; a failed branch's never is.
    for (const f of runner.pendingFiles) await (f.folder ? publishOutput(f.temporary, f.final) : rename(f.temporary, f.final));
    if (failures.length > 0) await keepCheckpoint(true);
    return { rowsRead, rowsWritten, rowsRejected, files: runner.pendingFiles.map((f) => ({ nodeId: f.nodeId, path: f.relative, rows: f.rows })), failures, watermarks: runner.watermarks };
  } catch (error) {
    // A cancelled run keeps nothing: it is not resumed, it is started again.
    if (!options.signal?.aborted) await keepCheckpoint(false);
    throw options.signal?.aborted && !(error instanceof AppError && error.code === 'RUN_CANCELLED') ? cancelled() : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    session.close();
    await Promise.all(runner.pendingFiles.map((f) => rm(f.temporary, { force: true, recursive: f.folder })));
    await rm(options.tempDir, { recursive: true, force: true });
  }
}

/** Size, modification time and inode: what changes when a file is rewritten or replaced. */
async function fingerprint(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.size}:${s.mtimeNs}:${s.ino}`;
}

type StageOutcome = { ok: true; written: number; rejected: number; attempts: number } | { ok: false; error: AppError; attempts: number };

/**
 * Runs a stage's ops; a transient failure (see isTransientError) is retried
 * after an exponential, jittered delay, once the stage's half-made tables are
 * dropped. A stage running past its timeout is interrupted.
 */
async function runStageWithRetries(runner: StageRunner, conn: DuckDBConnection, stage: Stage, policy: StagePolicy, options: ExecuteOptions): Promise<StageOutcome> {
  for (let attempt = 1; ; attempt++) {
    const deadline = { passed: false };
    const timer = policy.stageTimeoutMs === null ? undefined : setTimeout(() => {
      deadline.passed = true;
      conn.interrupt();
    }, policy.stageTimeoutMs);
    try {
      const { written, rejected } = await runner.runStage(stage);
      if (deadline.passed) throw new Error('interrupted');
      return { ok: true, written, rejected, attempts: attempt };
    } catch (error) {
      if (options.signal?.aborted) return { ok: false, error: new AppError('RUN_CANCELLED', 'The run was cancelled', { nodeId: stage.id }), attempts: attempt };
      const appError = deadline.passed
        ? new AppError('STAGE_TIMEOUT', `${stage.kind} ran longer than its ${Math.round((policy.stageTimeoutMs ?? 0) / 1000)} s timeout and was stopped`, { nodeId: stage.id })
        : asStageError(error, stage);
      await runner.resetStage(stage);
      if (!isTransientError(error) || attempt > policy.retries) return { ok: false, error: appError, attempts: attempt };
      const delay = retryDelayMs(policy.retryDelayMs, attempt);
      options.onLog?.({ nodeId: stage.id, level: 'warn', message: `Attempt ${attempt} failed (${appError.message}); retrying in ${(delay / 1000).toFixed(1)} s` });
      await sleep(delay, options.signal);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Full jitter over an exponentially growing ceiling (attempt 1 → base, 2 → 2×base…), capped at 5 minutes. */
export function retryDelayMs(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(300_000, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
