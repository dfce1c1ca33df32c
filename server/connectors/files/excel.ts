// Excel (.xlsx) sources. The workbook is read with exceljs's streaming reader:
// one row at a time, converted to text that fits its declared column and
// written to a temporary CSV in bounded batches, which DuckDB then reads with
// the declared types. The rows are never all in memory.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { AppError } from '../../errors';
import { parseCellRange, type CellRange, columnLetters } from '../../pipeline/excel-range';
import { duckDbTypeOf, parsesAs, type Column, type ColumnType } from '../../pipeline/types';
import { quoteIdent, quoteString } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';

/** Rows converted before they are handed to the file stream. */
export const EXCEL_BATCH_ROWS = 1_000;

type WorksheetReader = AsyncIterable<{ number: number; values: unknown }> & { name: string; iterator?: unknown };

/**
 * exceljs parks worksheets that precede the shared strings in temporary files,
 * deletes each one when the reader moves past it, possibly before the read stream
 * it opened on it has opened the file (that stream then fails with ENOENT, and
 * with nobody listening the process crashes), and keeps the descriptor of each
 * open until then. So every sheet handed out is closed here once the caller is
 * done with it, and a caller that stops early still lets the reader run out, so
 * that it deletes (and closes) every parked file; parked sheets are not parsed.
 */
function closeSheet(sheet: WorksheetReader): void {
  const stream = sheet.iterator;
  if (stream instanceof Readable) {
    stream.on('error', () => undefined);
    stream.destroy();
  }
}

/** Streams the worksheets of a workbook; stopping early closes and deletes everything exceljs opened. */
async function* worksheets(absolutePath: string): AsyncGenerator<WorksheetReader> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(absolutePath, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  const sheets = (reader as unknown as AsyncIterable<WorksheetReader>)[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (let next = await sheets.next(); !next.done; next = await sheets.next()) {
      try {
        yield next.value;
      } finally {
        closeSheet(next.value);
      }
    }
    finished = true;
  } catch (error) {
    finished = true;
    throw new AppError('FILE_MALFORMED', `The file could not be read as an Excel workbook (.xlsx): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (!finished) await runOut(sheets);
    // exceljs opens the file itself and does not close it when iteration stops early.
    (reader as unknown as { stream?: Readable }).stream?.destroy();
  }
}

async function runOut(sheets: AsyncIterator<WorksheetReader>): Promise<void> {
  try {
    for (let next = await sheets.next(); !next.done; next = await sheets.next()) closeSheet(next.value);
  } catch {
    // The caller already has its answer (or its own error); a later broken part changes neither.
  }
}

/** A cell's own value: formulas give their result, rich text and hyperlinks their text. */
function cellValue(raw: unknown): unknown {
  if (raw === null || raw === undefined || typeof raw !== 'object' || raw instanceof Date) return raw;
  const v = raw as { result?: unknown; formula?: unknown; sharedFormula?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown };
  if (v.formula !== undefined || v.sharedFormula !== undefined) return cellValue(v.result);
  if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
  if (typeof v.text === 'string') return v.text;
  if (typeof v.error === 'string') return { error: v.error };
  return raw;
}

/** A cell value as plain text, for header names and messages. */
function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return isoTimestamp(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const isoDate = (d: Date): string => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const hasTime = (d: Date): boolean => d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds() + d.getUTCMilliseconds() > 0;
// Excel stores wall-clock times without a zone; exceljs hands them over as UTC.
const isoTimestamp = (d: Date): string =>
  `${isoDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : ''}`;

/** The text of a cell as its declared type reads it, null for an empty cell, or why it does not fit. */
export function cellText(raw: unknown, type: ColumnType): { ok: true; text: string | null } | { ok: false; reason: string } {
  const value = cellValue(raw);
  if (value === null || value === undefined) return { ok: true, text: null };
  const shown = plainText(value);
  const misfit = { ok: false as const, reason: `${JSON.stringify(shown)} is not ${type === 'integer' ? 'an integer' : `a ${type}`}` };
  if (typeof value === 'object' && 'error' in value) return { ok: false, reason: `the cell holds the Excel error ${plainText(value.error)}` };
  switch (type) {
    case 'string':
      if (value instanceof Date) return { ok: true, text: hasTime(value) ? isoTimestamp(value) : isoDate(value) };
      return { ok: true, text: shown };
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? { ok: true, text: String(value) } : misfit;
      return typeof value === 'string' && parsesAs('integer', value) ? { ok: true, text: value.trim() } : misfit;
    case 'float':
      if (typeof value === 'number') return { ok: true, text: String(value) };
      return typeof value === 'string' && parsesAs('float', value) ? { ok: true, text: value.trim() } : misfit;
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, text: String(value) };
      return typeof value === 'string' && parsesAs('boolean', value) ? { ok: true, text: value.trim().toLowerCase() } : misfit;
    case 'date':
      if (value instanceof Date) return hasTime(value) ? { ok: false, reason: `${shown} has a time of day; declare the column as timestamp` } : { ok: true, text: isoDate(value) };
      return typeof value === 'string' && parsesAs('date', value) ? { ok: true, text: value.trim() } : misfit;
    case 'timestamp':
      if (value instanceof Date) return { ok: true, text: isoTimestamp(value) };
      return typeof value === 'string' && parsesAs('timestamp', value) ? { ok: true, text: value.trim() } : misfit;
  }
}

const csvField = (text: string | null): string => (text === null ? '' : `"${text.replace(/"/g, '""')}"`);

function cellsOf(values: unknown, range: CellRange, count: number): unknown[] {
  const cells = Array.isArray(values) ? (values as unknown[]) : [];
  return Array.from({ length: count }, (_, i) => cells[range.firstColumn + i]);
}

async function write(out: WriteStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
    out.once('drain', resolve);
    out.once('error', reject);
  });
}

