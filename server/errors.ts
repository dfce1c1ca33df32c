// One error family with stable codes. `message` is written for the user; `code`
// is what programs (tests, the UI, retry policies) branch on.
import { SandboxErrorCodes } from './sandbox/protocol';

export const ErrorCodes = {
  // Input and access
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CONFLICT: 'CONFLICT',
  BAD_INPUT: 'BAD_INPUT',
  // Pipelines
  PIPELINE_INVALID: 'PIPELINE_INVALID',
  PIPELINE_NOT_SAVED: 'PIPELINE_NOT_SAVED',
  // Execution
  CSV_MALFORMED_ROW: 'CSV_MALFORMED_ROW',
  CSV_HEADER_MISMATCH: 'CSV_HEADER_MISMATCH',
  CAST_FAILED: 'CAST_FAILED',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** A JSON, Parquet or Excel file that cannot be read as declared (names the file and, where known, the row). */
  FILE_MALFORMED: 'FILE_MALFORMED',
  FILE_HEADER_MISMATCH: 'FILE_HEADER_MISMATCH',
  /** A source file was rewritten or replaced between the run's reads of it; running again reads it afresh. */
  SOURCE_FILE_CHANGED: 'SOURCE_FILE_CHANGED',
  UPLOAD_TOO_LARGE: 'UPLOAD_TOO_LARGE',
  PATH_OUTSIDE_ROOT: 'PATH_OUTSIDE_ROOT',
  SQL_EXECUTION_FAILED: 'SQL_EXECUTION_FAILED',
  RUN_CANCELLED: 'RUN_CANCELLED',
  RUN_TIMEOUT: 'RUN_TIMEOUT',
  STAGE_TIMEOUT: 'STAGE_TIMEOUT',
  // Resuming failed runs
  /** The run is not one that can be resumed: it did not fail, or it was resumed already. */
  RUN_NOT_RESUMABLE: 'RUN_NOT_RESUMABLE',
  /** The run kept no checkpoints, or they expired or are gone: run from the start. */
  CHECKPOINT_UNAVAILABLE: 'CHECKPOINT_UNAVAILABLE',
  /** The checkpoints no longer fit: the plan changed, or an incremental source moved on. */
  CHECKPOINT_MISMATCH: 'CHECKPOINT_MISMATCH',
  // Reprocessing dead letters
  /** The run's dead letters cannot be reprocessed: it did not succeed, has none, or none can be replayed (the message says why). */
  RUN_NOT_REPROCESSABLE: 'RUN_NOT_REPROCESSABLE',
  /** Another run reprocessed (or is reprocessing) these dead letters: details.reprocessedByRunId. */
  DEAD_LETTERS_ALREADY_REPROCESSED: 'DEAD_LETTERS_ALREADY_REPROCESSED',
  // HTTP API source
  /** The API answered with an error status (details.httpStatus) or could not be reached. */
  HTTP_REQUEST_FAILED: 'HTTP_REQUEST_FAILED',
  /** A URL with a refused scheme, or a host that resolves to a private, loopback or link-local address. */
  HTTP_ADDRESS_REFUSED: 'HTTP_ADDRESS_REFUSED',
  /** A page that is not JSON, or has no records where the node says they are. */
  HTTP_INVALID_RESPONSE: 'HTTP_INVALID_RESPONSE',
  /** A record's field does not fit its declared column type. */
  HTTP_RECORD_INVALID: 'HTTP_RECORD_INVALID',
  /** A {{env:…}} reference names a variable the server does not set. */
  SECRET_NOT_SET: 'SECRET_NOT_SET',
  /** The queue is deeper than the configured limit; try again later. */
  BUSY: 'BUSY',
  // Connections and database sources
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  SECRETS_UNAVAILABLE: 'SECRETS_UNAVAILABLE',
  SOURCE_QUERY_FAILED: 'SOURCE_QUERY_FAILED',
  SOURCE_VALUE_INVALID: 'SOURCE_VALUE_INVALID',
  // Database destinations
  DESTINATION_CONNECTION_INVALID: 'DESTINATION_CONNECTION_INVALID',
  DESTINATION_UNREACHABLE: 'DESTINATION_UNREACHABLE',
  DESTINATION_CONNECTION_LOST: 'DESTINATION_CONNECTION_LOST',
  DESTINATION_DUPLICATE_KEY: 'DESTINATION_DUPLICATE_KEY',
  DESTINATION_SCHEMA_MISMATCH: 'DESTINATION_SCHEMA_MISMATCH',
  DESTINATION_LOAD_FAILED: 'DESTINATION_LOAD_FAILED',
  /** A newer attempt of the same run has started; this one must not commit. */
  LOAD_ATTEMPT_SUPERSEDED: 'LOAD_ATTEMPT_SUPERSEDED',
  // JavaScript node: declared with the sandbox that raises them.
  ...SandboxErrorCodes,
  // Infrastructure
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface AppErrorDetails {
  /** Canvas node the error belongs to. */
  nodeId?: string;
  /** 1-based line in a source file. */
  line?: number;
  [key: string]: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Errors that will fail the same way on every retry. */
  get permanent(): boolean {
    return !(['REDIS_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'INTERNAL', 'JS_SANDBOX_CRASHED', 'DESTINATION_UNREACHABLE', 'DESTINATION_CONNECTION_LOST'] as ErrorCode[]).includes(this.code);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Error codes of the operating system and network that a later attempt may not meet. */
const transientSystemCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', '57P01', '57P03', '08006', '08001', '40001', '40P01']);

/**
 * Whether retrying the same work may succeed: connection resets, timeouts,
 * rate limits and server errors (an AppError says so itself, or carries an
 * HTTP status of 429 or 5xx); bad configuration, bad SQL and bad data never.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof AppError) {
    const status = error.details.httpStatus;
    if (typeof status === 'number') return status === 429 || status >= 500;
    if (error.details.transient === true) return true;
    if (error.details.transient === false) return false;
    return !error.permanent && error.code !== 'INTERNAL';
  }
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && transientSystemCodes.has(code)) return true;
  }
  return false;
}
