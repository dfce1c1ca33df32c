// Structural check of a user-written SQL expression before it goes anywhere
// near a query. DuckDB parses `SELECT <expr>` (json_serialize_sql parses only,
// it binds and runs nothing) and the tree must be exactly one expression built
// from an allow-list of node classes, calling only built-in scalar functions
// (plus aggregates when asked), never a subquery, a table function or a
// function on the deny list. The locked-down instance (duckdb.ts) is the
// second line of defence; this one keeps user text from ever being a
// statement, a table source or a subquery.
//
// Embed only the returned `sql`: the same text, parenthesised on lines of its
// own, which was checked to parse to the very same tree. (json_serialize_sql
// silently drops a named `WINDOW w AS (…)` clause, so the bare text could
// carry a clause the tree never showed; inside parentheses it cannot.)
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { AppError, errorMessage } from '../errors';
import { quoteString } from '../sql/ast';

export const ExpressionIssueCodes = {
  EMPTY: 'EXPRESSION_EMPTY',
  /** Longer than MAX_EXPRESSION_LENGTH, or nested beyond DuckDB's max_expression_depth (1000). */
  TOO_LONG: 'EXPRESSION_TOO_LONG',
  SYNTAX: 'EXPRESSION_SYNTAX',
  NOT_SINGLE: 'EXPRESSION_NOT_SINGLE',
  MULTIPLE_STATEMENTS: 'EXPRESSION_MULTIPLE_STATEMENTS',
  SUBQUERY: 'EXPRESSION_SUBQUERY',
  TABLE_FUNCTION: 'EXPRESSION_TABLE_FUNCTION',
  FUNCTION_NOT_ALLOWED: 'EXPRESSION_FUNCTION_NOT_ALLOWED',
  UNKNOWN_FUNCTION: 'EXPRESSION_UNKNOWN_FUNCTION',
  AGGREGATE: 'EXPRESSION_AGGREGATE',
  CONSTRUCT: 'EXPRESSION_CONSTRUCT_NOT_ALLOWED',
} as const;

export type ExpressionIssueCode = (typeof ExpressionIssueCodes)[keyof typeof ExpressionIssueCodes];

export type ExpressionCheck =
  | { ok: true; /** The expression to embed, parenthesised: `(\n<expr>\n)`. */ sql: string }
  | { ok: false; code: ExpressionIssueCode; message: string; /** 0-based index into the user's text. */ position?: number };

export interface ExpressionGuardOptions {
  /** Allow aggregate and window functions (sum(x), row_number() OVER …). Off for row-level expressions such as filters. */
  aggregates?: boolean;
}

export const MAX_EXPRESSION_LENGTH = 10_000;

/**
 * Built-in functions refused even though their class would pass: they reveal
 * the environment or configuration, change shared state, stall the worker,
 * or parse/plan SQL of their own. Table functions (read_csv, read_text,
 * read_blob, read_parquet, read_json*, glob, query, …) are refused by class;
 * the patterns repeat them in case a later version adds a scalar twin.
 */
const DENIED_FUNCTIONS: readonly RegExp[] = [
  /^read_/,
  /^glob$/,
  /^getenv$/,
  /^current_setting$/,
  /^getvariable$/,
  /^current_query$/,
  /^(query|query_table)$/,
  /^json_(serialize|deserialize|execute)_/,
  /^(sniff_csv|parquet_.*|sql_auto_complete)$/,
  /^(sleep_ms|pg_sleep)$/,
  /^write_log$/,
  /^(setseed|nextval|currval)$/,
  /^(duckdb_|pragma_|which_secret|enable_|disable_|checkpoint|force_checkpoint)/,
];

/** Expression node classes that may appear; anything else is refused. */
const ALLOWED_CLASSES = new Set(['CONSTANT', 'COLUMN_REF', 'FUNCTION', 'OPERATOR', 'COMPARISON', 'CONJUNCTION', 'CASE', 'CAST', 'BETWEEN', 'COLLATE', 'LAMBDA', 'WINDOW']);

