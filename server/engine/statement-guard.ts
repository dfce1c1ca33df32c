// Structural check of a user-written SQL query (the SQL node) before it goes
// anywhere near DuckDB's binder. DuckDB parses the text (json_serialize_sql
// parses only; it binds and runs nothing) and the tree must be exactly one
// SELECT — CTEs, joins, subqueries, set operations, GROUP BY and window
// functions are fine — that reads only:
//   - the relations it was given (the node's inputs, e.g. input_1, input_2),
//   - CTEs it defines itself, visible by SQL scoping rules (a CTE is visible in
//     the query that defines it, in its subqueries, and in later CTEs of the
//     same WITH; not outside), so a CTE name can never be used to reach a
//     table outside its scope,
//   - VALUES lists and subqueries.
// Refused: table functions (read_csv, glob, duckdb_settings() …), file names
// in FROM ('x.csv' is a replacement scan), schema- or catalog-qualified names
// (main.x, information_schema.tables), time travel (AT …), WITH RECURSIVE
// (it can run without end), PIVOT and other table constructs, parameters, and
// every expression that expression-guard.ts would refuse (deny-listed
// functions such as getenv or current_setting, table functions as scalars),
// with aggregates and window functions allowed.
// A CTE may shadow an input name (WITH input_1 AS (…)): it is the user's own
// relation, checked by the same rules, and SQL scoping makes the inner name win.
//
// Statements other than SELECT (COPY, ATTACH, SET, PRAGMA, INSTALL, LOAD …)
// do not serialize at all and are refused; so is a second statement after ";".
// One trailing ";" is tolerated and dropped.
//
// Embed only the returned `sql`: the text parenthesised on lines of its own,
// which was checked to parse, as `SELECT * FROM (<sql>) AS q`, to the very
// same tree — so a comment or a stray ")" cannot close the parenthesis early
// and smuggle in a clause the tree never showed.
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../errors';
import { queryText } from '../sql/ast';
import {
  catalogue,
  indexFromCodePoints,
  isRecord,
  nodePosition,
  Refused,
  serialize,
  shape,
  Walker,
  type ExpressionIssueCode,
  type FunctionInfo,
  type SerializedSql,
} from './expression-guard';

export const QueryIssueCodes = {
  EMPTY: 'QUERY_EMPTY',
  TOO_LONG: 'QUERY_TOO_LONG',
  SYNTAX: 'QUERY_SYNTAX',
  NOT_SELECT: 'QUERY_NOT_SELECT',
  MULTIPLE_STATEMENTS: 'QUERY_MULTIPLE_STATEMENTS',
  TABLE_FUNCTION: 'QUERY_TABLE_FUNCTION',
  UNKNOWN_RELATION: 'QUERY_UNKNOWN_RELATION',
  QUALIFIED_NAME: 'QUERY_QUALIFIED_NAME',
  CONSTRUCT: 'QUERY_CONSTRUCT_NOT_ALLOWED',
} as const;

export type QueryIssueCode = (typeof QueryIssueCodes)[keyof typeof QueryIssueCodes];

export type QueryCheck =
  | { ok: true; /** The query to embed, parenthesised: `(\n<query>\n)`. */ sql: string }
  | {
      ok: false;
      /** Expression-level refusals (a denied function…) keep the expression guard's code. */
      code: QueryIssueCode | ExpressionIssueCode;
      message: string;
      /** 0-based index into the user's text. */
      position?: number;
    };

export const MAX_QUERY_LENGTH = 100_000;

type QueryRefusal = Extract<QueryCheck, { ok: false }>;

class QueryRefused extends Error {
  constructor(readonly refusal: QueryRefusal) {
    super(refusal.message);
  }
}

function refuse(code: QueryIssueCode, message: string, position?: number): never {
  throw new QueryRefused({ ok: false, code, message, ...(position === undefined ? {} : { position }) });
}

const str = (node: Record<string, unknown>, key: string): string => {
  const v = node[key];
  return typeof v === 'string' ? v : '';
};

/** Table references json_serialize_sql may produce that a query may use. */
const ALLOWED_TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EXPRESSION_LIST', 'EMPTY']);
/** Query node kinds a query may contain (RECURSIVE_CTE_NODE is refused: it can run without end). */
const ALLOWED_QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE']);
/** Expression classes allowed in a query on top of those the expression guard allows. */
const QUERY_ONLY_CLASSES = new Set(['STAR', 'SUBQUERY', 'POSITIONAL_REFERENCE']);

