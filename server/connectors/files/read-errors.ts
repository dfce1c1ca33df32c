// Turns DuckDB's errors from reading a JSON or Parquet file into messages that
// name the file as the user wrote it (not the server's absolute path) and the
// row, where DuckDB tells it.
import { AppError, errorMessage } from '../../errors';
import type { Relation } from '../../sql/ast';

const firstLine = (error: unknown): string => errorMessage(error).split('\n')[0] ?? '';

export function explainReadError(error: unknown, from: Relation, nodeId: string): AppError | undefined {
  if (from.t === 'readCsv') return explainCsvError(error, from.file.workspacePath, nodeId);
  if (from.t === 'readJson') return explainJsonError(firstLine(error), from.file.workspacePath, nodeId);
  if (from.t === 'readParquet') return explainParquetError(firstLine(error), from.file.workspacePath, nodeId);
  return undefined;
}

function explainJsonError(message: string, file: string, nodeId: string): AppError | undefined {
  // DuckDB 1.5.5 numbers lines (and array elements) one too high in "Malformed JSON" errors, and
  // correctly in "JSON transform error" ones; json-source.test.ts pins both.
  const malformed = /Malformed JSON in file ".*?", at byte (\d+) in (line|record\/value) (\d+): (.*)$/.exec(message);
  if (malformed) {
    const [, byte, unit, reported, reason] = malformed;
    const row = Number(reported) - 1;
    const where = unit === 'line' ? `Line ${row}` : `Record ${row}`;
    return new AppError('FILE_MALFORMED', `${where} of "${file}" is not valid JSON: ${(reason ?? '').replace(/\.\s*$/, '')} (at byte ${byte})`, { nodeId, line: row });
  }
  const transform = /JSON transform error in file ".*?", in (line|record\/value) (\d+): (.*)$/.exec(message);
  if (transform) {
    const [, unit, reported, reason] = transform;
    const row = Number(reported);
    const where = unit === 'line' ? `Line ${row}` : `Record ${row}`;
    return new AppError('FILE_MALFORMED', `${where} of "${file}" does not fit the declared columns: ${reason ?? ''}`, { nodeId, line: row });
  }
  if (/JSON/i.test(message) && /Invalid Input Error/.test(message)) {
    return new AppError('FILE_MALFORMED', `"${file}" could not be read as JSON: ${message.replace(/^Invalid Input Error: /, '')}`, { nodeId });
  }
  return undefined;
}

function explainParquetError(message: string, file: string, nodeId: string): AppError | undefined {
  // The second form appears when the missing column's name is also the alias it is cast to.
  const missing = /Referenced column "([^"]*)" not found/.exec(message) ?? /Column "([^"]*)" referenced that exists in the SELECT clause/.exec(message);
  if (missing) return new AppError('FILE_MALFORMED', `Column "${missing[1] ?? ''}" is not in "${file}"; read the file's columns again`, { nodeId });
  if (/parquet|magic bytes|Invalid Input Error|IO Error/i.test(message)) {
    return new AppError('FILE_MALFORMED', `"${file}" could not be read as Parquet: ${message.replace(/^[A-Za-z ]+Error: /, '')}`, { nodeId });
  }
  if (/Conversion Error/.test(message)) {
    return new AppError('FILE_MALFORMED', `A value in "${file}" does not fit its declared column type: ${message.replace(/^Conversion Error: /, '')}`, { nodeId });
  }
  return undefined;
}

/**
 * Errors DuckDB's CSV reader throws instead of storing the line as rejected
 * (bytes that are not valid in the chosen encoding). Its "Original Line" is
 * not reliable there, so only the line number and the reason are kept.
 */
export function explainCsvError(error: unknown, file: string, nodeId: string): AppError | undefined {
  const lines = errorMessage(error).split('\n');
  const line = /CSV Error on Line: (\d+)/.exec(lines[0] ?? '');
  if (!line) return undefined;
  const row = Number(line[1]);
  const reason = lines.slice(1).find((l) => l.trim() !== '' && !l.startsWith('Original Line')) ?? 'unreadable line';
  const hint = /unicode|encod/i.test(reason) ? ' Choose the file\'s encoding (Latin-1 or UTF-16) in the node\'s settings.' : '';
  return new AppError('CSV_MALFORMED_ROW', `Line ${row} of "${file}" could not be read: ${reason.trim()}${hint}`, { nodeId, line: row });
}