export interface ExcelContext {
  nodeId: string;
  tempDir: string;
  /** Workspace path as the user wrote it, for messages. */
  file?: string;
}

/** Streams the sheet into `op.table`; returns the number of rows loaded. */
export async function loadExcel(conn: DuckDBConnection, op: Extract<StageOp, { op: 'loadExcel' }>, absolutePath: string, ctx: ExcelContext): Promise<number> {
  const file = ctx.file ?? op.file.workspacePath;
  const range = parseCellRange(op.range ?? '', op.columns.length);
  const staged = path.join(ctx.tempDir, `excel-${randomUUID()}.csv`);
  const fail = (message: string, details: Record<string, unknown> = {}) => new AppError('FILE_MALFORMED', message, { nodeId: ctx.nodeId, ...details });
  const seen: string[] = [];
  let found = false;
  let headerSeen = op.headerRow === 0;
  let rows = 0;
  const out = createWriteStream(staged, { flags: 'wx' });
  try {
    for await (const sheet of worksheets(absolutePath)) {
      seen.push(sheet.name);
      if (op.sheet ? sheet.name !== op.sheet : seen.length > 1) continue;
      found = true;
      const sheetName = sheet.name;
      let batch: string[] = [];
      for await (const row of sheet) {
        if (row.number === op.headerRow) {
          headerSeen = true;
          const names = cellsOf(row.values, range, op.columns.length).map((c) => plainText(cellValue(c)).trim());
          const expected = op.columns.map((c) => c.name);
          if (names.some((n, i) => n !== expected[i])) {
            throw new AppError(
              'FILE_HEADER_MISMATCH',
              `Row ${row.number} of sheet "${sheetName}" in "${file}" does not hold the declared column names (sheet has: ${names.join(', ') || 'nothing'}; declared: ${expected.join(', ')})`,
              { nodeId: ctx.nodeId, line: row.number },
            );
          }
          continue;
        }
        if (row.number <= op.headerRow || row.number < range.firstRow) continue;
        if (range.lastRow !== undefined && row.number > range.lastRow) break;
        const cells = cellsOf(row.values, range, op.columns.length);
        if (cells.every((c) => cellValue(c) === null || cellValue(c) === undefined)) continue;
        const fields = cells.map((cell, i) => {
          const column = op.columns[i] as Column;
          const text = cellText(cell, column.type);
          if (!text.ok) {
            const address = `${columnLetters(range.firstColumn + i)}${row.number}`;
            throw fail(`Cell ${address} of sheet "${sheetName}" in "${file}" (column "${column.name}") does not fit: ${text.reason}`, { line: row.number, cell: address });
          }
          return csvField(text.text);
        });
        batch.push(`${fields.join(',')}\n`);
        rows++;
        if (batch.length >= EXCEL_BATCH_ROWS) {
          await write(out, batch.join(''));
          batch = [];
        }
      }
      await write(out, batch.join(''));
      break;
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (!found) {
      throw fail(op.sheet ? `"${file}" has no sheet named "${op.sheet}" (sheets: ${seen.join(', ') || 'none'})` : `"${file}" has no sheets`);
    }
    if (!headerSeen) throw fail(`Sheet "${op.sheet ?? seen[0] ?? ''}" in "${file}" has no header row ${op.headerRow} (it is empty)`, { line: op.headerRow });
    const columns = op.columns.map((c) => `${quoteString(c.name)}: ${quoteString(duckDbTypeOf[c.type])}`).join(', ');
    await conn.run(
      `CREATE TABLE ${quoteIdent(op.table)} AS SELECT * FROM read_csv(${quoteString(staged)}, auto_detect = false, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${columns}})`,
    );
    return rows;
  } finally {
    out.destroy();
    await rm(staged, { force: true });
  }
}

export interface InspectedExcel {
  sheet: string;
  headerRow: number;
  columns: Column[];
}

/** Rows looked at to guess column types when a workbook is uploaded. */
const INSPECT_ROWS = 500;

function guessType(values: unknown[]): ColumnType {
  const present = values.map(cellValue).filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'string';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'number')) return present.every((v) => Number.isSafeInteger(v)) ? 'integer' : 'float';
  if (present.every((v) => v instanceof Date)) return present.some((v) => v instanceof Date && hasTime(v)) ? 'timestamp' : 'date';
  return 'string';
}

/** The first sheet's header row (row 1) and column types guessed from the rows below it. */
export async function inspectExcel(absolutePath: string): Promise<InspectedExcel> {
  for await (const sheet of worksheets(absolutePath)) {
    let names: string[] | undefined;
    const samples: unknown[][] = [];
    for await (const row of sheet) {
      const values = Array.isArray(row.values) ? (row.values as unknown[]) : [];
      if (row.number === 1) {
        // Array.from visits the holes exceljs leaves for empty cells, which map would skip.
        names = Array.from(values.slice(1), (v, i) => plainText(cellValue(v)).trim() || `column_${i + 1}`);
        continue;
      }
      samples.push(values.slice(1));
      if (samples.length >= INSPECT_ROWS) break;
    }
    if (!names || names.length === 0) throw new AppError('BAD_INPUT', `The first sheet ("${sheet.name}") has no header in row 1`);
    const header = names;
    return { sheet: sheet.name, headerRow: 1, columns: header.map((name, i) => ({ name, type: guessType(samples.map((s) => s[i])) })) };
  }
  throw new AppError('BAD_INPUT', 'The workbook has no sheets');
}