class QueryWalker {
  private readonly expressions: Walker;

  constructor(
    private readonly text: string,
    functions: Map<string, FunctionInfo>,
  ) {
    this.expressions = new Walker(text, functions, { aggregates: true }, 0);
  }

  private at(node: Record<string, unknown>): number | undefined {
    return nodePosition(this.text, node, 0);
  }

  /** A SELECT or set operation, with its WITH clause scoped as SQL scopes it. */
  query(node: Record<string, unknown>, scope: ReadonlySet<string>): void {
    const type = str(node, 'type');
    if (type === 'RECURSIVE_CTE_NODE') refuse(QueryIssueCodes.CONSTRUCT, 'WITH RECURSIVE is not supported in the SQL node');
    if (!ALLOWED_QUERY_NODES.has(type)) refuse(QueryIssueCodes.CONSTRUCT, `${type.toLowerCase().replace(/_/g, ' ')} is not supported in the SQL node`);
    const visible = new Set(scope);
    const ctes = isRecord(node.cte_map) && Array.isArray(node.cte_map.map) ? (node.cte_map.map as unknown[]) : [];
    for (const entry of ctes) {
      if (!isRecord(entry) || typeof entry.key !== 'string' || !isRecord(entry.value)) throw new AppError('INTERNAL', 'Unexpected json_serialize_sql output: CTE entry');
      // A CTE sees the outer scope and the CTEs before it, not itself (no recursion).
      this.walk(entry.value, visible);
      visible.add(entry.key.toLowerCase());
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'cte_map') this.walk(value, visible);
    }
  }

  walk(value: unknown, scope: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item, scope);
      return;
    }
    if (!isRecord(value)) return;
    const cls = value.class;
    if (typeof cls === 'string') {
      if (!QUERY_ONLY_CLASSES.has(cls)) this.expressions.checkNode(cls, value);
    } else if ('cte_map' in value) {
      this.query(value, scope);
      return;
    } else if (typeof value.type === 'string' && 'alias' in value && 'sample' in value) {
      this.tableRef(value, scope);
    } else if (typeof value.type === 'string' && value.type.endsWith('_NODE')) {
      refuse(QueryIssueCodes.CONSTRUCT, `${value.type.toLowerCase().replace(/_/g, ' ')} is not supported in the SQL node`);
    }
    for (const child of Object.values(value)) this.walk(child, scope);
  }

  private tableRef(ref: Record<string, unknown>, scope: ReadonlySet<string>): void {
    const type = str(ref, 'type');
    const position = this.at(ref);
    if (type === 'TABLE_FUNCTION') {
      const fn = isRecord(ref.function) ? str(ref.function, 'function_name') : '';
      refuse(QueryIssueCodes.TABLE_FUNCTION, `${fn ? `${fn}() is a table function; ` : ''}the SQL node reads only its inputs, not files or table functions`, position);
    }
    if (!ALLOWED_TABLE_REFS.has(type)) refuse(QueryIssueCodes.CONSTRUCT, `${type.toLowerCase().replace(/_/g, ' ')} is not supported in the SQL node`, position);
    if (type !== 'BASE_TABLE') return;
    const name = str(ref, 'table_name');
    const qualified = [str(ref, 'catalog_name'), str(ref, 'schema_name')].filter(Boolean);
    if (qualified.length > 0) {
      refuse(QueryIssueCodes.QUALIFIED_NAME, `"${[...qualified, name].join('.')}" is not an input; the SQL node reads only its inputs (${this.inputsText(scope)})`, position);
    }
    if (ref.at_clause !== null && ref.at_clause !== undefined) refuse(QueryIssueCodes.CONSTRUCT, 'Time travel (AT …) is not supported in the SQL node', position);
    if (!scope.has(name.toLowerCase())) {
      refuse(QueryIssueCodes.UNKNOWN_RELATION, `"${name}" is not an input of this node; the SQL node reads only ${this.inputsText(scope)}`, position);
    }
  }

  private inputsText(scope: ReadonlySet<string>): string {
    return [...scope].join(', ') || 'nothing (connect an input)';
  }
}

