// A small SQL AST for what the compiler emits. Identifiers are always quoted,
// user values are bound parameters, and engine-controlled constants (resolved
// file paths, CSV options) are rendered as escaped literals. Nothing here pastes
// user text into SQL.
import { duckDbTypeOf, type ColumnType } from '../pipeline/types';

export type SqlValue = string | number | boolean | null;

export type Expr =
  /** A column, optionally qualified by a relation alias (joins). */
  | { t: 'column'; name: string; table?: string }
  | { t: 'param'; value: SqlValue }
  | { t: 'literal'; value: SqlValue }
  /**
   * `orNull`: TRY_CAST, a value that does not convert becomes NULL instead of failing.
   * 'timestamptz' only as a step: text with a UTC offset, then timezone('UTC', …) back to a naive UTC timestamp.
   */
  | { t: 'cast'; expr: Expr; to: ColumnType | 'timestamptz'; orNull?: boolean }
  /** IS NOT DISTINCT FROM: equality under which NULL matches NULL (join keys that may be NULL). */
  | { t: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>=' | 'IS NOT DISTINCT FROM'; left: Expr; right: Expr }
  | { t: 'logical'; op: 'AND' | 'OR'; items: Expr[] }
  | { t: 'not'; expr: Expr }
  | { t: 'isNull'; expr: Expr; negated: boolean }
  | { t: 'call'; fn: ScalarFunction; args: Expr[] }
  | { t: 'aggregate'; fn: AggregateFunction; args: Expr[]; distinct?: boolean; orderBy?: OrderItem[]; filter?: Expr }
  | { t: 'window'; fn: WindowFunction; args: Expr[]; partitionBy: Expr[]; orderBy: OrderItem[]; frame?: WindowFrame }
  | { t: 'in'; expr: Expr; list: Expr[]; negated: boolean }
  | { t: 'between'; expr: Expr; low: Expr; high: Expr }
  | { t: 'case'; when: { condition: Expr; then: Expr }[]; else?: Expr }
  /** A list value, `[a, b]`. */
  | { t: 'list'; items: Expr[] }
  /**
   * One row per element of `list` (a select item; several in one SELECT are
   * zipped). `position`: the element's 1-based position instead of the element.
   */
  | { t: 'unnest'; list: Expr; position?: boolean }
  /** A fixed interval of a whole number of units, e.g. INTERVAL 15 MINUTE. */
  | { t: 'interval'; amount: number; unit: IntervalUnit }
  /**
   * A DuckDB lambda for list functions (list_transform). Parameter names are
   * chosen by the compiler, never by users; the body refers to them as columns
   * (a lambda parameter shadows a column of the same name).
   */
  | { t: 'lambda'; params: string[]; body: Expr }
  /**
   * A user-written DuckDB expression. Only ever built from text that
   * engine/expression-guard.ts accepted (one expression, no subqueries, no table
   * functions); rendered in parentheses so it stays one operand.
   */
  | { t: 'checkedSql'; sql: string };

/** Scalar functions the compiler may call; a closed list, never a user string. */
export type ScalarFunction =
  | 'contains'
  | 'starts_with'
  | 'lower'
  | 'upper'
  | 'trim'
  | 'regexp_matches'
  | 'coalesce'
  | 'date_trunc'
  | 'hash'
  | 'regexp_replace'
  | 'concat'
  | 'length'
  | 'round'
  | 'date_part'
  /** Literal-delimiter split into a list ('' splits into characters). */
  | 'string_split'
  | 'regexp_split_to_array'
  | 'regexp_extract_all'
  /** 1-based; NULL past the end of the list. */
  | 'list_extract'
  | 'list_transform'
  | 'array_to_string'
  /** Skips NULL arguments. */
  | 'concat_ws'
  | 'left'
  | 'substr'
  /** NULL instead of failing when the text does not match the format. */
  | 'try_strptime'
  | 'strftime'
  /** timezone(zone, TIMESTAMP) → the instant; timezone(zone, TIMESTAMPTZ) → wall-clock time in zone. */
  | 'timezone'
  /** Fails the query with the given message when evaluated (only for rows that reach it). */
  | 'json_extract_string'
  | 'json_valid'
  | 'json_type'
  | 'json_object'
  | 'time_bucket'
  | 'generate_series'
  | 'len'
  /** Fails the query with its argument as the message (row context for bad data). */
  | 'error';

export type IntervalUnit = 'second' | 'minute' | 'hour' | 'day' | 'week';

export type AggregateFunction =
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'median'
  | 'stddev_samp'
  | 'var_samp'
  | 'quantile_cont'
  | 'first'
  | 'last'
  | 'string_agg'
  | 'bool_or'
  | 'bool_and';

export type WindowFunction =
  | 'row_number'
  | 'rank'
  | 'dense_rank'
  | 'ntile'
  | 'lag'
  | 'lead'
  | 'first_value'
  | 'last_value'
  | AggregateFunction;

export interface OrderItem {
  expr: Expr;
  descending?: boolean;
  nullsFirst?: boolean;
}

/** ROWS BETWEEN n PRECEDING AND CURRENT ROW, or RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW. */
export type WindowFrame = { unit: 'rows'; preceding: number | 'unbounded'; following?: 'unbounded' } | { unit: 'range'; precedingSeconds: number };

/** A reference to a file that the engine resolves (and confines) at run time. */
export interface FileRef {
  workspacePath: string;
}

/** Text encodings DuckDB's CSV reader decodes without an extension. */
export type CsvEncoding = 'utf-8' | 'utf-16' | 'latin-1';

export interface CsvReadOptions {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  columns: { name: string; type: ColumnType }[];
  /** Default utf-8. 'utf-16' is little-endian (DuckDB reads big-endian files as empty). */
  encoding?: CsvEncoding;
  /** Default true: a quoted empty field ("") is NULL, like an unquoted one. False keeps it as ''. */
  quotedEmptyIsNull?: boolean;
}

/**
 * What a CSV line that does not fit the declared columns does to the read: it
 * fails the query; it is left out; or it is left out and recorded in
 * `rejectsTable` (DuckDB's rejects table, one row per error, with the line's
 * number and text). Whenever lines are left out, every declared column of
 * every line is converted, even where the query reads fewer, so the rows a
 * read yields never depend on the columns it reads.
 */
export type CsvLineErrors = { t: 'fail' } | { t: 'skip' } | { t: 'record'; rejectsTable: string };

/** JSON layouts: one array of objects, or one object per line (NDJSON); 'auto' lets DuckDB tell. */
export type JsonFormat = 'array' | 'ndjson' | 'auto';

export interface JsonReadOptions {
  format: JsonFormat;
  /** string columns receive nested objects and arrays as JSON text. */
  columns: { name: string; type: ColumnType }[];
}

export type Relation =
  | { t: 'table'; name: string; alias?: string }
  | { t: 'readCsv'; file: FileRef; options: CsvReadOptions; lineErrors: CsvLineErrors }
  | { t: 'readJson'; file: FileRef; options: JsonReadOptions }
  /** All of a Parquet file's columns, as stored; select and cast over it. */
  | { t: 'readParquet'; file: FileRef }
  | { t: 'subquery'; query: Select; alias: string }
  | { t: 'join'; kind: JoinKind; left: Relation; right: Relation; on: Expr }
  /** UNION ALL BY NAME: columns matched by name, missing ones NULL. */
  | { t: 'unionByName'; inputs: Select[]; alias: string }
  /**
   * A user-written DuckDB query (the SQL node) over named relations. Only ever
   * built from text that engine/statement-guard.ts accepted for exactly these
   * binding names; rendered as `(WITH <name> AS (SELECT * FROM <relation>), …
   * SELECT * FROM (\n<sql>\n) AS "sql") AS <alias>`, the parentheses on lines
   * of their own as the guard checked them.
   */
  | { t: 'checkedQuery'; sql: string; bindings: { name: string; relation: Relation }[]; alias: string };

/** A query's text as the statement guard checks and the renderer embeds it: one trailing ";" dropped. */
export function queryText(sql: string): string {
  return sql.replace(/;\s*$/, '');
}

export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export type SampleSpec = { kind: 'rows'; rows: number; seed?: number } | { kind: 'percent'; percent: number; seed?: number };

export interface SelectItem {
  expr: Expr;
  as?: string;
}

export interface Select {
  t: 'select';
  items: SelectItem[] | '*';
  from: Relation;
  where?: Expr;
  groupBy?: Expr[];
  /** Filter on window results (DuckDB's QUALIFY), e.g. keep the first row per key. */
  qualify?: Expr;
  orderBy?: OrderItem[];
  limit?: number;
  offset?: number;
  sample?: SampleSpec;
}

// ── Builders ────────────────────────────────────────────────────────────────
export const col = (name: string): Expr => ({ t: 'column', name });
export const param = (value: SqlValue): Expr => ({ t: 'param', value });
export const cast = (expr: Expr, to: ColumnType): Expr => ({ t: 'cast', expr, to });
export const table = (name: string): Relation => ({ t: 'table', name });
export const selectAll = (from: Relation, where?: Expr): Select => ({ t: 'select', items: '*', from, ...(where ? { where } : {}) });
export const selectColumns = (names: string[], from: Relation, where?: Expr): Select => ({
  t: 'select',
  items: names.map((n) => ({ expr: col(n) })),
  from,
  ...(where ? { where } : {}),
});

// ── Rendering ───────────────────────────────────────────────────────────────
export interface RenderContext {
  /** Turns a workspace-relative path into an absolute, confined one. */
  resolveFile(ref: FileRef): string;
}

export interface RenderedSql {
  sql: string;
  params: SqlValue[];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(value: string): string {
  if (value.includes('\0')) throw new Error('String literal contains a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

function nonNegativeInteger(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Expected a non-negative integer, got ${n}`);
  return String(n);
}

function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot render ${value} as SQL`);
    return String(value);
  }
  return quoteString(value);
}

class Renderer {
  readonly params: SqlValue[] = [];
  constructor(private readonly ctx: RenderContext) {}

  expr(e: Expr): string {
    switch (e.t) {
      case 'column':
        return e.table === undefined ? quoteIdent(e.name) : `${quoteIdent(e.table)}.${quoteIdent(e.name)}`;
      case 'param':
        this.params.push(e.value);
        return `$${this.params.length}`;
      case 'literal':
        return literal(e.value);
      case 'cast':
        return `${e.orNull ? 'TRY_CAST' : 'CAST'}(${this.expr(e.expr)} AS ${e.to === 'timestamptz' ? 'TIMESTAMPTZ' : duckDbTypeOf[e.to]})`;
      case 'compare':
        return `(${this.expr(e.left)} ${e.op} ${this.expr(e.right)})`;
      case 'logical':
        return e.items.length === 0 ? (e.op === 'AND' ? 'TRUE' : 'FALSE') : `(${e.items.map((i) => this.expr(i)).join(` ${e.op} `)})`;
      case 'not':
        return `(NOT ${this.expr(e.expr)})`;
      case 'isNull':
        return `(${this.expr(e.expr)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
      case 'call':
        return `${e.fn}(${this.list(e.args)})`;
      case 'aggregate': {
        const order = e.orderBy?.length ? ` ORDER BY ${this.order(e.orderBy)}` : '';
        const args = e.fn === 'count' && e.args.length === 0 ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${this.list(e.args)}`;
        return `${e.fn}(${args}${order})${e.filter ? ` FILTER (WHERE ${this.expr(e.filter)})` : ''}`;
      }
      case 'window': {
        const over = [
          e.partitionBy.length ? `PARTITION BY ${this.list(e.partitionBy)}` : '',
          e.orderBy.length ? `ORDER BY ${this.order(e.orderBy)}` : '',
          e.frame ? this.frame(e.frame) : '',
        ].filter(Boolean);
        const args = e.fn === 'count' && e.args.length === 0 ? '*' : this.list(e.args);
        return `${e.fn}(${args}) OVER (${over.join(' ')})`;
      }
      case 'in':
        return `(${this.expr(e.expr)} ${e.negated ? 'NOT IN' : 'IN'} (${this.list(e.list)}))`;
      case 'between':
        return `(${this.expr(e.expr)} BETWEEN ${this.expr(e.low)} AND ${this.expr(e.high)})`;
      case 'case':
        return `CASE ${e.when.map((w) => `WHEN ${this.expr(w.condition)} THEN ${this.expr(w.then)}`).join(' ')}${e.else ? ` ELSE ${this.expr(e.else)}` : ''} END`;
      case 'lambda':
        return `lambda ${e.params.map(quoteIdent).join(', ')}: ${this.expr(e.body)}`;
      case 'list':
        return `[${this.list(e.items)}]`;
      case 'unnest':
        return e.position ? `generate_subscripts(${this.expr(e.list)}, 1)` : `unnest(${this.expr(e.list)})`;
      case 'interval':
        if (e.amount < 1) throw new Error(`Expected a positive interval, got ${e.amount}`);
        return `INTERVAL ${nonNegativeInteger(e.amount)} ${e.unit.toUpperCase()}`;
      case 'checkedSql':
        // Parentheses on lines of their own, exactly as expression-guard.ts checked it: a trailing -- comment cannot swallow the ')'.
        return `(\n${e.sql}\n)`;
    }
  }

  private list(items: Expr[]): string {
    return items.map((a) => this.expr(a)).join(', ');
  }

  private order(items: OrderItem[]): string {
    return items.map((o) => `${this.expr(o.expr)} ${o.descending ? 'DESC' : 'ASC'} NULLS ${o.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ');
  }

  private frame(f: WindowFrame): string {
    if (f.unit === 'rows') {
      const end = f.following === 'unbounded' ? 'UNBOUNDED FOLLOWING' : 'CURRENT ROW';
      return `ROWS BETWEEN ${f.preceding === 'unbounded' ? 'UNBOUNDED' : nonNegativeInteger(f.preceding)} PRECEDING AND ${end}`;
    }
    return `RANGE BETWEEN INTERVAL ${Math.trunc(f.precedingSeconds)} SECONDS PRECEDING AND CURRENT ROW`;
  }

  relation(r: Relation): string {
    switch (r.t) {
      case 'table':
        return quoteIdent(r.name) + (r.alias ? ` AS ${quoteIdent(r.alias)}` : '');
      case 'join': {
        const keyword = { inner: 'INNER JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL OUTER JOIN', semi: 'SEMI JOIN', anti: 'ANTI JOIN' }[r.kind];
        return `${this.relation(r.left)} ${keyword} ${this.relation(r.right)} ON ${this.expr(r.on)}`;
      }
      case 'unionByName':
        return `(${r.inputs.map((q) => this.select(q)).join(' UNION ALL BY NAME ')}) AS ${quoteIdent(r.alias)}`;
      case 'subquery':
        return `(${this.select(r.query)}) AS ${quoteIdent(r.alias)}`;
      case 'checkedQuery': {
        const bindings = r.bindings.map((b) => `${quoteIdent(b.name)} AS (SELECT * FROM ${this.relation(b.relation)})`);
        const body = `SELECT * FROM (\n${queryText(r.sql)}\n) AS "sql"`;
        return `(${bindings.length > 0 ? `WITH ${bindings.join(', ')} ` : ''}${body}) AS ${quoteIdent(r.alias)}`;
      }
      case 'readCsv':
        return this.readCsv(r);
      case 'readJson':
        return this.readJson(r);
      case 'readParquet':
        return `read_parquet(${quoteString(this.ctx.resolveFile(r.file))})`;
    }
  }

  private readCsv(r: Extract<Relation, { t: 'readCsv' }>): string {
    const o = r.options;
    const columns = o.columns.map((c) => `${quoteString(c.name)}: ${quoteString(duckDbTypeOf[c.type])}`).join(', ');
    const errors = r.lineErrors;
    const read = [
      `read_csv(${quoteString(this.ctx.resolveFile(r.file))}`,
      `auto_detect = false`,
      `header = ${o.header ? 'true' : 'false'}`,
      `delim = ${quoteString(o.delimiter)}`,
      `quote = ${quoteString(o.quote)}`,
      `escape = ${quoteString(o.escape)}`,
      `columns = {${columns}}`,
      ...(o.encoding && o.encoding !== 'utf-8' ? [`encoding = ${quoteString(o.encoding)}`] : []),
      ...(o.quotedEmptyIsNull === false ? ['allow_quoted_nulls = false'] : []),
      ...(errors.t === 'skip' ? ['ignore_errors = true'] : []),
      ...(errors.t === 'record' ? ['store_rejects = true', `rejects_table = ${quoteString(errors.rejectsTable)}`, `rejects_scan = ${quoteString(`${errors.rejectsTable}_scan`)}`] : []),
    ].join(', ');
    if (errors.t === 'fail') return `${read})`;
    // DuckDB converts only the columns a query reads and leaves out a line only for those:
    // a predicate over all of them (hash is never NULL) makes it convert every one.
    return `(SELECT * FROM ${read}) WHERE hash(${o.columns.map((c) => quoteIdent(c.name)).join(', ')}) IS NOT NULL)`;
  }

  private readJson(r: Extract<Relation, { t: 'readJson' }>): string {
    const format = { array: 'array', ndjson: 'newline_delimited', auto: 'auto' }[r.options.format];
    const columns = r.options.columns.map((c) => `${quoteString(c.name)}: ${quoteString(duckDbTypeOf[c.type])}`).join(', ');
    return `read_json(${quoteString(this.ctx.resolveFile(r.file))}, format = ${quoteString(format)}, columns = {${columns}})`;
  }

  select(s: Select): string {
    const items = s.items === '*' ? '*' : s.items.map((i) => this.expr(i.expr) + (i.as ? ` AS ${quoteIdent(i.as)}` : '')).join(', ');
    const parts = [`SELECT ${items} FROM ${this.relation(s.from)}`];
    if (s.sample) parts.push(this.sample(s.sample));
    if (s.where) parts.push(`WHERE ${this.expr(s.where)}`);
    if (s.groupBy?.length) parts.push(`GROUP BY ${this.list(s.groupBy)}`);
    if (s.qualify) parts.push(`QUALIFY ${this.expr(s.qualify)}`);
    if (s.orderBy?.length) parts.push(`ORDER BY ${this.order(s.orderBy)}`);
    if (s.limit !== undefined) parts.push(`LIMIT ${nonNegativeInteger(s.limit)}`);
    if (s.offset !== undefined) parts.push(`OFFSET ${nonNegativeInteger(s.offset)}`);
    return parts.join(' ');
  }

  private sample(s: SampleSpec): string {
    const seed = s.seed === undefined ? '' : `, ${nonNegativeInteger(s.seed)}`;
    return s.kind === 'rows'
      ? `USING SAMPLE ${nonNegativeInteger(s.rows)} ROWS (reservoir${seed})`
      : `USING SAMPLE ${literal(Math.min(100, Math.max(0, s.percent)))} PERCENT (bernoulli${seed})`;
  }
}

export function renderSelect(s: Select, ctx: RenderContext): RenderedSql {
  const r = new Renderer(ctx);
  const sql = r.select(s);
  return { sql, params: r.params };
}

// ── Rewriting ───────────────────────────────────────────────────────────────
/** Relations that hold no other relation: a table, or a read of a file. */
export type LeafRelation = Extract<Relation, { t: 'table' | 'readCsv' | 'readJson' | 'readParquet' }>;

/** The query with every leaf relation, however deeply nested, replaced by what `leaf` makes of it. */
export function mapLeafRelations(s: Select, leaf: (r: LeafRelation) => Relation): Select {
  const relation = (r: Relation): Relation => {
    switch (r.t) {
      case 'join':
        return { ...r, left: relation(r.left), right: relation(r.right) };
      case 'subquery':
        return { ...r, query: mapLeafRelations(r.query, leaf) };
      case 'unionByName':
        return { ...r, inputs: r.inputs.map((q) => mapLeafRelations(q, leaf)) };
      case 'checkedQuery':
        return { ...r, bindings: r.bindings.map((b) => ({ ...b, relation: relation(b.relation) })) };
      case 'table':
      case 'readCsv':
      case 'readJson':
      case 'readParquet':
        return leaf(r);
    }
  };
  return { ...s, from: relation(s.from) };
}

/** The leaf relations a query reads, in order, once per reference. */
export function leafRelations(s: Select): LeafRelation[] {
  const leaves: LeafRelation[] = [];
  mapLeafRelations(s, (r) => {
    leaves.push(r);
    return r;
  });
  return leaves;
}

/**
 * The query with each table relation that `replace` answers for swapped for a
 * subquery under the table's alias (or name), so qualified column references
 * keep working. The planner uses it to fuse a stage into its consumer.
 */
export function inlineTables(s: Select, replace: (name: string) => Select | undefined): Select {
  return mapLeafRelations(s, (r) => {
    if (r.t !== 'table') return r;
    const query = replace(r.name);
    return query ? { t: 'subquery', query, alias: r.alias ?? r.name } : r;
  });
}

/** The names of the tables a query reads, once per reference. */
export function tableReferences(s: Select): string[] {
  return leafRelations(s).flatMap((r) => (r.t === 'table' ? [r.name] : []));
}

export type FileRead = Extract<LeafRelation, { file: FileRef }>;

/** The file reads of a query, in order. */
export function fileReads(s: Select): FileRead[] {
  return leafRelations(s).filter((r): r is FileRead => r.t !== 'table');
}

/** The tables a query's CSV reads record their malformed lines in (DuckDB adds a `_scan` table beside each). */
export function csvRejectsTables(s: Select): string[] {
  return fileReads(s).flatMap((r) => (r.t === 'readCsv' && r.lineErrors.t === 'record' ? [r.lineErrors.rejectsTable] : []));
}

/** The query with its CSV reads handling malformed lines as `lineErrors` says. */
export function withCsvLineErrors(s: Select, lineErrors: CsvLineErrors): Select {
  return mapLeafRelations(s, (r) => (r.t === 'readCsv' ? { ...r, lineErrors } : r));
}
