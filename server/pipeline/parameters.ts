// Pipeline parameters: declared in the document, given values when a run
// starts, and referenced in node configs as {{params.name}}. Pure: the
// placement of values into SQL text is checked by DuckDB in
// server/runs/apply-parameters.ts.
//
// Rules (docs/parameters.md):
// - Values are validated and typed once, at run start; the run stores them.
// - In text fields a placeholder is replaced by the value's text form.
// - In SQL (expressions, the SQL node's query) a placeholder becomes a typed
//   constant, and only where DuckDB's parser sees a bare name — never inside a
//   string literal, a quoted identifier or a comment.
// - JavaScript code cannot use placeholders (rows are its only input).
import { z } from 'zod';
import { AppError } from '../errors';
import { type ParameterDeclaration, type ParameterType } from './model';
import { getNodeDefinition } from './registry';

export { ParameterDeclarationSchema, ParameterDeclarationsSchema, ParameterTypes, type ParameterDeclaration, type ParameterType } from './model';

/** A typed value as stored on a run: dates as YYYY-MM-DD, timestamps as ISO 8601 in UTC. */
export type ParameterValue = string | number | boolean;
export type ParameterValues = Record<string, ParameterValue>;

/** Raw values as an API or webhook receives them. */
export const ParameterInputSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type ParameterInput = z.infer<typeof ParameterInputSchema>;