/** The single SELECT of a parse, or a refusal saying why there is none. */
function singleQuery(text: string, parsed: SerializedSql, prefixLength: number): Record<string, unknown> {
  if (parsed.error) {
    if (/max expression depth/i.test(parsed.error_message)) refuse(QueryIssueCodes.TOO_LONG, 'The query is nested too deeply');
    if (parsed.error_type === 'parser') {
      const position = parsed.position === undefined ? undefined : Number(parsed.position) - prefixLength;
      refuse(
        QueryIssueCodes.SYNTAX,
        parsed.error_message,
        position === undefined || !Number.isFinite(position) ? undefined : Math.min(text.length, indexFromCodePoints(text, Math.max(0, position))),
      );
    }
    if (/only select statements/i.test(parsed.error_message)) {
      refuse(QueryIssueCodes.NOT_SELECT, 'Write one SELECT query; other statements (COPY, ATTACH, SET, PRAGMA, INSTALL, CREATE …) are not allowed');
    }
    refuse(QueryIssueCodes.NOT_SELECT, parsed.error_message);
  }
  const [statement, ...more] = parsed.statements;
  if (!statement) refuse(QueryIssueCodes.EMPTY, 'The query is empty');
  if (more.length > 0) refuse(QueryIssueCodes.MULTIPLE_STATEMENTS, 'Write one query: ";" followed by another statement is not allowed');
  if (statement.named_param_map.length > 0) refuse(QueryIssueCodes.CONSTRUCT, 'Parameters ($name) cannot be used in the SQL node');
  return statement.node;
}

/** The subquery of `SELECT * FROM (<sql>) AS q`, or undefined when the parse is anything else. */
function wrappedQuery(parsed: SerializedSql): Record<string, unknown> | undefined {
  if (parsed.error || parsed.statements.length !== 1) return undefined;
  const node = parsed.statements[0]?.node;
  const from = node?.from_table;
  if (!isRecord(from) || from.type !== 'SUBQUERY' || !isRecord(from.subquery) || !isRecord(from.subquery.node)) return undefined;
  const outer: Record<string, unknown> = { ...node, from_table: { ...from, subquery: null } };
  const expected = { type: 'SELECT_NODE', modifiers: [], cte_map: { map: [] }, where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: 'STANDARD_HANDLING', having: null, sample: null, qualify: null };
  for (const [key, value] of Object.entries(expected)) if (JSON.stringify(outer[key]) !== JSON.stringify(value)) return undefined;
  return from.subquery.node;
}

const WRAP_ALIAS = 'sql';

/**
 * Checks a user query that may read only `allowedRelations` (names compared
 * case-insensitively, as DuckDB does). Returns a refusal (stable code and,
 * where DuckDB reports one, a position in the user's text) for anything else;
 * throws only when DuckDB itself misbehaves.
 */
export async function checkQuery(conn: DuckDBConnection, sql: string, allowedRelations: readonly string[]): Promise<QueryCheck> {
  try {
    if (sql.trim() === '') refuse(QueryIssueCodes.EMPTY, 'The query is empty');
    if (sql.length > MAX_QUERY_LENGTH) refuse(QueryIssueCodes.TOO_LONG, `The query is longer than ${MAX_QUERY_LENGTH} characters`);
    if (sql.includes('\0')) refuse(QueryIssueCodes.SYNTAX, 'The query contains a NUL character', sql.indexOf('\0'));
    // One trailing ";" is a habit, not a second statement.
    const text = queryText(sql);

    const bare = singleQuery(text, await serialize(conn, text), 0);
    new QueryWalker(text, await catalogue(conn)).query(bare, new Set(allowedRelations.map((r) => r.toLowerCase())));

    // The text that will be embedded must mean the same inside the parentheses.
    const embedded = `(\n${text}\n)`;
    let wrapped: Record<string, unknown> | undefined;
    try {
      wrapped = wrappedQuery(await serialize(conn, `SELECT * FROM ${embedded} AS "${WRAP_ALIAS}"`));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
    }
    if (!wrapped || shape(wrapped) !== shape(bare)) {
      refuse(QueryIssueCodes.NOT_SELECT, 'Write one plain query: it must still mean the same inside parentheses (check for unbalanced parentheses or comments)');
    }
    return { ok: true, sql: embedded };
  } catch (error) {
    if (error instanceof QueryRefused) return error.refusal;
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
}
