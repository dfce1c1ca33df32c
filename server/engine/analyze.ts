// Compiles a pipeline, asking DuckDB about the SQL expressions in it: each must
// pass the expression guard, and DuckDB binds it against the propagated input
// columns (as an empty table) to report its type or its error. The compiler
// stays pure; this loop feeds it answers until nothing is left to ask (an
// expression downstream of another is only asked once its inputs are known).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { compile, type CompileResult, type ExpressionQuestion } from '../compiler/compile';
import { unknownColumnIssue, type ExpressionAnswer } from '../pipeline/define-node';
import { columnTypeFromDuckDb, duckDbTypeOf, type Column } from '../pipeline/types';
import { quoteIdent, quoteString } from '../sql/ast';
import { openDuckSession } from './duckdb';
import { checkExpression } from './expression-guard';
import { checkQuery } from './statement-guard';

const MAX_ROUNDS = 200;
const CACHE_SIZE = 2_000;

// Answers depend only on the expression and the columns it sees.
const cache = new Map<string, ExpressionAnswer>();
const cacheKey = (q: ExpressionQuestion) => JSON.stringify(q.kind === 'query' ? ['query', q.sql, q.relations ?? {}] : [q.sql, q.columns]);

function remember(key: string, answer: ExpressionAnswer): void {
  cache.delete(key);
  cache.set(key, answer);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

export async function analyzePipeline(document: unknown, options: { tempDir?: string } = {}): Promise<CompileResult> {
  let result = compile(document);
  if (result.questions.length === 0) return result;
  const answers = new Map<string, Record<string, ExpressionAnswer>>();
  const tempDir = options.tempDir ?? path.join(tmpdir(), `sluice-analyze-${randomUUID()}`);
  let session: Awaited<ReturnType<typeof openDuckSession>> | undefined;
  try {
    for (let round = 0; result.questions.length > 0 && round < MAX_ROUNDS; round++) {
      for (const q of result.questions) {
        const key = cacheKey(q);
        let answer = cache.get(key);
        if (!answer) {
          session ??= await openDuckSession(tempDir, { threads: 1 });
          answer = await answerQuestion(session.connection, q);
          remember(key, answer);
        }
        answers.set(q.nodeId, { ...answers.get(q.nodeId), [q.key]: answer });
      }
      result = compile(document, { expressionAnswers: answers });
    }
  } finally {
    session?.close();
    if (session) await rm(tempDir, { recursive: true, force: true });
  }
  return result;
}

export async function answerQuestion(conn: DuckDBConnection, q: ExpressionQuestion): Promise<ExpressionAnswer> {
  if (q.kind === 'query') return answerQuery(conn, q);
  const checked = await checkExpression(conn, q.sql);
  if (!checked.ok) return { sql: q.sql, ok: false, message: checked.message, ...(checked.position === undefined ? {} : { position: checked.position }) };
  const table = `__expr_${randomUUID().replace(/-/g, '')}`;
  const columns = q.columns.length > 0 ? q.columns : [{ name: '__no_columns', type: 'integer' as const }];
  await conn.run(`CREATE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${duckDbTypeOf[c.type]}`).join(', ')})`);
  try {
    const reader = await conn.runAndReadAll(`DESCRIBE SELECT ${checked.sql} AS v FROM ${quoteIdent(table)}`);
    const described = reader.getRowObjectsJson()[0]?.column_type;
    const type = typeof described === 'string' ? described : 'VARCHAR';
    return { sql: q.sql, ok: true, type: columnTypeFromDuckDb(type), references: await referencedColumns(conn, q.sql, q.columns) };
  } catch (error) {
    return { sql: q.sql, ok: false, message: bindErrorMessage(error, q.columns) };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  }
}

/**
 * A query (SQL node): checked by the statement guard against the connected
 * relations, then described by DuckDB over empty TEMP tables named after the
 * relations, with the propagated columns. Result types DuckDB has that Sluice
 * does not map to string.
 */
async function answerQuery(conn: DuckDBConnection, q: ExpressionQuestion): Promise<ExpressionAnswer> {
  const relations = Object.entries(q.relations ?? {});
  const checked = await checkQuery(conn, q.sql, relations.map(([name]) => name));
  if (!checked.ok) return { sql: q.sql, ok: false, message: checked.message, ...(checked.position === undefined ? {} : { position: checked.position }) };
  const created: string[] = [];
  try {
    for (const [name, columns] of relations) {
      const cols = columns.length > 0 ? columns : [{ name: '__no_columns', type: 'integer' as const }];
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${cols.map((c) => `${quoteIdent(c.name)} ${duckDbTypeOf[c.type]}`).join(', ')})`);
      created.push(name);
    }
    const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${checked.sql} AS "sql"`);
    const columns: Column[] = reader.getRowObjectsJson().map(({ column_name: name, column_type: type }) => ({
      name: typeof name === 'string' ? name : '',
      type: typeof type === 'string' ? columnTypeFromDuckDb(type) : 'string',
    }));
    return { sql: q.sql, ok: true, kind: 'query', columns };
  } catch (error) {
    return { sql: q.sql, ok: false, message: bindErrorMessage(error, relations.flatMap(([, columns]) => columns)) };
  } finally {
    for (const name of created) await conn.run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
  }
}

/** The input columns an expression mentions, by their declared names. */
async function referencedColumns(conn: DuckDBConnection, sql: string, columns: Column[]): Promise<string[]> {
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteString(`SELECT (\n${sql}\n)`)})`);
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.class === 'COLUMN_REF' && Array.isArray(record.column_names)) {
      const last: unknown = record.column_names.at(-1);
      if (typeof last === 'string') names.add(last.toLowerCase());
    }
    Object.values(record).forEach(walk);
  };
  walk(JSON.parse(String(reader.getRows()[0]?.[0] ?? 'null')));
  return columns.filter((c) => names.has(c.name.toLowerCase())).map((c) => c.name);
}

/**
 * DuckDB's binder message without its "Binder Error:" prefix and the echoed
 * query; an unknown column gets the same "did you mean" as everywhere else.
 */
function bindErrorMessage(error: unknown, columns: Column[]): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = (text.split('\n')[0] ?? text).replace(/^[A-Za-z ]+Error: /, '');
  const missing = /Referenced column "(.+?)" not found/.exec(first)?.[1];
  return missing === undefined ? first || 'The expression is not valid here' : unknownColumnIssue(missing, columns, []).message;
}