const CLASS_NAMES: Record<string, string> = {
  STAR: '* and COLUMNS(…)',
  PARAMETER: 'Parameters ($1, ?)',
  DEFAULT: 'DEFAULT',
  POSITIONAL_REFERENCE: 'Positional references (#1)',
};

// ── json_serialize_sql output ──────────────────────────────────────────────
const SerializedSql = z.union([
  z.object({ error: z.literal(true), error_type: z.string(), error_message: z.string(), position: z.string().optional() }),
  z.object({
    error: z.literal(false),
    statements: z.array(z.object({ node: z.record(z.string(), z.unknown()), named_param_map: z.array(z.unknown()) })),
  }),
]);
export type SerializedSql = z.infer<typeof SerializedSql>;

/** The clauses of a bare `SELECT <expr>`: each must have exactly this value. */
const EMPTY_CLAUSES: Record<string, unknown> = {
  type: 'SELECT_NODE',
  modifiers: [],
  cte_map: { map: [] },
  where_clause: null,
  group_expressions: [],
  group_sets: [],
  aggregate_handling: 'STANDARD_HANDLING',
  having: null,
  sample: null,
  qualify: null,
};

const CLAUSE_NAMES: Record<string, string> = {
  modifiers: 'DISTINCT, ORDER BY or LIMIT',
  cte_map: 'WITH',
  from_table: 'FROM',
  where_clause: 'WHERE',
  group_expressions: 'GROUP BY',
  group_sets: 'GROUP BY',
  aggregate_handling: 'GROUP BY ALL',
  having: 'HAVING',
  sample: 'USING SAMPLE',
  qualify: 'QUALIFY',
};

const PREFIX = 'SELECT ';

type Refusal = Extract<ExpressionCheck, { ok: false }>;

export class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

function refuse(code: ExpressionIssueCode, message: string, position?: number): never {
  throw new Refused({ ok: false, code, message, ...(position === undefined ? {} : { position }) });
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringField = (node: Record<string, unknown>, key: string): string => {
  const v = node[key];
  return typeof v === 'string' ? v : '';
};

// ── Positions ──────────────────────────────────────────────────────────────
// DuckDB reports parser errors as a code point index and query_location as a
// byte offset (UTF-8), both into the whole statement. The user wants a
// JavaScript (UTF-16) index into what they typed.

export function indexFromCodePoints(text: string, codePoints: number): number {
  let index = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen >= codePoints) break;
    index += ch.length;
    seen += 1;
  }
  return index;
}

function indexFromBytes(text: string, bytes: number): number | undefined {
  let index = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen >= bytes) return index;
    seen += Buffer.byteLength(ch, 'utf8');
    index += ch.length;
  }
  return seen >= bytes ? index : undefined;
}

export function nodePosition(expr: string, node: Record<string, unknown>, prefixLength: number): number | undefined {
  const location = node.query_location;
  if (typeof location !== 'number' || location < prefixLength) return undefined;
  return indexFromBytes(expr, location - prefixLength);
}

// ── Function catalogue ─────────────────────────────────────────────────────
export interface FunctionInfo {
  types: Set<string>;
  /** A built-in macro whose body runs a query (pg_get_viewdef, format_type, …). */
  macroWithQuery: boolean;
}

const catalogues = new WeakMap<DuckDBConnection, Promise<Map<string, FunctionInfo>>>();

async function loadCatalogue(conn: DuckDBConnection): Promise<Map<string, FunctionInfo>> {
  const reader = await conn.runAndReadAll(
    `SELECT lower(function_name), function_type, coalesce(macro_definition, '') FROM duckdb_functions() WHERE internal`,
  );
  const functions = new Map<string, FunctionInfo>();
  for (const [name, type, definition] of reader.getRows()) {
    if (typeof name !== 'string' || typeof type !== 'string') continue;
    const info = functions.get(name) ?? { types: new Set<string>(), macroWithQuery: false };
    info.types.add(type);
    if (typeof definition === 'string' && /\bselect\b/i.test(definition)) info.macroWithQuery = true;
    functions.set(name, info);
  }
  return functions;
}

