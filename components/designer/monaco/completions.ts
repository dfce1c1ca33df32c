// What the code editors offer and mark, kept free of Monaco so it can be tested:
// column names from the node's propagated input schema, and the compiler's
// diagnostics for the field as ranges over its text.
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { Column } from '@/server/pipeline/types';
import { quoteIdentifier } from '../widgets/expression-text';

export type EditorLanguage = 'sql' | 'javascript';

/** Words DuckDB would read as syntax rather than a column name; such columns are inserted quoted. */
const sqlReserved = new Set(
  'all and any array as asc between by case cast collate create cross default desc distinct do else end except exists false fetch for from full group having in inner intersect into is join lateral left like limit not null offset on or order outer qualify right select some table then to true union using when where window with'.split(' '),
);

/** A column as it can be typed in a DuckDB expression: bare when that reads as the same name, else quoted. */
export function sqlColumnReference(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !sqlReserved.has(name) ? name : quoteIdentifier(name);
}

/** A column as a JavaScript property access on a row: `.name`, or `["odd name"]`. */
export function jsColumnReference(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

export interface CompletionEntry {
  label: string;
  insertText: string;
  detail: string;
  kind: 'column' | 'table';
}

export interface CompletionSource {
  language: EditorLanguage;
  columns: readonly Column[];
  /** Relation names the code can read from, e.g. input_1 in a SQL node. */
  tables: readonly string[];
}

export function completionEntries(source: CompletionSource): CompletionEntry[] {
  const reference = source.language === 'sql' ? sqlColumnReference : jsColumnReference;
  const seen = new Set<string>();
  const entries: CompletionEntry[] = [];
  for (const table of source.tables) entries.push({ label: table, insertText: table, detail: 'input', kind: 'table' });
  for (const column of source.columns) {
    // Two inputs may both have an `id`; offer it once.
    if (seen.has(column.name)) continue;
    seen.add(column.name);
    entries.push({ label: column.name, insertText: reference(column.name), detail: column.type, kind: 'column' });
  }
  return entries;
}

export interface MarkerSpec {
  severity: 'error' | 'warning';
  message: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/**
 * Diagnostics carry a config path but no position in the text, so each one
 * underlines the whole text (an empty text gets a mark at its start).
 */
export function markersFor(diagnostics: readonly Diagnostic[], text: string): MarkerSpec[] {
  const lines = text.split('\n');
  const lastLine = lines.length;
  const lastColumn = (lines.at(-1)?.length ?? 0) + 1;
  return diagnostics.map((d) => ({
    severity: d.severity,
    message: d.message,
    startLineNumber: 1,
    startColumn: 1,
    endLineNumber: lastLine,
    endColumn: text === '' ? 2 : lastColumn,
  }));
}
