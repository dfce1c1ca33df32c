// Runs an execution plan on DuckDB. Every stage materialises its outputs as
// tables, so the next stage reads them by name; data never passes through Node.
// Files are written under temporary names and renamed only after every stage
// has succeeded, so a failed run leaves its destinations untouched.
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { ExecutionPlan, Stage } from '../compiler/compile';
import type { ConnectionResolver } from '../connectors/connection';
import type { LoadContext, LoadIdentity } from '../connectors/load';
import { loadMysql } from '../connectors/mysql/load';
import { loadPostgres } from '../connectors/postgres/load';
import { AppError, errorMessage } from '../errors';
import { quoteIdent, quoteString, renderSelect, type FileRef, type RenderedSql, type Select } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import { openDuckSession } from './duckdb';
import { resolveExistingFile, resolveOutputFile } from './files';
import { runJavaScript } from './javascript';

export type StageStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StageEvent {
  stageId: string;
  nodeIds: string[];
  status: StageStatus;
  rowsIn?: number;
  rowsOut?: number;
  error?: { code: string; message: string };
}

export interface ExecuteOptions {
  /** Folder that workspace-relative paths resolve against. */
  workspaceRoot: string;
  /** Scratch folder for DuckDB spilling; removed afterwards. */
  tempDir: string;
  signal?: AbortSignal;
  onStage?: (event: StageEvent) => void | Promise<void>;
  /** Settings of the connections that database sources and destinations name. */
  connections?: ConnectionResolver;
  /** Which run and attempt this is; database destinations record it so a retry never loads twice. Ad hoc runs get a fresh id. */
  load?: LoadIdentity;
  /** Lines a stage wants in the run log (console output of JavaScript nodes). */
  onLog?: (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => void;
}

export interface WrittenFile {
  nodeId: string;
  path: string;
  rows: number;
}

export interface ExecutionResult {
  rowsRead: number;
  rowsWritten: number;
  files: WrittenFile[];
}

interface PendingFile {
  nodeId: string;
  temporary: string;
  final: string;
  relative: string;
  rows: number;
}

class StageRunner {
  /** Resolved absolute paths by workspace path, filled before rendering. */
  private readonly resolved = new Map<string, string>();
  readonly pendingFiles: PendingFile[] = [];
  private readonly identity: LoadIdentity;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly options: ExecuteOptions,
  ) {
    this.identity = options.load ?? { runId: `adhoc-${randomBytes(8).toString('hex')}`, pipelineId: 'adhoc', attempt: 1 };
  }

  private loadContext(stage: Stage): LoadContext {
    const { connections, signal, tempDir } = this.options;
    return { nodeId: stage.id, tempDir, identity: this.identity, ...(connections ? { connections } : {}), ...(signal ? { signal } : {}) };
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
    const files: FileRef[] = [];
    if (op.op === 'checkCsvHeader' || op.op === 'failOnCsvRejects') files.push(op.file);
    if (op.op === 'materialize' && op.query.from.t === 'readCsv') files.push(op.query.from.file);
    for (const f of files) {
      if (!this.resolved.has(f.workspacePath)) {
        this.resolved.set(f.workspacePath, await resolveExistingFile(this.options.workspaceRoot, f.workspacePath, stage.id));
      }
    }
  }

  private async run(sql: RenderedSql): Promise<number> {
    const params: DuckDBValue[] = sql.params;
    const result = await this.conn.run(sql.sql, params);
    return result.rowsChanged;
  }

