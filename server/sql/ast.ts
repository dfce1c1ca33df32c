// A small SQL AST for what the compiler emits. Identifiers are always quoted,
// user values are bound parameters, and engine-controlled constants (resolved
// file paths, CSV options) are rendered as escaped literals. Nothing here pastes
// user text into SQL.
import { duckDbTypeOf, type ColumnType } from '../pipeline/types';

export type SqlValue = string | number | boolean | null;

export type Expr =
  | { t: 'column'; name: string }
  | { t: 'param'; value: SqlValue }
  | { t: 'literal'; value: SqlValue }
  | { t: 'cast'; expr: Expr; to: ColumnType }
  | { t: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr }
  | { t: 'logical'; op: 'AND' | 'OR'; items: Expr[] }
  | { t: 'not'; expr: Expr }
  | { t: 'isNull'; expr: Expr; negated: boolean }
  | { t: 'call'; fn: ScalarFunction; args: Expr[] };

/** Scalar functions the compiler may call; a closed list, never a user string. */
export type ScalarFunction = 'contains' | 'starts_with' | 'lower';

/** A reference to a file that the engine resolves (and confines) at run time. */
export interface FileRef {
  workspacePath: string;
}

export interface CsvReadOptions {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  columns: { name: string; type: ColumnType }[];
}

export type Relation =
  | { t: 'table'; name: string }
  | { t: 'readCsv'; file: FileRef; options: CsvReadOptions; rejectsTable: string }
  | { t: 'subquery'; query: Select; alias: string };

export interface SelectItem {
  expr: Expr;
  as?: string;
}

export interface Select {
  t: 'select';
  items: SelectItem[] | '*';
  from: Relation;
  where?: Expr;
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
        return quoteIdent(e.name);
      case 'param':
        this.params.push(e.value);
        return `$${this.params.length}`;
      case 'literal':
        return literal(e.value);
      case 'cast':
        return `CAST(${this.expr(e.expr)} AS ${duckDbTypeOf[e.to]})`;
      case 'compare':
        return `(${this.expr(e.left)} ${e.op} ${this.expr(e.right)})`;
      case 'logical':
        return e.items.length === 0 ? (e.op === 'AND' ? 'TRUE' : 'FALSE') : `(${e.items.map((i) => this.expr(i)).join(` ${e.op} `)})`;
      case 'not':
        return `(NOT ${this.expr(e.expr)})`;
      case 'isNull':
        return `(${this.expr(e.expr)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
      case 'call':
        return `${e.fn}(${e.args.map((a) => this.expr(a)).join(', ')})`;
    }
  }

  relation(r: Relation): string {
    switch (r.t) {
      case 'table':
        return quoteIdent(r.name);
      case 'subquery':
        return `(${this.select(r.query)}) AS ${quoteIdent(r.alias)}`;
      case 'readCsv': {
        const o = r.options;
        const columns = o.columns.map((c) => `${quoteString(c.name)}: ${quoteString(duckDbTypeOf[c.type])}`).join(', ');
        return [
          `read_csv(${quoteString(this.ctx.resolveFile(r.file))}`,
          `auto_detect = false`,
          `header = ${o.header ? 'true' : 'false'}`,
          `delim = ${quoteString(o.delimiter)}`,
          `quote = ${quoteString(o.quote)}`,
          `escape = ${quoteString(o.escape)}`,
          `columns = {${columns}}`,
          `store_rejects = true`,
          `rejects_table = ${quoteString(r.rejectsTable)}`,
          `rejects_scan = ${quoteString(`${r.rejectsTable}_scan`)})`,
        ].join(', ');
      }
    }
  }

  select(s: Select): string {
    const items = s.items === '*' ? '*' : s.items.map((i) => this.expr(i.expr) + (i.as ? ` AS ${quoteIdent(i.as)}` : '')).join(', ');
    return `SELECT ${items} FROM ${this.relation(s.from)}${s.where ? ` WHERE ${this.expr(s.where)}` : ''}`;
  }
}

export function renderSelect(s: Select, ctx: RenderContext): RenderedSql {
  const r = new Renderer(ctx);
  const sql = r.select(s);
  return { sql, params: r.params };
}
