// Source database types → Sluice column types. Every value travels as the
// database's own text form and DuckDB casts it to the mapped type, so a mapping
// is only right if that cast is exact: types with no exact counterpart
// (time, interval, money, uuid, json, arrays, binary…) stay strings.
import type { ColumnType } from '../pipeline/types';

/** PostgreSQL, by the base type's `pg_type.typname` (domains resolved to their base). */
export function columnTypeFromPostgres(typname: string): ColumnType {
  switch (typname) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      return 'integer';
    case 'float4':
    case 'float8':
    case 'numeric':
      return 'float';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
    case 'timestamptz':
      return 'timestamp';
    default:
      return 'string';
  }
}

/** MySQL / MariaDB, by information_schema DATA_TYPE (e.g. 'bigint', 'datetime'). */
export function columnTypeFromMysql(dataType: string): ColumnType {
  switch (dataType.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'year':
    case 'bit':
      return 'integer';
    case 'decimal':
    case 'numeric':
    case 'float':
    case 'double':
    case 'real':
      return 'float';
    case 'date':
      return 'date';
    case 'datetime':
    case 'timestamp':
      return 'timestamp';
    default:
      return 'string';
  }
}

/**
 * SQLite, by declared type. Dates, timestamps and booleans have no storage
 * class of their own; their conventional declared names are honoured first,
 * then SQLite's affinity rules (https://sqlite.org/datatype3.html §3.1).
 */
export function columnTypeFromSqlite(declared: string): ColumnType {
  const t = declared.toUpperCase();
  if (/^(DATETIME|TIMESTAMP)\b/.test(t)) return 'timestamp';
  if (/^DATE\b/.test(t)) return 'date';
  if (/^(BOOLEAN|BOOL)\b/.test(t)) return 'boolean';
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'string';
  if (t === '' || t.includes('BLOB')) return 'string';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'float';
  // NUMERIC affinity (NUMERIC, DECIMAL(10,2)…).
  return 'float';
}