export function catalogue(conn: DuckDBConnection): Promise<Map<string, FunctionInfo>> {
  let pending = catalogues.get(conn);
  if (!pending) {
    pending = loadCatalogue(conn);
    pending.catch(() => catalogues.delete(conn));
    catalogues.set(conn, pending);
  }
  return pending;
}

// ── Tree walk ──────────────────────────────────────────────────────────────
/** Checks expression nodes; statement-guard.ts reuses it node by node (`checkNode`) for queries. */
export class Walker {
  constructor(
    private readonly expr: string,
    private readonly functions: Map<string, FunctionInfo>,
    private readonly options: ExpressionGuardOptions,
    /** Characters before the user's text in what was parsed. */
    private readonly prefixLength: number = PREFIX.length,
  ) {}

  private at(node: Record<string, unknown>): number | undefined {
    return nodePosition(this.expr, node, this.prefixLength);
  }

  walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item);
      return;
    }
    if (!isRecord(value)) return;
    const cls = value.class;
    if (typeof cls === 'string') this.checkNode(cls, value);
    else if ('subquery' in value || 'node' in value || 'from_table' in value || 'select_list' in value) {
      refuse(ExpressionIssueCodes.SUBQUERY, 'Subqueries are not allowed in an expression', this.at(value));
    }
    for (const child of Object.values(value)) this.walk(child);
  }

  checkNode(cls: string, node: Record<string, unknown>): void {
    if (cls === 'SUBQUERY') {
      refuse(ExpressionIssueCodes.SUBQUERY, 'Subqueries (SELECT …, EXISTS, IN (SELECT …)) are not allowed in an expression', this.at(node));
    }
    if (!ALLOWED_CLASSES.has(cls)) {
      refuse(ExpressionIssueCodes.CONSTRUCT, `${CLASS_NAMES[cls] ?? cls.toLowerCase().replace(/_/g, ' ')} cannot be used in an expression`, this.at(node));
    }
    if (cls === 'FUNCTION') this.checkFunction(node, 'call');
    if (cls === 'WINDOW') {
      if (!this.options.aggregates) {
        refuse(ExpressionIssueCodes.AGGREGATE, 'Window functions (… OVER (…)) cannot be used in a row expression', this.at(node));
      }
      if (node.type === 'WINDOW_AGGREGATE') this.checkFunction(node, 'window');
    }
  }

  private checkFunction(node: Record<string, unknown>, kind: 'call' | 'window'): void {
    const name = stringField(node, 'function_name').toLowerCase();
    const position = this.at(node);
    const schema = stringField(node, 'schema');
    const catalog = stringField(node, 'catalog');
    // The parser itself writes `main.` for sugar such as [1, 2] → main.list_value.
    if (catalog !== '' || (schema !== '' && schema !== 'main')) {
      refuse(ExpressionIssueCodes.CONSTRUCT, `Call functions as name(arguments); "${[catalog, schema, name].filter(Boolean).join('.')}(…)" is not supported`, position);
    }
    const info = this.functions.get(name);
    const types = info?.types ?? new Set<string>();
    const aggregate = types.has('aggregate');
    if (!types.has('scalar') && !aggregate && (types.has('table') || types.has('table_macro') || types.has('pragma'))) {
      refuse(ExpressionIssueCodes.TABLE_FUNCTION, `${name}() is a table function; expressions cannot read tables or files`, position);
    }
    if (DENIED_FUNCTIONS.some((re) => re.test(name))) {
      refuse(ExpressionIssueCodes.FUNCTION_NOT_ALLOWED, `Function ${name}() is not allowed in expressions`, position);
    }
    if (!info) refuse(ExpressionIssueCodes.UNKNOWN_FUNCTION, `Unknown function ${name}()`, position);
    if (kind === 'window') {
      if (aggregate) return;
      refuse(ExpressionIssueCodes.FUNCTION_NOT_ALLOWED, `${name}() is not an aggregate function`, position);
    }
    if (types.has('scalar')) return;
    if (types.has('macro') && !info.macroWithQuery) return;
    if (aggregate) {
      if (this.options.aggregates) return;
      refuse(ExpressionIssueCodes.AGGREGATE, `Aggregate function ${name}() cannot be used in a row expression`, position);
    }
    refuse(ExpressionIssueCodes.FUNCTION_NOT_ALLOWED, `Function ${name}() is not allowed in expressions`, position);
  }
}

