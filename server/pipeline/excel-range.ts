// Cell ranges of an Excel source as users type them ("B2:E100", "B2:E", "A:D").
// Pure parsing, shared by the node's validation and the engine's reader.

export interface CellRange {
  /** 1-based column number of the first column (A = 1). */
  firstColumn: number;
  lastColumn: number;
  /** 1-based first row (1 when the range names none). */
  firstRow: number;
  /** Last row, inclusive; undefined: to the end of the sheet. */
  lastRow?: number;
}

const RANGE = /^([A-Z]{1,3})(\d+)?(?::([A-Z]{1,3})(\d+)?)?$/;

export function columnNumber(letters: string): number {
  return Array.from(letters.toUpperCase(), (ch) => ch).reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0);
}

export function columnLetters(n: number): string {
  let s = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) s = String.fromCharCode(65 + ((rest - 1) % 26)) + s;
  return s;
}

/** Why `text` is not a usable range for `columnCount` declared columns, or undefined. */
export function cellRangeProblem(text: string, columnCount: number): string | undefined {
  if (text.trim() === '') return undefined;
  const m = RANGE.exec(text.trim().toUpperCase());
  if (!m) return 'Write a range like B2:E100, B2:E (to the last row) or A:D';
  const [, from = 'A', fromRow, to, toRow] = m;
  const first = columnNumber(from);
  const last = to ? columnNumber(to) : first + columnCount - 1;
  if (first > 16_384 || last > 16_384) return 'Excel sheets end at column XFD';
  if (last < first) return 'The range ends before it starts';
  if (fromRow !== undefined && Number(fromRow) < 1) return 'Rows start at 1';
  if (fromRow !== undefined && toRow !== undefined && Number(toRow) < Number(fromRow)) return 'The range ends before it starts';
  if (to && columnCount > 0 && last - first + 1 !== columnCount) {
    return `The range is ${last - first + 1} column(s) wide but ${columnCount} column(s) are declared`;
  }
  return undefined;
}

/** The range to read; an empty text means from A1, as many columns as declared. */
export function parseCellRange(text: string, columnCount: number): CellRange {
  const problem = cellRangeProblem(text, columnCount);
  if (problem) throw new Error(`Invalid cell range "${text}": ${problem}`);
  const m = RANGE.exec(text.trim().toUpperCase() || 'A');
  const [, from = 'A', fromRow, to, toRow] = m ?? [];
  const firstColumn = columnNumber(from);
  return {
    firstColumn,
    lastColumn: to ? columnNumber(to) : firstColumn + columnCount - 1,
    firstRow: fromRow ? Number(fromRow) : 1,
    ...(toRow ? { lastRow: Number(toRow) } : {}),
  };
}
