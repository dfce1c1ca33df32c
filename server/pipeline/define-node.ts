// How a node kind is declared: data (ports, config schema, form fields, docs)
// plus pure functions (schema propagation with lineage, planning). The palette,
// the settings form, the compiler and the engine all read this one declaration.
import type { z } from 'zod';
import type { Relation } from '../sql/ast';
import type { StageOp } from '../sql/ops';
import type { Column, ColumnType } from './types';

export type NodeCategory = 'source' | 'transform' | 'destination';

/** File formats the upload widget accepts and the server inspects. */
export type UploadFormat = 'csv' | 'json' | 'parquet' | 'excel';

export interface PortSpec {
  name: string;
  label: string;
  /** May stay unconnected; the node then sees no columns for it (absent from `inputs`). */
  optional?: boolean;
  /**
   * Rows on this input only enrich the rows of another input (a join's right
   * side, a lookup's reference table): a source that feeds only such inputs is
   * reference data, which a reprocess may read in full (ADR 008).
   */
  reference?: boolean;
}

/**
 * How a source reads rows again when a run's rejected rows are reprocessed
 * (ADR 008): the rows are written to a file in the source's own format, raw
 * lines as stored and stored records rendered, and the source reads that file.
 */
export interface ReplaySpec<Config> {
  /** The replay file's first lines (a header row), before the rows. */
  header: (config: Config) => string[];
  /** A record the source read and a node then rejected, as one line of the file. */
  recordLine: (row: Record<string, unknown>, config: Config) => string;
  /** The config that reads the replay file at `path` (written in UTF-8) instead of the original input. */
  readFrom: (config: Config, path: string) => Config;
}

/** Controls that can stand alone or inside a list item. */
export type ScalarWidget =
  | { widget: 'text'; placeholder?: string }
  | { widget: 'number'; min?: number; max?: number; integer?: boolean; placeholder?: string }
  | { widget: 'select'; options: { value: string; label: string }[] }
  | { widget: 'toggle' }
  /** One column of the named input port. */
  | { widget: 'column'; port: string }
  /** A DuckDB SQL expression over the named input port's columns. */
  | { widget: 'expression'; port: string; placeholder?: string }
  /** Multi-line source code. */
  | { widget: 'code'; language: 'javascript' | 'sql' };

/** A field inside a list item; `key` is a key of the item object. */
export type ListItemField = { key: string; label: string; help?: string } & ScalarWidget;

/** Form fields, rendered by one generic settings form. `key` is a config key. */
export type FieldSpec<Key extends string = string> = { key: Key; label: string; help?: string } & (
  | ScalarWidget
  /** An ordered list of objects, each edited with `itemFields` (sort keys, renames, aggregates…). */
  | { widget: 'list'; itemLabel: string; addLabel: string; itemFields: ListItemField[]; newItem: Record<string, unknown> }
  /**
   * Uploads a file and fills path and settings (CSV dialect, JSON layout,
   * Parquet or Excel columns) from what the server reads; `format` default 'csv'.
   */
  | { widget: 'csvUpload'; format?: UploadFormat }
  /** Editable list of column names and types. */
  | { widget: 'schema' }
  /** Multi-select of the named input port's columns, in order. */
  | { widget: 'columnList'; port: string }
  /** Rule list (column, operator, value) over the named input port's columns. */
  | { widget: 'conditions'; port: string }
  /** One of the workspace's stored connections of this type (the value is its id). */
  | { widget: 'connection'; connectionType: 'postgres' | 'mysql' | 'sqlite' }
  /**
   * A table of the connection in config key `connectionKey`, picked from what
   * the database lists; sets this key (the table), `schema` and `columns`.
   */
  | { widget: 'tablePicker'; connectionKey: string }
);

/** A problem found in one node's settings or wiring; the compiler adds the node id. */
export interface NodeIssue {
  code: 'UNKNOWN_COLUMN' | 'TYPE_MISMATCH' | 'INVALID_VALUE' | 'DUPLICATE_OUTPUT_COLUMN' | 'INVALID_CONFIG' | 'INVALID_EXPRESSION';
  severity?: 'error' | 'warning';
  path: (string | number)[];
  message: string;
}

/** How one output column came to be. */
export interface ColumnLineage {
  from: { port: string; column: string }[];
  how: 'copied' | 'renamed' | 'derived' | 'aggregated' | 'read';
}

/** Columns the node reads without producing them (filter predicates, join keys). */
export interface ColumnUse {
  port: string;
  column: string;
  how: 'filter' | 'join' | 'order';
}

export interface PropagateResult {
  outputs: Record<string, Column[]>;
  /** Per output port, per output column. */
  lineage: Record<string, Record<string, ColumnLineage>>;
  uses?: ColumnUse[];
  issues?: NodeIssue[];
}

/**
 * A user-written SQL expression whose type (and validity) only DuckDB can tell.
 * The compiler collects these as questions; the server answers them with DuckDB
 * (server/engine/analyze.ts) and compiles again with the answers.
 */
