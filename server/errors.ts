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