  private async scalar(sql: string): Promise<number> {
    const reader = await this.conn.runAndReadAll(sql);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  async countRows(table: string): Promise<number> {
    return this.scalar(`SELECT count(*) FROM ${quoteIdent(table)}`);
  }

  /** Runs one op; returns the rows it wrote when it writes a file. */
  async runOp(stage: Stage, op: StageOp): Promise<number | undefined> {
    await this.resolveInputs(stage, op);
    switch (op.op) {
      case 'materialize': {
        const q = this.render(op.query);
        await this.run({ sql: `CREATE TABLE ${quoteIdent(op.table)} AS ${q.sql}`, params: q.params });
        return undefined;
      }
      case 'checkCsvHeader': {
        const file = this.resolved.get(op.file.workspacePath) as string;
        const reader = await this.conn.runAndReadAll(
          `SELECT * FROM read_csv(${quoteString(file)}, header = false, all_varchar = true, delim = ${quoteString(op.delimiter)}, quote = ${quoteString(op.quote)}, null_padding = true, strict_mode = false, parallel = false) LIMIT 1`,
        );
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
        return undefined;
      }
      case 'failOnCsvRejects': {
        const rejects = quoteIdent(op.rejectsTable);
        const count = await this.scalar(`SELECT count(*) FROM ${rejects}`);
        if (count === 0) return undefined;
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
        return undefined;
      case 'writeFile': {
        const final = await resolveOutputFile(this.options.workspaceRoot, op.file.workspacePath, stage.id);
        const temporary = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.tmp`);
        const q = this.render(op.query);
        const format = op.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet';
        const rows = await this.run({ sql: `COPY (${q.sql}) TO ${quoteString(temporary)} (${format})`, params: q.params });
        this.pendingFiles.push({ nodeId: stage.id, temporary, final, relative: op.file.workspacePath, rows });
        return rows;
      }
      case 'loadPostgres':
        return (await loadPostgres(this.conn, op, this.render(op.query), this.loadContext(stage))).rows;
      case 'loadMysql':
        return (await loadMysql(this.conn, op, this.render(op.query), this.loadContext(stage))).rows;
    }
  }
}

function asStageError(error: unknown, stage: Stage): AppError {
  if (error instanceof AppError) return error.details.nodeId ? error : new AppError(error.code, error.message, { ...error.details, nodeId: stage.id }, { cause: error });
  return new AppError('SQL_EXECUTION_FAILED', `${stage.kind} failed: ${errorMessage(error).split('\n')[0] ?? ''}`, { nodeId: stage.id }, { cause: error });
}

export async function executePlan(plan: ExecutionPlan, options: ExecuteOptions): Promise<ExecutionResult> {
  // DuckDB may touch only the workspace's files and the run's scratch folder (duckdb.ts locks the rest away).
  const session = await openDuckSession(options.tempDir, { allowedDirectories: [options.workspaceRoot] });
  const runner = new StageRunner(session.connection, options);
  const onAbort = () => session.connection.interrupt();
  options.signal?.addEventListener('abort', onAbort);
  const emit = async (event: StageEvent) => options.onStage?.(event);
  const rowsByTable = new Map<string, number>();
  let rowsRead = 0;
  let rowsWritten = 0;
  try {
    for (const [index, stage] of plan.stages.entries()) {
      if (options.signal?.aborted) throw new AppError('RUN_CANCELLED', 'The run was cancelled');
      await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'running' });
      let written = 0;
      try {
        for (const op of stage.ops) written += (await runner.runOp(stage, op)) ?? 0;
        for (const table of Object.values(stage.outputTables)) rowsByTable.set(table, await runner.countRows(table));
      } catch (error) {
        const appError = options.signal?.aborted ? new AppError('RUN_CANCELLED', 'The run was cancelled', { nodeId: stage.id }) : asStageError(error, stage);
        await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'failed', error: { code: appError.code, message: appError.message } });
        for (const later of plan.stages.slice(index + 1)) await emit({ stageId: later.id, nodeIds: later.nodeIds, status: 'skipped' });
        throw appError;
      }
      const inputTables = stage.ops.flatMap((op) => 'query' in op && op.query.from.t === 'table' ? [op.query.from.name] : []);
      const rowsIn = inputTables.reduce((sum, t) => sum + (rowsByTable.get(t) ?? 0), 0);
      const outputs = Object.values(stage.outputTables);
      const rowsOut = outputs.length > 0 ? outputs.reduce((sum, t) => sum + (rowsByTable.get(t) ?? 0), 0) : written;
      if (stage.dependsOn.length === 0) rowsRead += rowsOut;
      rowsWritten += written;
      await emit({ stageId: stage.id, nodeIds: stage.nodeIds, status: 'succeeded', rowsIn: stage.dependsOn.length === 0 ? rowsOut : rowsIn, rowsOut });
    }
    // Every stage succeeded: publish the files.
    for (const f of runner.pendingFiles) await rename(f.temporary, f.final);
    return { rowsRead, rowsWritten, files: runner.pendingFiles.map((f) => ({ nodeId: f.nodeId, path: f.relative, rows: f.rows })) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    session.close();
    await Promise.all(runner.pendingFiles.map((f) => rm(f.temporary, { force: true })));
    await rm(options.tempDir, { recursive: true, force: true });
  }
}
