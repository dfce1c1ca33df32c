// From JSON records to DuckDB rows. Each value is checked against its declared
// column type here, so a misfit fails with the record and page it came from;
// what passes is written as text to NDJSON batch files and cast by DuckDB,
// which then cannot fail. Only one batch is in memory at a time.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckDbTypeOf, parsesAs, type Column, type ColumnType } from '../../pipeline/types';
import { quoteIdent, quoteString } from '../../sql/ast';

export type ValueResult = { ok: true; text: string | null } | { ok: false; reason: string };

const withOffset = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The text DuckDB casts into `type`, or why `value` does not fit it. Absent and null values are NULL. */
export function columnValue(value: unknown, type: ColumnType): ValueResult {
  if (value === undefined || value === null) return { ok: true, text: null };
  const misfit = (hint = ''): ValueResult => ({ ok: false, reason: `${describe(value)} is not ${type === 'integer' ? 'an' : 'a'} ${type}${hint}` });
  switch (type) {
    case 'string':
      return { ok: true, text: typeof value === 'string' ? value : JSON.stringify(value) };
    case 'integer':
      // Numbers beyond 2^53 have already lost digits in JSON.parse; the API should send them as strings.
      if (typeof value === 'number') return Number.isSafeInteger(value) ? { ok: true, text: String(value) } : misfit(Number.isInteger(value) ? ' that JSON numbers hold exactly (send it as a string)' : '');
      return typeof value === 'string' && parsesAs('integer', value) ? { ok: true, text: value.trim() } : misfit();
    case 'float':
      if (typeof value === 'number') return { ok: true, text: String(value) };
      return typeof value === 'string' && parsesAs('float', value) ? { ok: true, text: value.trim() } : misfit();
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, text: String(value) };
      return typeof value === 'string' && parsesAs('boolean', value) ? { ok: true, text: value.trim().toLowerCase() } : misfit();
    case 'date':
      return typeof value === 'string' && parsesAs('date', value) ? { ok: true, text: value.trim() } : misfit(' (expected YYYY-MM-DD)');
    case 'timestamp': {
      if (typeof value !== 'string') return misfit(' (expected text such as 2024-05-01T12:00:00Z)');
      const s = value.trim();
      const offset = withOffset.exec(s);
      if (offset) {
        // Stored as UTC: TIMESTAMP has no zone, and DuckDB's cast would drop the offset.
        const zone = offset[3]?.toUpperCase() === 'Z' ? 'Z' : (offset[3] ?? '').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2').replace(/^([+-]\d{2})$/, '$1:00');
        const ms = Date.parse(`${offset[1] ?? ''}T${offset[2] ?? ''}${zone}`);
        if (!parsesAs('timestamp', `${offset[1] ?? ''} ${offset[2] ?? ''}`) || Number.isNaN(ms)) return misfit();
        return { ok: true, text: new Date(ms).toISOString().replace('T', ' ').replace('Z', '') };
      }
      return parsesAs('timestamp', s) ? { ok: true, text: s } : misfit(' (expected text such as 2024-05-01T12:00:00Z)');
    }
  }
}

/** Appends rows to `table` through NDJSON batch files in `dir`. */
export class NdjsonTableLoader {
  private lines: string[] = [];
  private batches = 0;
  private readonly dir: string;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly table: string,
    private readonly columns: Column[],
    tempDir: string,
    private readonly batchRecords: number,
  ) {
    this.dir = path.join(tempDir, `http-${randomBytes(6).toString('hex')}`);
  }

  async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.conn.run(`CREATE TABLE ${quoteIdent(this.table)} (${this.columns.map((c) => `${quoteIdent(c.name)} ${duckDbTypeOf[c.type]}`).join(', ')})`);
  }

  /** `values` in column order, as columnValue made them. */
  async add(values: (string | null)[]): Promise<void> {
    // Keys by position, so column names never need to survive a JSON round trip.
    this.lines.push(JSON.stringify(Object.fromEntries(values.map((v, i) => [`c${i}`, v]))));
    if (this.lines.length >= this.batchRecords) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const file = path.join(this.dir, `batch-${String(this.batches++).padStart(6, '0')}.ndjson`);
    await writeFile(file, this.lines.join('\n') + '\n');
    this.lines = [];
    const declared = this.columns.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
    const casts = this.columns.map((c, i) => `CAST(${quoteIdent(`c${i}`)} AS ${duckDbTypeOf[c.type]})`).join(', ');
    await this.conn.run(`INSERT INTO ${quoteIdent(this.table)} SELECT ${casts} FROM read_json(${quoteString(file)}, format = 'newline_delimited', columns = {${declared}})`);
    await rm(file, { force: true });
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
