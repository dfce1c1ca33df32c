// Puts a run's parameter values into its pipeline document before compiling.
// Text fields get the value's text; SQL gets a typed constant, and only where
// DuckDB's own parser sees a bare name in the placeholder's place (never in a
// string literal, a quoted identifier or a comment), so a value can never
// change the shape of the SQL around it. The result then goes through the
// usual expression and statement guards like any other SQL.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CompileResult } from '../compiler/compile';
import type { Diagnostic } from '../compiler/diagnostics';
import { analyzePipeline } from '../engine/analyze';
import { openDuckSession, type DuckSession } from '../engine/duckdb';
import { isRecord, serialize } from '../engine/expression-guard';
import { AppError, errorMessage } from '../errors';
import type { VisualPipeline } from '../pipeline/model';
import {
  checkParameterReferences,
  codePaths,
  parameterReferences,
  pathKey,
  previewValue,
  PLACEHOLDER,
  placeholderNames,
  resolveParameters,
  sqlConstant,
  substituteText,
  type ConfigPath,
  type ParameterInput,
  type ParameterValues,
  type SqlKind,
} from '../pipeline/parameters';

function mapStrings(value: unknown, path: ConfigPath, fn: (text: string, path: ConfigPath) => Promise<string>): Promise<unknown> {
  if (typeof value === 'string') return fn(value, path);
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => mapStrings(v, [...path, i], fn)));
  if (isRecord(value)) {
    return Promise.all(Object.entries(value).map(async ([k, v]) => [k, await mapStrings(v, [...path, k], fn)] as const)).then((entries) => Object.fromEntries(entries));
  }
  return Promise.resolve(value);
}

/**
 * Every COLUMN_REF in a serialized parse tree whose only name is one of
 * `names` and which DuckDB read from the bare name itself: the statement's
 * bytes at its query_location are the name (a quoted identifier starts with a quote).
 */
function bareNames(tree: unknown, names: ReadonlySet<string>, statement: Buffer, found: string[] = []): string[] {
  if (Array.isArray(tree)) for (const item of tree) bareNames(item, names, statement, found);
  else if (isRecord(tree)) {
    const columnNames = tree.column_names;
    const name: unknown = Array.isArray(columnNames) && columnNames.length === 1 ? columnNames[0] : undefined;
    const at = tree.query_location;
    if (tree.class === 'COLUMN_REF' && typeof name === 'string' && names.has(name) && typeof at === 'number') {
      if (statement.subarray(at, at + Buffer.byteLength(name)).toString('utf8') === name) found.push(name);
    }
    for (const v of Object.values(tree)) bareNames(v, names, statement, found);
  }
  return found;
}

const countOf = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/**
 * Replaces the placeholders of one SQL text with typed constants. Each one is
 * first swapped for a unique name; DuckDB parses the text, and every such name
 * must come back exactly once, as a bare column reference. Anything else (a
 * placeholder inside quotes or a comment, glued to other characters, used as a
 * table or alias) is refused with the parameter's name.
 */