export interface ExpressionSpec {
  /** Stable within the node, e.g. 'columns.2.expression'. */
  key: string;
  sql: string;
  /** Input port whose columns the expression may use. */
  port: string;
  /** Config path for diagnostics. */
  path: (string | number)[];
  /**
   * 'query': `sql` is a whole SELECT (the SQL node) that reads the connected
   * ones of `ports` as relations named after them; the answer is its columns.
   */
  kind?: 'expression' | 'query';
  /** For queries: the input ports the query may read, by name. */
  ports?: string[];
}

/** DuckDB's verdict on one expression or query; `sql` is the exact text it judged. */
export type ExpressionAnswer =
  /** `references`: the input columns the expression reads, for lineage. */
  | { sql: string; ok: true; type: ColumnType; references: string[] }
  /** A query's result columns, as DuckDB describes them. */
  | { sql: string; ok: true; kind: 'query'; columns: Column[] }
  | { sql: string; ok: false; message: string; position?: number };

export interface PlanContext<Config> {
  nodeId: string;
  config: Config;
  /** The relation feeding each input port. */
  inputs: Record<string, Relation>;
  /** The columns of each input port, as propagated. */
  inputColumns: Record<string, Column[]>;
  /** Table name to materialise each output port into. */
  outputTable: (port: string) => string;
}

/** A config's keys; any string once the registry has erased the Config type. */
export type ConfigKey<Config> = unknown extends Config ? string : Extract<keyof Config, string>;

export interface NodeDefinition<Config = unknown> {
  kind: string;
  /** Bumped when the config shape changes incompatibly. */
  version: number;
  category: NodeCategory;
  label: string;
  description: string;
  /** A short glyph shown on the palette and canvas. */
  icon: string;
  ports: { inputs: PortSpec[]; outputs: PortSpec[] };
  config: z.ZodType<Config>;
  /** Config of a freshly dropped node; may be incomplete (the compiler says what is missing). */
  initialConfig: Record<string, unknown>;
  fields: FieldSpec<ConfigKey<Config>>[];
  /** The SQL expressions in this config that DuckDB must check and type. */
  expressions?: (config: Config) => ExpressionSpec[];
  /** `expressionTypes` holds the type of every expression of `expressions`, by key. */
  /** `queries` holds the result columns of every query spec (`kind: 'query'`), by key. */
  propagate: (ctx: {
    config: Config;
    inputs: Record<string, Column[]>;
    expressions?: Readonly<Record<string, { type: ColumnType; references: string[] }>>;
    queries?: Readonly<Record<string, Column[]>>;
  }) => PropagateResult;
  plan: (ctx: PlanContext<Config>) => StageOp[];
  /**
   * Which input columns the plan reads, so the compiler can leave the others
   * out where it materialises a table (column pruning). Default 'all'.
   * - 'lineage': exactly the sources named by the lineage of every output
   *   column and by `uses`; the plan names no other input column.
   * - 'passThrough': the plan is SELECT * plus WHERE / ORDER BY / LIMIT /
   *   SAMPLE / QUALIFY over the columns in `uses`: every input column it is
   *   given flows out unchanged, so it needs only what downstream reads.
   */
  columnReads?: 'all' | 'lineage' | 'passThrough';
  /**
   * Whether the plan can fail on particular rows (a strict cast, a user SQL
   * expression, an error() for bad data). Such a node ends its fused stage, so
   * a failure is reported on it and not on whatever node it was fused into.
   */
  failsOnData?: (config: Config) => boolean;
  /** A source that can read its rejected rows again (see ReplaySpec). */
  replay?: ReplaySpec<Config>;
  /**
   * A destination that keeps only the rows of its latest load (a file, a
   * replacing load): why loading just a reprocess's rows would lose what it
   * holds, completing "<its label> …"; null when it appends or merges. Given
   * the stored config as it is (a reprocess is refused before the document
   * compiles), so absent settings mean their defaults.
   */
  replacesContents?: (config: Readonly<Record<string, unknown>>) => string | null;
}

/** Keeps each declaration's Config type while the registry stores them side by side. */
export function defineNode<Config>(definition: NodeDefinition<Config>): NodeDefinition<Config> {
  return definition;
}

export function passThroughLineage(port: string, columns: Column[]): Record<string, ColumnLineage> {
  return Object.fromEntries(columns.map((c) => [c.name, { from: [{ port, column: c.name }], how: 'copied' as const }]));
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function closestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function unknownColumnIssue(column: string, available: Column[], path: (string | number)[]): NodeIssue {
  const suggestion = closestName(column, available.map((c) => c.name));
  return {
    code: 'UNKNOWN_COLUMN',
    path,
    message: `Column "${column}" does not exist in the input${suggestion ? `; did you mean "${suggestion}"?` : ''} (available: ${available.map((c) => c.name).join(', ') || 'none'})`,
  };
}
