// The error every failed batch rejects with. Shaped like AppError (code, user-facing
// message, details, `permanent`) so it can become one once the JS_* codes join
// server/errors.ts's ErrorCodes.
import type { LogLine, SandboxErrorCode } from './protocol';

export { SandboxErrorCodes, type SandboxErrorCode } from './protocol';

export interface SandboxErrorDetails {
  /** 1-based line in the user's code, when known. */
  line?: number;
  /** console output of the failed batch, up to the log limits. */
  logs?: LogLine[];
  /** For operators, not users: exit code, signal, the tail of the child's stderr. */
  diagnostics?: string;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly details: SandboxErrorDetails;

  constructor(code: SandboxErrorCode, message: string, details: SandboxErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /**
   * Whether a retry would fail the same way. The user's code decides every outcome
   * but a crash of the sandbox process, which may be the machine's doing.
   */
  get permanent(): boolean {
    return this.code !== 'JS_SANDBOX_CRASHED';
  }
}

export function isSandboxError(error: unknown): error is SandboxError {
  return error instanceof SandboxError;
}