// ── Entry points ───────────────────────────────────────────────────────────
export async function serialize(conn: DuckDBConnection, sql: string): Promise<SerializedSql> {
  let text: unknown;
  try {
    const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteString(sql)})`);
    text = reader.getRows()[0]?.[0];
  } catch (error) {
    // json_serialize_sql reports parse problems in its result; should the parser throw instead, say so.
    const message = errorMessage(error);
    if (!/^(Parser|Syntax) Error: /.test(message)) throw error;
    refuse(ExpressionIssueCodes.SYNTAX, (message.split('\n')[0] ?? message).replace(/^(Parser|Syntax) Error: /, ''));
  }
  if (typeof text !== 'string') throw new AppError('INTERNAL', 'json_serialize_sql returned no result');
  const parsed = SerializedSql.safeParse(JSON.parse(text));
  if (!parsed.success) throw new AppError('INTERNAL', `Unexpected json_serialize_sql output: ${parsed.error.message}`);
  return parsed.data;
}

/** The single select item of a parse, or a refusal saying why there is none. */
function singleItem(expr: string, parsed: SerializedSql, prefixLength: number): Record<string, unknown> {
  if (parsed.error) {
    if (/max expression depth/i.test(parsed.error_message)) refuse(ExpressionIssueCodes.TOO_LONG, 'The expression is nested too deeply');
    if (parsed.error_type === 'parser') {
      const position = parsed.position === undefined ? undefined : Number(parsed.position) - prefixLength;
      refuse(
        ExpressionIssueCodes.SYNTAX,
        parsed.error_message,
        position === undefined || !Number.isFinite(position) ? undefined : Math.min(expr.length, indexFromCodePoints(expr, Math.max(0, position))),
      );
    }
    if (/only select statements/i.test(parsed.error_message)) {
      refuse(ExpressionIssueCodes.MULTIPLE_STATEMENTS, 'An expression cannot contain ";" followed by another statement');
    }
    refuse(ExpressionIssueCodes.NOT_SINGLE, parsed.error_message);
  }
  const [statement, ...more] = parsed.statements;
  if (!statement) refuse(ExpressionIssueCodes.EMPTY, 'The expression is empty');
  if (more.length > 0) refuse(ExpressionIssueCodes.MULTIPLE_STATEMENTS, 'An expression cannot contain ";" followed by another statement');
  if (statement.named_param_map.length > 0) refuse(ExpressionIssueCodes.CONSTRUCT, 'Parameters ($name) cannot be used in an expression');
  const node = statement.node;
  if (node.type !== 'SELECT_NODE') refuse(ExpressionIssueCodes.NOT_SINGLE, 'Write a single expression, not a query (UNION, INTERSECT, EXCEPT, VALUES …)');
  for (const [key, value] of Object.entries(node)) {
    if (key === 'select_list') continue;
    if (key === 'from_table') {
      if (isRecord(value) && value.type === 'EMPTY') continue;
      const where = isRecord(value) ? nodePosition(expr, value, prefixLength) : undefined;
      if (isRecord(value) && value.type === 'TABLE_FUNCTION') {
        refuse(ExpressionIssueCodes.TABLE_FUNCTION, 'Expressions cannot read tables or files (FROM …)', where);
      }
      refuse(ExpressionIssueCodes.NOT_SINGLE, 'Write a single expression without FROM', where);
    }
    if (!(key in EMPTY_CLAUSES)) refuse(ExpressionIssueCodes.NOT_SINGLE, `Write a single expression (unexpected "${key}" in the parse)`);
    if (JSON.stringify(value) !== JSON.stringify(EMPTY_CLAUSES[key])) {
      refuse(ExpressionIssueCodes.NOT_SINGLE, `Write a single expression without ${CLAUSE_NAMES[key] ?? key}`);
    }
  }
  const items = node.select_list;
  if (!Array.isArray(items) || items.length === 0) refuse(ExpressionIssueCodes.EMPTY, 'The expression is empty');
  const [item, second] = items as unknown[];
  if (second !== undefined) {
    refuse(ExpressionIssueCodes.NOT_SINGLE, 'Write one expression, not a comma-separated list', isRecord(second) ? nodePosition(expr, second, prefixLength) : undefined);
  }
  if (!isRecord(item)) throw new AppError('INTERNAL', 'Unexpected json_serialize_sql output: select item is not an object');
  if (stringField(item, 'alias') !== '') refuse(ExpressionIssueCodes.NOT_SINGLE, `Remove the alias "${stringField(item, 'alias')}"; an expression is named by its node`);
  return item;
}

/** The tree without source positions, for comparing two parses. */
export function shape(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'query_location' ? undefined : v));
}

/**
 * Checks a user expression. Returns a refusal (with a stable code and, where
 * DuckDB reports one, a position in the user's text) for anything that is not
 * one plain expression; throws only when DuckDB itself misbehaves.
 */
export async function checkExpression(conn: DuckDBConnection, exprSql: string, options: ExpressionGuardOptions = {}): Promise<ExpressionCheck> {
  try {
    if (exprSql.trim() === '') refuse(ExpressionIssueCodes.EMPTY, 'The expression is empty');
    if (exprSql.length > MAX_EXPRESSION_LENGTH) refuse(ExpressionIssueCodes.TOO_LONG, `The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    if (exprSql.includes('\0')) refuse(ExpressionIssueCodes.SYNTAX, 'The expression contains a NUL character', exprSql.indexOf('\0'));

    const bare = singleItem(exprSql, await serialize(conn, `${PREFIX}${exprSql}`), PREFIX.length);
    new Walker(exprSql, await catalogue(conn), options).walk(bare);

    // The text that will be embedded must mean the same on its own: anything
    // the serializer dropped (a WINDOW clause) makes it fail to parse here.
    const sql = `(\n${exprSql}\n)`;
    const wrapped = await serialize(conn, `${PREFIX}${sql}`);
    let same = false;
    try {
      same = shape(singleItem(sql, wrapped, PREFIX.length)) === shape(bare);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
    }
    if (!same && /;\s*$/.test(exprSql)) {
      refuse(ExpressionIssueCodes.MULTIPLE_STATEMENTS, 'Remove the ";": an expression is not a statement', exprSql.lastIndexOf(';'));
    }
    if (!same) refuse(ExpressionIssueCodes.NOT_SINGLE, 'Write a single expression, without clauses such as WINDOW, FROM or WHERE');
    return { ok: true, sql };
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
}

/** checkExpression for callers that want an AppError (code BAD_INPUT, the guard's code in details.reason). */
export async function assertExpression(
  conn: DuckDBConnection,
  exprSql: string,
  context: { nodeId?: string; field?: string } & ExpressionGuardOptions = {},
): Promise<string> {
  const { nodeId, field, ...options } = context;
  const result = await checkExpression(conn, exprSql, options);
  if (result.ok) return result.sql;
  throw new AppError('BAD_INPUT', `${field ? `${field}: ` : ''}${result.message}${result.position === undefined ? '' : ` (at character ${result.position + 1})`}`, {
    ...(nodeId ? { nodeId } : {}),
    reason: result.code,
    ...(result.position === undefined ? {} : { position: result.position }),
  });
}
