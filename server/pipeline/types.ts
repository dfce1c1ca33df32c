// Column types as Sluice shows them to users. Each maps to one DuckDB type; the
// compiler propagates these without touching data.
import { z } from 'zod';

export const ColumnTypeSchema = z.enum(['string', 'integer', 'float', 'boolean', 'date', 'timestamp']);
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnSchema = z.object({
  name: z
    .string()
    .min(1, 'Column name is empty')
    .max(255)
    .refine((s) => !s.includes('\0'), 'Column name contains a NUL character'),
  type: ColumnTypeSchema,
});
export type Column = z.infer<typeof ColumnSchema>;

export const duckDbTypeOf: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  float: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** Maps a type DuckDB reports (e.g. from sniffing a file) to the nearest column type. */
export function columnTypeFromDuckDb(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL)$/.test(t) || t.startsWith('DECIMAL')) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  return 'string';
}

/** Whether `text` is a valid literal of `type`, as a user would type it in a form. */
export function parsesAs(type: ColumnType, text: string): boolean {
  const s = text.trim();
  switch (type) {
    case 'string':
      return true;
    case 'integer':
      return /^[+-]?\d+$/.test(s) && BigInt(s) >= INT64_MIN && BigInt(s) <= INT64_MAX;
    case 'float':
      // Decimal notation only: Number() would also accept 0x10, which DuckDB does not.
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && Number.isFinite(Number(s));
    case 'boolean':
      return /^(true|false)$/i.test(s);
    case 'date':
      return isCalendarDate(s);
    case 'timestamp': {
      const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(s);
      return !!m && isCalendarDate(m[1] ?? '') && Number(m[2] ?? 0) < 24 && Number(m[3] ?? 0) < 60 && Number(m[4] ?? 0) < 60;
    }
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** YYYY-MM-DD naming a day that exists (Date.parse would roll 2024-02-30 over to March). */
function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
