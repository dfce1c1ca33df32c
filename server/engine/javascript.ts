// The JavaScript node's engine side: rows leave DuckDB in batches, go through
// the user's function in the sandbox (server/sandbox), and come back as
// newline-delimited JSON files that DuckDB reads into the declared columns.
// Data crosses Node only batch by batch, never whole.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JsonDuckDBValueConverter, type DuckDBConnection, type Json } from '@duckdb/node-api';
import { AppError } from '../errors';
import { duckDbTypeOf } from '../pipeline/types';
import { createJsSandbox } from '../sandbox/pool';
import { SandboxError } from '../sandbox/errors';
import { quoteIdent, quoteString } from '../sql/ast';
import type { StageOp } from '../sql/ops';

type JavaScriptOp = Extract<StageOp, { op: 'javascript' }>;

export interface JavaScriptContext {
  nodeId: string;
  tempDir: string;
  onLog?: (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => void;
}

export async function runJavaScript(conn: DuckDBConnection, op: JavaScriptOp, ctx: JavaScriptContext): Promise<void> {
  const dir = path.join(ctx.tempDir, `js-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  const integers = new Set(op.inputColumns.filter((c) => c.type === 'integer').map((c) => c.name));
  const sandbox = createJsSandbox({
    code: op.code,
    timeoutMs: op.timeoutMs,
    memoryMb: op.memoryMb,
    onLog: (line) => ctx.onLog?.({ nodeId: ctx.nodeId, level: line.level === 'error' ? 'error' : line.level === 'warn' ? 'warn' : 'info', message: line.message }),
  });
  const files: string[] = [];
  const runBatch = async (rows: Record<string, Json>[]) => {
    const out = await sandbox.runBatch(rows);
    const file = path.join(dir, `batch-${String(files.length).padStart(6, '0')}.ndjson`);
    await writeFile(file, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
    files.push(file);
  };
  try {
    // Streamed chunk by chunk (about 2,048 rows each), so only one batch is ever in Node's memory.
    const result = await conn.stream(`SELECT * FROM ${quoteIdent(op.input)} ORDER BY rowid`);
    const names = result.columnNames();
    let pending: Record<string, Json>[] = [];
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (const values of chunk.convertRows(JsonDuckDBValueConverter)) {
        const row: Record<string, Json> = {};
        names.forEach((name, i) => {
          const v = values[i] ?? null;
          // BIGINTs arrive as text in DuckDB's JSON form; users expect numbers where they are exact.
          row[name] = integers.has(name) && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
        });
        pending.push(row);
      }
      while (pending.length >= op.batchRows) {
        await runBatch(pending.slice(0, op.batchRows));
        pending = pending.slice(op.batchRows);
      }
    }
    if (pending.length > 0) await runBatch(pending);
  } catch (error) {
    if (error instanceof SandboxError) {
      const line = error.details.line;
      throw new AppError(error.code, `${error.message}${line !== undefined && !error.message.includes('line') ? ` (line ${line})` : ''}`, {
        nodeId: ctx.nodeId,
        ...(line !== undefined ? { codeLine: line } : {}),
      });
    }
    throw error;
  } finally {
    await sandbox.close();
  }

  const columns = op.columns.map((c) => `${quoteIdent(c.name)} ${duckDbTypeOf[c.type]}`).join(', ');
  try {
    if (files.length === 0) {
      await conn.run(`CREATE TABLE ${quoteIdent(op.table)} (${columns})`);
    } else {
      const declared = op.columns.map((c) => `${quoteString(c.name)}: ${quoteString(duckDbTypeOf[c.type])}`).join(', ');
      const list = `[${files.map(quoteString).join(', ')}]`;
      await conn.run(
        `CREATE TABLE ${quoteIdent(op.table)} AS SELECT ${op.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM read_json(${list}, format = 'newline_delimited', columns = {${declared}})`,
      );
    }
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    throw new AppError('JS_INVALID_OUTPUT', `The rows your function returned do not fit the declared columns: ${message.replace(/^[A-Za-z ]+Error: /, '')}`, { nodeId: ctx.nodeId });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
