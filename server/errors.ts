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
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  PATH_OUTSIDE_ROOT: 'PATH_OUTSIDE_ROOT',
  SQL_EXECUTION_FAILED: 'SQL_EXECUTION_FAILED',
  RUN_CANCELLED: 'RUN_CANCELLED',
  // Connections and database sources
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  SECRETS_UNAVAILABLE: 'SECRETS_UNAVAILABLE',
  SOURCE_QUERY_FAILED: 'SOURCE_QUERY_FAILED',
  SOURCE_VALUE_INVALID: 'SOURCE_VALUE_INVALID',
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
    return !(['REDIS_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'INTERNAL', 'JS_SANDBOX_CRASHED'] as ErrorCode[]).includes(this.code);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