const parameterError = (name: string, message: string) => new AppError('BAD_INPUT', `Parameter "${name}" ${message}`, { parameter: name });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date, then time with optional seconds and fraction, then Z or an offset (or none: read as UTC).
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Checks and types one value; errors name the parameter and say what was expected. */
export function coerceParameterValue(decl: Pick<ParameterDeclaration, 'name' | 'type'>, raw: unknown): ParameterValue {
  const { name } = decl;
  const shown = typeof raw === 'string' ? JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw) : String(raw);
  switch (decl.type) {
    case 'string':
      if (typeof raw !== 'string') throw parameterError(name, `expects text, got ${shown}`);
      if (raw.includes('\0')) throw parameterError(name, 'cannot contain a NUL character');
      return raw;
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw parameterError(name, `expects a whole number between ±${Number.MAX_SAFE_INTEGER}, got ${shown}`);
      return n;
    }
    case 'float': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw parameterError(name, `expects a finite number, got ${shown}`);
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw parameterError(name, `expects true or false, got ${shown}`);
    case 'date': {
      const m = typeof raw === 'string' ? DATE.exec(raw.trim()) : null;
      if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw parameterError(name, `expects a date as YYYY-MM-DD, got ${shown}`);
      return m[0];
    }
    case 'timestamp': {
      const m = typeof raw === 'string' ? TIMESTAMP.exec(raw.trim()) : null;
      const [y, mo, d] = (m?.[1] ?? '').split('-').map(Number);
      const valid = m && isRealDate(y ?? 0, mo ?? 0, d ?? 0) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4] ?? 0) < 60;
      if (!m || !valid) throw parameterError(name, `expects a timestamp as YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], got ${shown}`);
      const zone = m[6] ? (m[6].toUpperCase() === 'Z' ? 'Z' : m[6].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
      const fraction = (m[5] ?? '').slice(0, 4);
      return new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${fraction}${zone}`).toISOString();
    }
  }
}

/**
 * The values a run gets: each declared parameter's given value, or its
 * default, checked against its type. Unknown names and missing required
 * values are errors, so a typo never runs with a default silently.
 */
export function resolveParameters(declarations: readonly ParameterDeclaration[], input: ParameterInput = {}): ParameterValues {
  const declared = new Map(declarations.map((d) => [d.name, d]));
  for (const name of Object.keys(input)) {
    if (!declared.has(name)) {
      const known = declarations.map((d) => d.name);
      throw parameterError(name, `is not declared by this pipeline${known.length ? ` (it declares ${known.join(', ')})` : ' (it declares none)'}`);
    }
  }
  const values: ParameterValues = {};
  for (const decl of declarations) {
    const given = input[decl.name];
    const raw = given ?? decl.default;
    if (raw === undefined) throw parameterError(decl.name, `needs a value (type ${decl.type}; it has no default)`);
    values[decl.name] = coerceParameterValue(decl, raw);
  }
  return values;
}

/** The text form of a value, for text fields. */
export const parameterText = (value: ParameterValue): string => String(value);

/** A sample value per type, for checking a draft whose parameters have no default. */
export function previewValue(decl: ParameterDeclaration): ParameterValue {
  if (decl.default !== undefined) {
    try {
      return coerceParameterValue(decl, decl.default);
    } catch {
      // fall through to the sample: the run itself reports the bad default
    }
  }
  const samples: Record<ParameterType, ParameterValue> = { string: '', integer: 0, float: 0, boolean: false, date: '2000-01-01', timestamp: '2000-01-01T00:00:00.000Z' };
  return samples[decl.type];
}

// ── Placeholders ──────────────────────────────────────────────────────────────

export const PLACEHOLDER = /\{\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export const placeholderNames = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');

export type ConfigPath = (string | number)[];
export interface ParameterReference {
  nodeId: string;
  path: ConfigPath;
  name: string;
  /** How the field is read: plain text, SQL, or JavaScript code (where placeholders are refused). */
  field: 'text' | 'sql' | 'javascript';
}

export const pathKey = (path: ConfigPath) => path.join('.');

export type SqlKind = 'expression' | 'query';

/** Config paths (as keys) holding SQL (an expression or a whole query) or JavaScript, from the node's form fields and its declared expressions. */
export function codePaths(kind: string, config: Record<string, unknown>): { sql: Map<string, SqlKind>; javascript: Set<string> } {
  const sql = new Map<string, SqlKind>();
  const javascript = new Set<string>();
  const definition = getNodeDefinition(kind);
  if (!definition) return { sql, javascript };
  for (const field of definition.fields) {
    if (field.widget === 'expression') sql.set(field.key, 'expression');
    else if (field.widget === 'code') {
      if (field.language === 'sql') sql.set(field.key, 'query');
      else javascript.add(field.key);
    } else if (field.widget === 'list') {
      const items = config[field.key];
      if (!Array.isArray(items)) continue;
      for (const item of field.itemFields) {
        items.forEach((_, i) => {
          const key = pathKey([field.key, i, item.key]);
          if (item.widget === 'expression') sql.set(key, 'expression');
          else if (item.widget === 'code') {
            if (item.language === 'sql') sql.set(key, 'query');
            else javascript.add(key);
          }
        });
      }
    }
  }
  // Expressions a node builds from other widgets (filter rules written as SQL, …).
  const parsed = definition.expressions ? definition.config.safeParse(config) : undefined;
  if (parsed?.success && definition.expressions) for (const spec of definition.expressions(parsed.data)) sql.set(pathKey(spec.path), spec.kind ?? 'expression');
  return { sql, javascript };
}

export function walkStrings(value: unknown, path: ConfigPath, visit: (text: string, path: ConfigPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}

/** Every {{params.…}} in the document's node configs, with the kind of field it sits in. */
export function parameterReferences(doc: { nodes: readonly { id: string; kind: string; config: Record<string, unknown> }[] }): ParameterReference[] {
  const refs: ParameterReference[] = [];
  for (const node of doc.nodes) {
    const code = codePaths(node.kind, node.config);
    walkStrings(node.config, [], (text, path) => {
      const key = pathKey(path);
      const field = code.sql.has(key) ? 'sql' : code.javascript.has(key) ? 'javascript' : 'text';
      for (const name of placeholderNames(text)) refs.push({ nodeId: node.id, path, name, field });
    });
  }
  return refs;
}

/**
 * Refuses a document whose placeholders name undeclared parameters or sit in
 * JavaScript code; the message names the node, the field and the parameter.
 */
export function checkParameterReferences(doc: { nodes: readonly { id: string; kind: string; label?: string | undefined; config: Record<string, unknown> }[]; parameters?: readonly ParameterDeclaration[] | undefined }): void {
  const declared = new Set((doc.parameters ?? []).map((p) => p.name));
  const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label ?? id;
  for (const ref of parameterReferences(doc)) {
    const where = `Node "${labelOf(ref.nodeId)}" (field ${pathKey(ref.path)})`;
    if (ref.field === 'javascript') {
      throw new AppError('PIPELINE_INVALID', `${where} uses {{params.${ref.name}}} in JavaScript code; code cannot take parameters — pass the value through a column instead`, { nodeId: ref.nodeId, parameter: ref.name });
    }
    if (!declared.has(ref.name)) {
      throw new AppError('PIPELINE_INVALID', `${where} uses {{params.${ref.name}}}, but the pipeline declares no parameter "${ref.name}"`, { nodeId: ref.nodeId, parameter: ref.name });
    }
  }
}

/** Replaces placeholders in text with the values' text forms. */
export function substituteText(text: string, values: ParameterValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw parameterError(name, 'is used but has no value');
    return parameterText(value);
  });
}

/** A typed SQL constant for a value that resolveParameters produced; parenthesised so it stays one operand. */
export function sqlConstant(type: ParameterType, value: ParameterValue): string {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  switch (type) {
    case 'string':
      if (typeof value !== 'string' || value.includes('\0')) throw new AppError('INTERNAL', 'A string parameter value is not a string');
      return `(${quote(value)}::VARCHAR)`;
    case 'integer':
      if (!Number.isSafeInteger(value)) throw new AppError('INTERNAL', 'An integer parameter value is not an integer');
      return `(CAST(${String(value)} AS BIGINT))`;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new AppError('INTERNAL', 'A float parameter value is not finite');
      return `(CAST(${quote(String(value))} AS DOUBLE))`;
    case 'boolean':
      if (typeof value !== 'boolean') throw new AppError('INTERNAL', 'A boolean parameter value is not a boolean');
      return value ? '(true)' : '(false)';
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value)) throw new AppError('INTERNAL', 'A date parameter value is not a date');
      return `(DATE ${quote(value)})`;
    case 'timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new AppError('INTERNAL', 'A timestamp parameter value is not a timestamp');
      return `(TIMESTAMPTZ ${quote(new Date(value).toISOString())})`;
  }
}
