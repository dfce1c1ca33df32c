// Column types as Sluice shows them to users. Each maps to one DuckDB type; the
// compiler propagates these without touching data.
import { z } from 'zod';

export const ColumnTypeSchema = z.enum(['string', 'integer', 'float', 'boolean', 'date', 'timestamp']);
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnSchema = z.object({
  name: z.string().min(1, 'Column name is empty').max(255),
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
      return /^[+-]?\d+$/.test(s);
    case 'float':
      return s !== '' && Number.isFinite(Number(s));
    case 'boolean':
      return /^(true|false)$/i.test(s);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
    case 'timestamp':
      return /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T')));
  }
}