export async function substituteSql(conn: DuckDBConnection, sql: string, kind: SqlKind, values: ParameterValues, types: ReadonlyMap<string, Parameters<typeof sqlConstant>[0]>): Promise<string> {
  const matches = [...sql.matchAll(PLACEHOLDER)];
  if (matches.length === 0) return sql;
  const nonce = randomBytes(6).toString('hex');
  const sentinels = matches.map((_, i) => `__sluice_param_${nonce}_${i}_`);
  let i = 0;
  const marked = sql.replace(PLACEHOLDER, () => sentinels[i++] ?? '');
  const statement = kind === 'expression' ? `SELECT ${marked}` : marked;
  let tree: unknown;
  try {
    const parsed = await serialize(conn, statement);
    if (parsed.error) throw new Error(parsed.error_message);
    tree = parsed.statements;
  } catch (error) {
    throw new AppError('PIPELINE_INVALID', `The SQL could not be parsed to place its parameters: ${errorMessage(error)}`);
  }
  const json = JSON.stringify(tree);
  const bare = bareNames(tree, new Set(sentinels), Buffer.from(statement, 'utf8'));
  let out = marked;
  matches.forEach((match, index) => {
    const name = match[1] ?? '';
    const sentinel = sentinels[index] ?? '';
    if (countOf(json, sentinel) !== 1 || countOf(marked, sentinel) !== 1 || bare.filter((s) => s === sentinel).length !== 1) {
      throw new AppError(
        'PIPELINE_INVALID',
        `{{params.${name}}} must stand alone as a value in SQL — not inside quotes, a comment or a name. Write e.g. amount > {{params.${name}}}; it becomes a typed constant.`,
        { parameter: name },
      );
    }
    const value = values[name];
    const type = types.get(name);
    if (value === undefined || type === undefined) throw new AppError('BAD_INPUT', `Parameter "${name}" is used but has no value`, { parameter: name });
    out = out.replace(sentinel, sqlConstant(type, value));
  });
  return out;
}

/**
 * The document a run executes: its placeholders replaced by the run's values.
 * `values` are the ones stored on the run (already typed); they are checked
 * again against the declarations, since the document is the authority on types.
 */
export async function applyParameters(document: VisualPipeline, stored: ParameterInput, options: { tempDir: string }): Promise<VisualPipeline> {
  checkParameterReferences(document);
  const declarations = document.parameters ?? [];
  if (declarations.length === 0) return document;
  const values = resolveParameters(declarations, stored);
  const types = new Map(declarations.map((d) => [d.name, d.type]));
  let session: DuckSession | undefined;
  try {
    const nodes = [];
    for (const node of document.nodes) {
      const sqlPaths = codePaths(node.kind, node.config).sql;
      const config = (await mapStrings(node.config, [], async (text, path) => {
        if (placeholderNames(text).length === 0) return text;
        const kind = sqlPaths.get(pathKey(path));
        if (!kind) return substituteText(text, values);
        session ??= await openDuckSession(options.tempDir, { threads: 1 });
        try {
          return await substituteSql(session.connection, text, kind, values, types);
        } catch (error) {
          if (error instanceof AppError) throw new AppError(error.code, `Node "${node.label ?? node.id}" (field ${pathKey(path)}): ${error.message}`, { ...error.details, nodeId: node.id });
          throw error;
        }
      })) as Record<string, unknown>;
      nodes.push({ ...node, config });
    }
    return { ...document, nodes };
  } finally {
    if (session) {
      session.close();
      await rm(options.tempDir, { recursive: true, force: true });
    }
  }
}

/**
 * A draft checked (or previewed) as a run would see it: each placeholder holds
 * its parameter's default, or a sample value of its type when it has none, so a
 * filter on `amount > {{params.min}}` is typed as a number comparison rather than
 * refused as text. A placeholder that no value could fill is reported on its node.
 */
export async function analyzeDraft(document: VisualPipeline, options: { tempDir?: string } = {}): Promise<CompileResult> {
  if (parameterReferences(document).length === 0) return analyzePipeline(document, options);
  const samples = Object.fromEntries((document.parameters ?? []).map((decl) => [decl.name, previewValue(decl)]));
  try {
    const tempDir = join(options.tempDir ?? tmpdir(), `sluice-draft-parameters-${randomBytes(6).toString('hex')}`);
    return await analyzePipeline(await applyParameters(document, samples, { tempDir }), options);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const result = await analyzePipeline(document, options);
    const nodeId = typeof error.details.nodeId === 'string' ? error.details.nodeId : undefined;
    const problem: Diagnostic = { code: 'INVALID_CONFIG', severity: 'error', message: error.message, ...(nodeId ? { nodeId } : {}) };
    return { ...result, plan: null, diagnostics: [problem, ...result.diagnostics] };
  }
}
